/**
 * Start-up recovery's lookup of a POSITION_OPEN slot's exit order the kernel ended short (`_recovery_lookups.ts`), in
 * the fast tier: a real kernel and executor over the mock venue whose order lookups and positions are scripted.
 *
 * The case: slot 0 holds 1 LONG at 100; its exit T0-X1 (a limit SELL of 1 at 120, acknowledged) was taken as ended on
 * the venue's "no such order" and ended by a RECONCILE (POSITION_OPEN, the exit CANCELLED, nothing filled). The
 * process that did so remembered it in memory only; the next start has only the slot image. The exit then filled at
 * the venue (the position is gone) with no event heard.
 *
 * What they state: recovery looks that exit up (one lookup) and passes the fill to the kernel as the event it lost
 * before it judges the positions, so decision 38 closes the trade (CLOSED, settled once, listed in `reconciled`) rather
 * than a RECONCILE taking the slot flat to IDLE; an exit the venue reports ended with what the kernel booked changes
 * nothing (the slot takes the venue's position as before); one whose lookup failed leaves the slot to live
 * reconciliation, with the exit remembered, so the next pass looks it up and the kernel books it; read-only (without
 * `reconcile_on_restart`) nothing is applied. Before the fix recovery never looked it up: the slot went IDLE.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter, VenueOrderState, VenuePosition } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { mockVenue } from "../_support/executor.ts";
import { event, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 10_000 });

/** The exit's venue order id (the kernel learned it from the ACK). */
const EXIT_VENUE_ID = event("ACK", "T0-X1", 0, 0).venue_order_id;

/** Slot 0 holds 1 LONG at 100, its exit T0-X1 (1 at 120) acknowledged, then ended by a RECONCILE: POSITION_OPEN. */
function exitEndedByReconcile(k: ExecutionKernel): void {
  openPosition(k, 0, 1, 100);
  const exit = { type: "EXIT", slot_id: 0, size: 1, price: 120, reason: "TP", now_ms: T0 + 20 } as const;
  expect(k.apply(exit).accepted).toBe(true);
  feed(k, event("ACK", "T0-X1", 0, 0), T0 + 21);
  expect(k.apply({ type: "MARK_STALE", slot_id: 0, reason: "DIVERGENCE", now_ms: T0 + 30 }).accepted).toBe(true);
  const truth = { side: "LONG", size: 1, avg_price: 100, open_order: null } as const;
  expect(k.apply({ type: "RECONCILE", slot_id: 0, truth, now_ms: T0 + 31 }).accepted).toBe(true);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1, exit_order: { status: "CANCELLED" } });
}

/** The venue's answer about T0-X1: `status`, `filled` of it at 120. */
const exitState = (status: VenueOrderState["status"], filled: number): VenueOrderState => ({
  venue_order_id: EXIT_VENUE_ID,
  client_order_id: "T0-X1",
  asset: "BTC-USDT",
  side: "SELL",
  position_side: "LONG",
  type: "LIMIT",
  status,
  size: 1,
  filled_size_cumulative: filled,
  avg_price: filled > 0 ? 120 : 0,
  fee_cumulative: 0,
  updated_ms: T0 + 40,
});

const held: VenuePosition = {
  asset: "BTC-USDT",
  side: "LONG",
  size: 1,
  avg_price: 100,
  unrealized_pnl: 0,
  leverage: 5,
};

/**
 * The next start: slot 0 as `exitEndedByReconcile` left it (the journal's belief), a fresh executor (nothing
 * remembered) over the mock whose lookups answer `answer` (a throw is a failed lookup) and whose positions are
 * `positions`; recovery (`reconcile`) and its report.
 */
async function nextStart(answer: () => VenueOrderState | null, positions: VenuePosition[], reconcile = true) {
  const clock = new ManualClock(T0 + 60_000);
  const mock = await mockVenue(5, clock);
  const queries: string[] = [];
  const cancels: string[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    cancel: {
      value: async (asset: string, cid: string) => {
        cancels.push(cid);
        return mock.cancel(asset, cid);
      },
    },
    queryOrder: {
      value: async (_asset: string, cid: string) => {
        queries.push(cid);
        return answer();
      },
    },
    positions: { value: async () => positions },
  });
  const k = kernel();
  exitEndedByReconcile(k);
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {}, log });
  const deps = { kernel: k, executor, venue, nowMs: () => clock.nowMs(), log };
  const report = await recover(deps, { source: "journal", images: [] }, reconcile);
  return { k, executor, venue, clock, queries, cancels, lines, report };
}

