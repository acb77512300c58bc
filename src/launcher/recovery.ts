/**
 * Start-up recovery: adopt the last belief, then take the truth from the venue.
 *
 *  1. A journal belief (`belief.ts`) is already in the kernel: its non-idle slots count as restored.
 *     Otherwise every non-idle slot image of the last belief (the Zinc state region, else the
 *     Hazelcast slot rows) is restored into the fresh kernel (a validated direct slot write,
 *     journaled), CLOSED images last: the kernel refuses a second slot on one trade id, and of an
 *     active and an ended image on one id (rows lagging one another) the ended one is stale. The
 *     report names the belief's source. Then the venue adapter is told the orders the slots name
 *     (`restoredOrders`: each slot's entry and exit, working or ended; `rememberClientIds`), so one
 *     that lands only now reaches the kernel under its client id, not BingX's lower-cased spelling.
 *  2. The working orders of the restored slots are looked up at the venue by client id (also
 *     without `reconcile_on_restart`, read-only, so the venue adapter can route their later events:
 *     BingX lower-cases client ids; `lookUpOrder`: an old order under a reused trade id, older than
 *     the kernel's order, is no answer), and so is a stale slot's entry the kernel ended short
 *     (`lateEntry`: rejected as absent or cancelled, it may have filled late — the OVERFILL that
 *     made the slot stale), and a POSITION_OPEN slot's exit the kernel ended short (`endedExit`:
 *     one taken as ended on the venue's "no such order" may have landed and filled while the process
 *     was down; the process's memory of such orders, `AbsentOrders`, is gone, the slot image is not)
 *     (`_recovery_lookups.ts`). Then the venue's positions are read once, for every symbol (one call,
 *     not one per slot), and handed to the claimant slots (trading or stale) by
 *     `allocatePositions` (a pure function with numbered invariants): confirmed sizes first, then
 *     what a working entry, or a late one, has filled at the venue (never its order size), as live
 *     reconciliation splits them, so a restart does not orphan a position of our own. Whatever no
 *     slot owns is an orphan: the report lists it and the runtime issues a CRITICAL
 *     ORPHAN_POSITION for each — also when nothing was restored, and also without
 *     `reconcile_on_restart` (then read-only: nothing is adopted).
 *  3. With `reconcile_on_restart`, a working order the venue reports ended (filled or cancelled
 *     while the process was down, its event lost) is first applied as that event, so its fills
 *     settle at their own price and fee (listed in `reconciled`), and so is an ended exit's fill
 *     beyond what the kernel booked (`replayLateExits`: decision 38 books it as the exit's, the
 *     trade closing with its CLOSE row; else an OVERFILL, the slot stale and reconciled as below;
 *     one whose lookup failed, or listed open, is remembered for live reconciliation). Then each
 *     claimant slot is marked stale (RESTART; a slot restored
 *     stale already is not marked again) and reconciled at once to its share of the position and
 *     its order still open at the venue — no venue call between the two, so a crash cannot leave a
 *     slot marked and unreconciled. A slot whose order lookup failed (not a rate limit: those are
 *     waited out), or answered something that contradicts the order (another symbol or side, a
 *     fill with nothing executed or no price: never booked), is not touched: it is listed in
 *     `refused` with the reason and left to live reconciliation, which reconciles every stale
 *     slot; the start goes on. Without
 *     `reconcile_on_restart` the belief stands.
 *  4. Capital is seeded from the venue wallet balance (a recovery re-seed when the journal's
 *     account was seeded: the peak, and so the drawdown, carries over). The kernel adds back what
 *     restored open trades already booked, so each trade still settles exactly once (settlement
 *     lives only in the kernel: kernel/README.md, SEED_CAPITAL).
 *
 * Entry point: `recover(...)`, returning a report of what changed.
 */

