/** Live reconciliation in unit tests: a reconciler with its diagnostics collected and instant waits, and the late-entry scenario. */

import { type Clock, ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { eventFromOrderState } from "../../src/launcher/_order_event.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { mockVenue } from "./executor.ts";
import { freshKernel, T0 } from "./kernel.ts";
import { btcEntry } from "./runtime.ts";

export function testReconciler(
  o: { kernel: ExecutionKernel; executor: Executor; venue: VenueAdapter; clock: Clock },
  diags: DiagnosticRecord[],
  log: (line: string) => void = () => {},
): LiveReconciler {
  return new LiveReconciler({ ...o, report: (d) => diags.push(d), log, sleep: async () => {} });
}

/** A two-slot kernel (capital 10 000), its executor on `venue`, and a reconciler collecting diagnostics and log lines. */
export function reconcilerWorld(venue: VenueAdapter, clock: Clock) {
  const kernel = freshKernel({ slots: 2, capital: 10_000 });
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  const diags: DiagnosticRecord[] = [];
  const logs: string[] = [];
  const r = testReconciler({ kernel, executor, venue, clock }, diags, (l) => logs.push(l));
  return { kernel, executor, diags, logs, r };
}

/**
 * The late-entry scenario on the mock venue: a market ENTER on slot 0 (`side`, 0.01 BTC) that the
 * venue executed while the kernel heard nothing, that the hung-order query then found absent (the
 * kernel rejected it: IDLE), and whose fill reaches the kernel after all (OVERFILL): slot 0 ends
 * STALE_STATE_RECONCILING with no side, its entry REJECTED, its position real at the venue.
 */
export async function lateFilledEntry(side: "LONG" | "SHORT") {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(9, clock);
  let absent = true; // the venue's first answer about the order: never heard of it (it lands later)
  const venue: VenueAdapter = Object.create(mock, {
    queryOrder: { value: async (asset: string, cid: string) => (absent ? null : mock.queryOrder(asset, cid)) },
  });
  const kernel = freshKernel({ slots: 2, capital: 10_000 });
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  mock.setKnobs({ drop_responses: { count: 1 }, stream_drop: { after: 0 } }); // executed, nothing heard
  executor.submitStrategy({ ...btcEntry("S0"), side });
  await executor.drain(1_000);
  const pendingBeforeQuery = kernel.slot(0).entry_order?.status;
  const resolved = await executor.resolveByQuery(0);
  const afterQuery = kernel.slot(0);
  absent = false; // the order's fill reaches the kernel after all: OVERFILL, the slot goes stale
  executor.onVenueEvent(eventFromOrderState((await mock.queryOrder("BTC-USDT", "S0-E")) as VenueOrderState));
  return { clock, mock, venue, kernel, executor, pendingBeforeQuery, resolved, afterQuery };
}
