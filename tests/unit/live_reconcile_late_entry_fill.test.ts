/**
 * An entry that ended with nothing filled (the kernel clears the slot's side) and then filled
 * at the venue after all, in the fast tier: a real kernel and executor over the mock venue.
 *
 * The executor's hung-order path rejects an entry the venue said it had never heard of; if it lands
 * late and fills, its fill is an OVERFILL and the slot goes stale with no side. The next live pass
 * must hand that slot the position its own order opened, on that order's side — else it leaves its
 * position an ORPHAN_POSITION no flatten closes and the slot IDLE (for either side: a stale slot
 * claims what its ended entry filled late, looked up at the venue).
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { eventFromOrderState } from "../../src/launcher/_order_event.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

test.each(["LONG", "SHORT"] as const)(
  "an entry rejected as absent that fills late: the stale slot takes its %s position, no orphan",
  async (side) => {
    const clock = new ManualClock(T0);
    const mock = new MockVenueAdapter({ seed: 9, clock, prices: { "BTC-USDT": 65_000 }, balance: 10_000 });
    await mock.connect();
    let absent = true; // the venue's first answer about the order: never heard of it (it lands later)
    const venue: VenueAdapter = Object.create(mock, {
      queryOrder: {
        value: async (asset: string, cid: string) => (absent ? null : mock.queryOrder(asset, cid)),
      },
    });
    const kernel = freshKernel({ slots: 2, capital: 10_000 });
    kernels.push(kernel);
    const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
    const diags: DiagnosticRecord[] = [];
    const r = new LiveReconciler({
      kernel,
      executor,
      venue,
      clock,
      report: (d) => diags.push(d),
      log: () => {},
      sleep: async () => {},
    });

    mock.setKnobs({ drop_responses: { count: 1 }, stream_drop: { after: 0 } }); // executed, nothing heard
    executor.submitStrategy({
      type: "ENTER",
      slot_id: 0,
      trade_id: "S0",
      asset: "BTC-USDT",
      side,
      size: 0.01,
      price: null,
      leverage: 3,
    });
    await executor.drain(1_000);
    expect(kernel.slot(0).entry_order?.status).toBe("PENDING_SUBMIT");
    expect(await executor.resolveByQuery(0)).toBe("ABSENT_REJECTED");
    expect(kernel.slot(0)).toMatchObject({ stage: "IDLE", side: null });

    absent = false; // the order's fill reaches the kernel after all: OVERFILL, the slot goes stale
    executor.onVenueEvent(eventFromOrderState((await mock.queryOrder("BTC-USDT", "S0-E")) as VenueOrderState));
    expect(kernel.slot(0).stage).toBe("STALE_STATE_RECONCILING");

    expect(await r.pass()).toEqual([0]);
    expect(kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", side, size: 0.01 });
    expect(diags.filter((d) => d.code === "ORPHAN_POSITION")).toEqual([]);
  },
);