import { type DiagnosticRecord, type SlotRecord, STAGES } from "../contracts/records.ts";
import type { VenueAdapter, VenueOrderState } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { eventFromOrderState } from "./_order_event.ts";
import { endedAtVenue, openAtVenue, reconcileTruth } from "./_reconcile_truth.ts";
import { entryFilled, lookUpOrders, type OrderLookups, replayLateExits, restoredOrders } from "./_recovery_lookups.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";
import type { Belief, BeliefSource } from "./belief.ts";
import type { Executor } from "./executor.ts";
import { allocatePositions, isClaimant, type Orphan, slotClaim } from "./position_allocation.ts";

type Reads = Pick<VenueAdapter, "positions" | "queryOrder" | "balance">;

/** The venue's read calls recovery makes, each waiting out a rate limit (bounded, logged). */
function patientReads(venue: VenueAdapter, log: (line: string) => void): Reads {
  return {
    positions: (asset) => readWithRateLimitWaits("positions", () => venue.positions(asset), log),
    queryOrder: (asset, cid, createdAtMs) =>
      readWithRateLimitWaits(`query order ${cid}`, () => venue.queryOrder(asset, cid, createdAtMs), log),
    balance: () => readWithRateLimitWaits("balance", () => venue.balance(), log),
  };
}

export interface RecoveryReport {
  belief_source: BeliefSource;
  restored: number[];
  reconciled: Array<{
    slot_id: number;
    from: SlotRecord["stage"];
    to: SlotRecord["stage"];
    size_before: number;
    size_after: number;
  }>;
  refused: Array<{ slot_id: number; message: string }>;
  /** Venue positions (or parts of them) that no slot owns. */
  orphans: Orphan[];
  capital: number | null;
}

export interface RecoveryDeps {
  kernel: ExecutionKernel;
  executor: Executor;
  venue: VenueAdapter;
  nowMs: () => number;
  log: (line: string) => void;
}

/** A slot image's stage byte for CLOSED (1-based STAGES; 0: never published). */
const CLOSED_BYTE = STAGES.indexOf("CLOSED") + 1;

export async function recover(d: RecoveryDeps, belief: Belief, reconcile: boolean): Promise<RecoveryReport> {
  const { kernel, executor, nowMs } = d;
  const venue = patientReads(d.venue, d.log);
  const report: RecoveryReport = {
    belief_source: belief.source,
    restored: [],
    reconciled: [],
    refused: [],
    orphans: [],
    capital: null,
  };
  if (belief.source === "journal") {
    for (const s of kernel.slots()) if (s.stage !== "IDLE") report.restored.push(s.slot_id);
  }
  // Never published (0) or IDLE (1): nothing to adopt. CLOSED last: of two images on one trade id
  // (rows lagging one another) the kernel refuses the second, and that must be the ended one.
  const ended = (i: number) => Number(belief.images[i]![4] === CLOSED_BYTE);
  const order = [...belief.images.keys()].filter((i) => (belief.images[i]![4] ?? 0) > 1);
  order.sort((a, b) => ended(a) - ended(b) || a - b);
  for (const i of order) {
    const outcome = kernel.restoreSlot(belief.images[i]!, nowMs());
    if (outcome.accepted) report.restored.push(i);
    else report.refused.push({ slot_id: i, message: outcome.diagnostics[0]?.message ?? "refused" });
  }
  report.restored.sort((a, b) => a - b);
  d.venue.rememberClientIds?.(restoredOrders(kernel.slots())); // their events under the kernel's ids (BingX)
  const lookups = await lookUpOrders(
    venue,
    report.restored.map((id) => kernel.slot(id)),
    reconcile,
    d.log,
  );
  if (reconcile) report.reconciled.push(...replayEnded(d, report.restored, lookups));
  if (reconcile) report.reconciled.push(...replayLateExits(d, report.restored, lookups)); // decision 38
  const claimants = report.restored.map((id) => kernel.slot(id)).filter(isClaimant);
  const allocation = allocatePositions(
    claimants.map((s) => slotClaim(s, entryFilled(s, lookups))),
    await venue.positions(),
  );
  report.orphans = allocation.orphans;
  if (reconcile) {
    for (const a of allocation.assignments) {
      const failed = lookups.failed.get(a.slot_id);
      if (failed !== undefined) {
        report.refused.push({ slot_id: a.slot_id, message: failed });
        continue;
      }
      const before = kernel.slot(a.slot_id);
      if (before.stage !== "STALE_STATE_RECONCILING") {
        executor.applySystem({ type: "MARK_STALE", slot_id: a.slot_id, reason: "RESTART", now_ms: nowMs() });
      }
      const open = openAtVenue(before, (o) => lookups.states.get(o.client_order_id));
      const truth = reconcileTruth(before, a, open);
      const outcome = executor.applySystem({ type: "RECONCILE", slot_id: a.slot_id, truth, now_ms: nowMs() });
      if (!outcome.accepted) d.log(`recovery: slot ${a.slot_id} not reconciled: ${outcome.diagnostics[0]?.message}`);
      const after = kernel.slot(a.slot_id);
      // One line per slot: a slot whose lost event was applied first keeps where it started from.
      const was = report.reconciled.find((r) => r.slot_id === a.slot_id);
      if (was) Object.assign(was, { to: after.stage, size_after: after.size });
      else
        report.reconciled.push({
          slot_id: a.slot_id,
          from: before.stage,
          to: after.stage,
          size_before: before.size,
          size_after: after.size,
        });
    }
    report.reconciled.sort((x, y) => x.slot_id - y.slot_id);
  }
  const balance = await venue.balance();
  const seeded = executor.applySystem({
    type: "SEED_CAPITAL",
    capital: Math.max(0, balance.balance),
    ...(kernel.account().seeded ? { recovery: true } : {}),
    now_ms: nowMs(),
  });
  report.capital = seeded.accepted ? kernel.account().capital : null;
  return report;
}