test("an ended exit the venue reports filled is looked up once and booked as the exit's before the positions are judged: CLOSED, settled once, listed in reconciled", async () => {
  const s = await nextStart(() => exitState("FILLED", 1), []);
  expect(s.queries).toEqual(["T0-X1"]);
  expect(s.k.slot(0)).toMatchObject({ stage: "CLOSED", size: 0, realized_pnl: 20, is_open: false });
  expect(s.k.account().trade_seq).toBe(1);
  expect(s.report.reconciled).toEqual([
    { slot_id: 0, from: "POSITION_OPEN", to: "CLOSED", size_before: 1, size_after: 0 },
  ]);
  expect(s.report.orphans).toEqual([]);
  expect(s.lines).toContain(
    "recovery: slot 0: exit T0-X1, ended short by the kernel (CANCELLED), filled 1 at the venue: its lost event applied",
  );
});

test("an ended exit the venue reports filled in part, still resting: the part is booked (POSITION_OPEN, 0.4 left), the slot reconciled to the venue's 0.4, the exit remembered and its rest cancelled at the venue", async () => {
  const s = await nextStart(() => exitState("PARTIALLY_FILLED", 0.6), [{ ...held, size: 0.4 }]);
  expect(s.k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.4, exit_order: { filled_size: 0.6 } });
  expect(s.report.refused).toEqual([]);
  expect(s.executor.absent.find("T0-X1")).toMatchObject({ role: "EXIT", ended_as: "CANCELLED", filled_size: 0.6 });
  await s.executor.drain(1_000);
  await Bun.sleep(5); // the mock's answer to that cancel (an event on a later turn) reaches the kernel before it goes
  expect(s.cancels).toEqual(["T0-X1"]); // its fill reported it live: the event path cancels an order the kernel ended
  expect(s.lines).toContain(
    "slot 0: T0-X1, ended CANCELLED by the kernel, landed at the venue late: cancelling it there",
  );
});

test("an exit the venue reports ended with what the kernel booked: nothing applied, the slot takes the venue's position as before, nothing remembered", async () => {
  const s = await nextStart(() => exitState("CANCELED", 0), [held]);
  expect(s.queries).toEqual(["T0-X1"]);
  expect(s.k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1, trade_id: "T0" });
  expect(s.k.account().trade_seq).toBe(0);
  expect(s.executor.absent.find("T0-X1")).toBeUndefined();
});

test("an ended exit whose lookup fails: the slot is left to live reconciliation with the exit remembered; the next pass looks it up and the kernel books its fill: CLOSED", async () => {
  let fails = true;
  const s = await nextStart(() => {
    if (fails) throw new Error("socket hang up");
    return exitState("FILLED", 1);
  }, []);
  expect(s.report.refused.map((r) => r.slot_id)).toEqual([0]);
  expect(s.k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
  expect(s.executor.absent.find("T0-X1")).toMatchObject({ role: "EXIT", slot_id: 0, ended_as: "CANCELLED" });

  fails = false;
  const diags: DiagnosticRecord[] = [];
  await testReconciler({ kernel: s.k, executor: s.executor, venue: s.venue, clock: s.clock }, diags).pass();
  expect(s.k.slot(0)).toMatchObject({ stage: "CLOSED", size: 0, realized_pnl: 20 });
  expect(diags.map((d) => d.code)).not.toContain("OVERFILL");
});

test("read-only (no reconcile_on_restart): the exit is looked up (the adapter learns it) and nothing is applied", async () => {
  const s = await nextStart(() => exitState("FILLED", 1), [], false);
  expect(s.queries).toEqual(["T0-X1"]);
  expect(s.k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
  expect(s.report.reconciled).toEqual([]);
});
