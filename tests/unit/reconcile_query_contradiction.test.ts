/**
 * The lookups of live reconciliation and of start-up recovery, when the venue's answer contradicts
 * the order looked up (the other side, another symbol): that answer is no fact about the order and
 * is never booked as its lost event. Live reconciliation takes the slot to the venue's positions
 * instead (VENUE_MISMATCH, RECONCILE); recovery leaves the slot, untouched, to live reconciliation,
 * as it does a failed lookup (fast tier: real kernel and executor over the mock venue).
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord, TransitionRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { executorOver, fills, mockVenue, restartFrom, slotImages } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

const contradictions: Array<[string, Partial<VenueOrderState>]> = [
  ["the other side", { side: "SELL" }],
  ["another symbol", { asset: "ETH-USDT" }],
];

/** A resting limit entry on slot 0 (ACKED), and a venue view that no longer lists it open and answers `answer` about it. */
async function restingEntry(answer: Partial<VenueOrderState>) {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(3, clock);
  const { kernel, executor, settle } = executorOver(mock, clock, kernels);
  executor.submitStrategy({ ...btcEntry("L0"), price: 60_000 });
  await settle();
  expect(kernel.slot(0).entry_order?.status).toBe("ACKED");
  const filled = (cid: string): VenueOrderState => ({
    venue_order_id: kernel.slot(0).entry_order!.venue_order_id,
    client_order_id: cid,
    asset: "BTC-USDT",
    side: "BUY",
    position_side: "LONG",
    type: "LIMIT",
    status: "FILLED",
    size: 0.01,
    filled_size_cumulative: 0.01,
    avg_price: 60_000,
    fee_cumulative: 0.12,
    updated_ms: T0,
    ...answer,
  });
  const venue: VenueAdapter = Object.create(mock, {
    openOrders: { value: async () => [] },
    queryOrder: { value: async (_asset: string, cid: string) => filled(cid) },
  });
  return { clock, mock, venue, kernel, executor };
}

describe("live reconciliation's lookup answered with a contradiction", () => {
  for (const [what, answer] of contradictions) {
    test(`${what}: no fill booked; the slot takes the venue's positions (flat)`, async () => {
      const w = await restingEntry(answer);
      const transitions: TransitionRecord[] = [];
      const executor = new Executor(w.kernel, w.venue, w.clock, {
        afterApply: (_i, o) => transitions.push(...o.transitions),
      });
      const diags: DiagnosticRecord[] = [];
      const reconciler = testReconciler({ kernel: w.kernel, executor, venue: w.venue, clock: w.clock }, diags);
      expect(await reconciler.pass()).toEqual([0]);
      expect(fills(transitions)).toEqual([]);
      expect(w.kernel.slot(0)).toMatchObject({ stage: "IDLE", size: 0 });
      expect(w.kernel.slot(0).entry_order?.filled_size).toBe(0);
      expect(diags.map((d) => d.code)).toContain("VENUE_MISMATCH");
    });
  }
});

describe("recovery's lookup answered with a contradiction", () => {
  for (const [what, answer] of contradictions) {
    test(`${what}: no fill booked; the slot is left, untouched, to live reconciliation`, async () => {
      const w = await restingEntry(answer);
      const {
        kernel: second,
        transitions,
        report,
      } = await restartFrom(slotImages(w.kernel), w.venue, w.clock, kernels);
      expect(fills(transitions)).toEqual([]);
      expect(second.slot(0).entry_order?.filled_size).toBe(0);
      expect(report.refused.map((r) => r.slot_id)).toEqual([0]);
      expect(report.refused[0]?.message).toMatch(/contradicts/);
      expect(second.slot(0).stage).toBe("ENTRY_WORKING");
    });
  }
});