/**
 * The CRITICAL ORPHAN_POSITION for a venue position (or the part of one) that no slot owns, naming the entry of this
 * process's that made it, when one taken as ended filled late and no slot could take it (`made_by`, `_late_fills.ts`).
 */
export function orphanDiagnostic(o: Orphan, nowMs: number): DiagnosticRecord {
  const m = o.made_by;
  const made = m
    ? `; slot ${m.slot_id}'s entry ${m.client_order_id}, taken as ended, filled ${m.filled_late} late`
    : "";
  return {
    code: "ORPHAN_POSITION",
    severity: "CRITICAL",
    slot_id: null,
    message: `the venue holds ${o.size} ${o.asset} ${o.side} that no slot owns${made}; not adopted: close it at the venue or reconcile by hand`,
    details: {
      asset: o.asset,
      side: o.side,
      value: o.size,
      avg_price: o.avg_price,
      ...(m ? { made_by_slot: m.slot_id, client_order_id: m.client_order_id } : {}),
    },
    input_index: 0,
    now_ms: nowMs,
  };
}

/**
 * A trading slot's working order the venue reports ended (its event lost while the process was down) is
 * applied as that event before any RECONCILE: its fills settle at their own price and fee (a RECONCILE
 * would end it CANCELLED with only the fills the kernel had). The slots the kernel changed.
 */
function replayEnded(d: RecoveryDeps, slotIds: readonly number[], lookups: OrderLookups): RecoveryReport["reconciled"] {
  const looked = [...lookups.states.values()].filter((s): s is VenueOrderState => s !== null);
  const out: RecoveryReport["reconciled"] = [];
  for (const id of slotIds) {
    const before = d.kernel.slot(id);
    const ended = lookups.failed.has(id) ? null : endedAtVenue(before, [], looked);
    if (ended === null) continue;
    d.executor.onVenueEvent(eventFromOrderState(ended.state));
    const after = d.kernel.slot(id);
    if (after.version === before.version) continue;
    d.log(`recovery: slot ${id}: ${ended.order.client_order_id} ${ended.state.status} at the venue, applied`);
    out.push({ slot_id: id, from: before.stage, to: after.stage, size_before: before.size, size_after: after.size });
  }
  return out;
}
