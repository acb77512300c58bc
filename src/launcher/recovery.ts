/**
 * Start-up recovery: adopt the last belief, then take the truth from the venue.
 *
 *  1. A journal belief (`belief.ts`) is already in the kernel: its non-idle slots count as restored.
 *     Otherwise every non-idle slot image of the last belief (the Zinc state region, else the
 *     Hazelcast slot rows) is restored into the fresh kernel (a validated direct slot write,
 *     journaled). The report names the belief's source.
 *  2. The venue's positions are read once, for every symbol (one call, not one per slot), and
 *     handed to the restored slots by `allocatePositions` (a pure function with numbered
 *     invariants). Whatever no slot owns is an orphan: the report lists it and the runtime issues
 *     a CRITICAL ORPHAN_POSITION for each — also when nothing was restored, and also without
 *     `reconcile_on_restart` (then read-only: nothing is adopted).
 *  3. With `reconcile_on_restart`, each restored trading slot is marked stale (RESTART), its
 *     working order is looked up by client id, and the kernel reconciles the slot to its share of
 *     the position and that order. Without it the belief stands; working orders are still
 *     queried (read-only) so the venue adapter can route their later events.
 *  4. Capital is seeded from the venue wallet balance (a recovery re-seed when the journal's
 *     account was seeded: the peak, and so the drawdown, carries over). The kernel adds back what
 *     restored open trades already booked, so each trade still settles exactly once (settlement
 *     lives only in the kernel: kernel/README.md, SEED_CAPITAL).
 *
 * Entry point: `recover(...)`, returning a report of what changed.
 */

import type { ReconcileTruth } from "../contracts/intents.ts";
import { isOpenAtVenue, isTradingStage, isWorkingOrder } from "../contracts/order_status.ts";
import type { DiagnosticRecord, SlotRecord } from "../contracts/records.ts";
import type { VenueAdapter } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";
import type { Belief, BeliefSource } from "./belief.ts";
import type { Executor } from "./executor.ts";
import { type Assignment, allocatePositions, type Orphan, slotClaim } from "./position_allocation.ts";

type Reads = Pick<VenueAdapter, "positions" | "queryOrder" | "balance">;

/** The venue's read calls recovery makes, each waiting out a rate limit (bounded, logged). */
function patientReads(venue: VenueAdapter, log: (line: string) => void): Reads {
  return {
    positions: (asset) => readWithRateLimitWaits("positions", () => venue.positions(asset), log),
    queryOrder: (asset, cid) => readWithRateLimitWaits(`query order ${cid}`, () => venue.queryOrder(asset, cid), log),
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
  belief.images.forEach((image, i) => {
    const stage = image[4] ?? 0;
    if (stage === 0 || stage === 1) return; // never published, or IDLE: nothing to adopt
    const outcome = kernel.restoreSlot(image, nowMs());
    if (outcome.accepted) report.restored.push(i);
    else report.refused.push({ slot_id: i, message: outcome.diagnostics[0]?.message ?? "refused" });
  });
  const trading = report.restored.filter((id) => isTradingStage(kernel.slot(id).stage));
  const allocation = allocatePositions(
    trading.map((id) => slotClaim(kernel.slot(id))),
    await venue.positions(),
  );
  report.orphans = allocation.orphans;
  if (reconcile) {
    for (const a of allocation.assignments) {
      const before = kernel.slot(a.slot_id);
      executor.applySystem({ type: "MARK_STALE", slot_id: a.slot_id, reason: "RESTART", now_ms: nowMs() });
      const truth = await venueTruth(venue, before, a);
      executor.applySystem({ type: "RECONCILE", slot_id: a.slot_id, truth, now_ms: nowMs() });
      const after = kernel.slot(a.slot_id);
      report.reconciled.push({
        slot_id: a.slot_id,
        from: before.stage,
        to: after.stage,
        size_before: before.size,
        size_after: after.size,
      });
    }
  } else {
    // The belief stands as restored, but the venue must still learn which working orders this
    // process owns: a read-only query per working order lets the adapter route their later
    // events (BingX lower-cases client ids); what it says is left to the events and TICK.
    for (const slotId of report.restored) {
      const s = kernel.slot(slotId);
      for (const o of [s.entry_order, s.exit_order]) {
        if (o && isWorkingOrder(o.status)) await venue.queryOrder(s.asset, o.client_order_id).catch(() => null);
      }
    }
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

/** The CRITICAL ORPHAN_POSITION for a venue position (or the part of one) that no slot owns. */
export function orphanDiagnostic(o: Orphan, nowMs: number): DiagnosticRecord {
  return {
    code: "ORPHAN_POSITION",
    severity: "CRITICAL",
    slot_id: null,
    message: `the venue holds ${o.size} ${o.asset} ${o.side} that no slot owns; not adopted: close it at the venue or reconcile by hand`,
    details: { asset: o.asset, side: o.side, value: o.size, avg_price: o.avg_price },
    input_index: 0,
    now_ms: nowMs,
  };
}

async function venueTruth(venue: Reads, slot: SlotRecord, share: Assignment): Promise<ReconcileTruth> {
  return {
    side: share.size > 0 ? share.side : null,
    size: share.size,
    avg_price: share.size > 0 ? share.avg_price || slot.entry_price : 0,
    open_order: await workingOrder(venue, slot),
  };
}

/** The slot's working order as the venue knows it, when it is still open there. */
async function workingOrder(venue: Reads, slot: SlotRecord): Promise<ReconcileTruth["open_order"]> {
  for (const order of [slot.exit_order, slot.entry_order]) {
    if (!order || !isWorkingOrder(order.status)) continue;
    const state = await venue.queryOrder(slot.asset, order.client_order_id);
    if (state && isOpenAtVenue(state.status)) {
      return {
        role: order.role,
        venue_order_id: state.venue_order_id,
        client_order_id: order.client_order_id,
        size: state.size,
        filled_size: state.filled_size_cumulative,
        avg_price: state.avg_price,
      };
    }
  }
  return null;
}
