/**
 * Live reconciliation and an order this process took as ended that rests at the venue unseen, in the fast tier: a
 * real kernel, executor and reconciler over the mock venue. The entry's placement answer never came (UNKNOWN), the
 * hung-order query found no such order (ABSENT_REJECTED, slot 0 IDLE), then the request reaches the venue and rests
 * (a limit below the market) while the stream loses its ACK: `cancelIfLanded` never hears of it.
 *
 * What they state: the next pass cancels it at the venue, once (later passes send nothing more), never an
 * ORPHAN_ORDER; a cancel the venue does not answer is sent again at later passes, CANCELS_MAX in all, then one
 * ORPHAN_ORDER names slot 0's entry as its maker. Before the fix the order kept resting (its client id slot 0's
 * finished entry: owned, never reported, never cancelled).
 */

import { expect, test } from "bun:test";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { CancelResult, OrderRequest, SubmitResult, VenueAdapter } from "../../src/contracts/venue.ts";
import { CANCELS_MAX } from "../../src/launcher/_resting_absent.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { kernelsPerTest } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 100_000 });

/** `cancelAnswer`: what the venue's cancel answers (default: the mock's own cancel). */
async function world(cancelAnswer?: CancelResult) {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 7, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  const timedOut: OrderRequest[] = [];
  const cancels: string[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    submit: {
      value: async (r: OrderRequest): Promise<SubmitResult> => {
        timedOut.push(r); // the placement's answer never comes: the request is still on its way
        return { status: "UNKNOWN", reason: "timeout" };
      },
    },
    cancel: {
      value: async (asset: string, cid: string): Promise<CancelResult> => {
        cancels.push(cid);
        return cancelAnswer ?? mock.cancel(asset, cid);
      },
    },
  });
  const k = kernel();
  const diags: DiagnosticRecord[] = [];
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {}, log });
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  const r = testReconciler({ kernel: k, executor, venue, clock }, diags, log);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await executor.drain(1_000);
      await Bun.sleep(2);
    }
  };
  const enter = { type: "ENTER", slot_id: 0, trade_id: "R1", asset: "BTC-USDT", side: "LONG", size: 0.01 } as const;
  executor.submitStrategy({ ...enter, price: 60_000, leverage: 3 });
  await settle();
  expect(await executor.resolveByQuery(0)).toBe("ABSENT_REJECTED");
  expect(k.slot(0).stage).toBe("IDLE");
  mock.setKnobs({ stream_drop: { after: 0 } }); // its ACK is lost
  expect((await mock.submit(timedOut[0]!)).status).toBe("ACCEPTED"); // it lands now, and rests
  await settle();
  expect(cancels).toEqual([]); // the stream told nothing: cancelIfLanded never heard of it
  expect((await mock.openOrders()).map((o) => o.client_order_id)).toEqual(["R1-E"]);
  const orphans = () => diags.filter((d) => d.code === "ORPHAN_ORDER");
  return { mock, kernel: k, r, cancels, logs, orphans, settle };
}

test("the next pass cancels it at the venue, once: later passes send nothing more, and it is never an ORPHAN_ORDER", async () => {
  const w = await world();
  await w.r.pass();
  expect(w.cancels).toEqual(["R1-E"]);
  expect(await w.mock.openOrders()).toEqual([]);
  expect(w.logs).toContain(
    "slot 0: R1-E, taken as absent, open at the venue (live reconciliation): cancelling it there",
  );
  await w.r.pass();
  await w.r.pass();
  expect(w.cancels).toEqual(["R1-E"]);
  await w.settle(); // the venue's CANCEL_ACK of an order the kernel ended changes nothing
  expect(w.orphans()).toEqual([]);
  expect(w.kernel.slot(0).stage).toBe("IDLE");
});

test(`a cancel the venue does not answer is sent again at later passes, ${CANCELS_MAX} in all, then one ORPHAN_ORDER names slot 0's entry`, async () => {
  const w = await world({ status: "UNKNOWN", reason: "timeout" });
  for (let i = 0; i < CANCELS_MAX + 2; i++) await w.r.pass();
  expect(w.cancels).toEqual(Array(CANCELS_MAX).fill("R1-E"));
  expect(w.orphans().map((d) => d.message.split(":")[0])).toEqual([
    `slot 0's entry order, taken as ended, still open after ${CANCELS_MAX} cancels`,
  ]);
  expect((await w.mock.openOrders()).map((o) => o.client_order_id)).toEqual(["R1-E"]);
});
