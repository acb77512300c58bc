/**
 * The restart version of live_reconcile_late_entry_fill: an entry the executor rejected as absent
 * (the venue had never heard of it) lands late and fills; its fill is an OVERFILL and the slot goes
 * stale with no side. The process stops there. At restart, recovery must hand that stale slot the
 * position its own ended entry opened (looked up at the venue like live reconciliation does), on
 * that order's side — else it reports its own position as an ORPHAN_POSITION and leaves the slot
 * IDLE, so nothing of ours ever closes it.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { eventFromOrderState } from "../../src/launcher/_order_event.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

test.each(["LONG", "SHORT"] as const)(
  "a stale slot whose entry was rejected as absent and filled late takes its %s position at restart, no orphan",
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
    expect(await executor.resolveByQuery(0)).toBe("ABSENT_REJECTED");
    absent = false; // the order's fill reaches the kernel after all: OVERFILL, the slot goes stale
    executor.onVenueEvent(eventFromOrderState((await mock.queryOrder("BTC-USDT", "S0-E")) as VenueOrderState));
    expect(kernel.slot(0)).toMatchObject({ stage: "STALE_STATE_RECONCILING", side: null });
    const images = Array.from({ length: kernel.slotCount }, (_, i) => kernel.slotImage(i).slice());

    // The restart: a fresh kernel adopts that belief and reconciles to the venue.
    const second = freshKernel({ slots: 2, capital: 0 });
    kernels.push(second);
    const report = await recover(
      {
        kernel: second,
        executor: new Executor(second, venue, clock, { afterApply: () => {} }),
        venue,
        nowMs: () => clock.nowMs(),
        log: () => {},
      },
      { source: "zinc", images },
      true,
    );
    expect(report.orphans).toEqual([]);
    expect(report.reconciled).toEqual([
      { slot_id: 0, from: "STALE_STATE_RECONCILING", to: "POSITION_OPEN", size_before: 0, size_after: 0.01 },
    ]);
    expect(second.slot(0)).toMatchObject({ stage: "POSITION_OPEN", side, size: 0.01 });
  },
);
