/**
 * Start-up recovery: adopt the last belief, then take the truth from the venue.
 *
 *  1. Every non-idle slot image of the last belief (`belief.ts`: the Zinc state region, else the
 *     Hazelcast slot rows) is restored into the fresh kernel (a validated direct slot write,
 *     journaled). The report names the belief's source.
 *  2. With `reconcile_on_restart`, each restored working/open slot is marked stale (RESTART),
 *     the venue is asked for its position on the slot's asset and side and for the slot's working
 *     order by client id, and the kernel reconciles the slot to that truth. Without it, the belief
 *     stands as restored; its working orders are still queried (read-only) so the venue adapter
 *     can route their later events.
 *  3. Capital is seeded from the venue balance, plus what the wallet already paid or received
 *     for restored trades that will settle later (their fees and realized PnL so far), so each
 *     trade still reaches the account exactly once.
 *
 * Invariant: one venue position is shared by every slot on the same asset and side (hedge mode
 * aggregates); it is handed out to those slots in slot order, each taking at most its belief.
 * Entry point: `recover(...)`, returning a report of what changed.
 */

import type { ReconcileTruth } from "../contracts/intents.ts";
import type { SlotRecord } from "../contracts/records.ts";
import type { VenueAdapter, VenueOrderState } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import type { Belief, BeliefSource } from "./belief.ts";
import type { Executor } from "./executor.ts";

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
  capital: number | null;
}

const WORKING = new Set(["ENTRY_WORKING", "POSITION_OPEN", "EXIT_WORKING"]);

export async function recover(
  kernel: ExecutionKernel,
  executor: Executor,
  venue: VenueAdapter,
  belief: Belief,
  reconcile: boolean,
  nowMs: () => number,
): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    belief_source: belief.source,
    restored: [],
    reconciled: [],
    refused: [],
    capital: null,
  };
  belief.images.forEach((image, i) => {
    const stage = image[4] ?? 0;
    if (stage === 0 || stage === 1) return; // never published, or IDLE: nothing to adopt
    const outcome = kernel.restoreSlot(image, nowMs());
    if (outcome.accepted) report.restored.push(i);
    else report.refused.push({ slot_id: i, message: outcome.diagnostics[0]?.message ?? "refused" });
  });
  if (reconcile) {
    const handedOut = new Map<string, number>();
    for (const slotId of report.restored) {
      const before = kernel.slot(slotId);
      if (!WORKING.has(before.stage)) continue;
      executor.applyInput({ type: "MARK_STALE", slot_id: slotId, reason: "RESTART", now_ms: nowMs() });
      const truth = await venueTruth(venue, before, handedOut);
      executor.applyInput({ type: "RECONCILE", slot_id: slotId, truth, now_ms: nowMs() });
      const after = kernel.slot(slotId);
      report.reconciled.push({
        slot_id: slotId,
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
        if (
          o &&
          (o.status === "PENDING_SUBMIT" ||
            o.status === "ACKED" ||
            o.status === "PARTIALLY_FILLED" ||
            o.status === "CANCEL_REQUESTED")
        ) {
          await venue.queryOrder(s.asset, o.client_order_id).catch(() => null);
        }
      }
    }
  }
  const balance = await venue.balance();
  const capital = Math.max(0, balance.balance + unsettled(kernel, report.restored));
  const seeded = executor.applyInput({ type: "SEED_CAPITAL", capital, now_ms: nowMs() });
  report.capital = seeded.accepted ? kernel.account().capital : null;
  return report;
}

/**
 * Money the venue wallet already holds for trades that have not settled in the kernel yet: the
 * fees paid and PnL realized by restored slots that are still working or open. Settlement adds
 * `realized_pnl - fees` once per trade, so seeding with the raw wallet would count them twice.
 */
function unsettled(kernel: ExecutionKernel, restored: readonly number[]): number {
  let total = 0;
  for (const slotId of restored) {
    const s = kernel.slot(slotId);
    if (WORKING.has(s.stage)) total += s.fees - s.realized_pnl;
  }
  return total;
}

async function venueTruth(
  venue: VenueAdapter,
  slot: SlotRecord,
  handedOut: Map<string, number>,
): Promise<ReconcileTruth> {
  const side = slot.side ?? "LONG";
  const key = `${slot.asset}:${side}`;
  const position = (await venue.positions(slot.asset)).find((p) => p.side === side);
  const available = Math.max(0, (position?.size ?? 0) - (handedOut.get(key) ?? 0));
  const size = Math.min(available, Math.max(slot.size, slot.entry_order?.intended_size ?? 0));
  handedOut.set(key, (handedOut.get(key) ?? 0) + size);
  const open = await workingOrder(venue, slot);
  return {
    side: size > 0 ? side : null,
    size,
    avg_price: size > 0 ? (position?.avg_price ?? slot.entry_price) : 0,
    open_order: open,
  };
}

async function workingOrder(venue: VenueAdapter, slot: SlotRecord): Promise<ReconcileTruth["open_order"]> {
  for (const order of [slot.exit_order, slot.entry_order]) {
    if (!order || order.status === "FILLED" || order.status === "CANCELLED" || order.status === "REJECTED") continue;
    const state: VenueOrderState | null = await venue.queryOrder(slot.asset, order.client_order_id);
    if (state && (state.status === "NEW" || state.status === "PARTIALLY_FILLED")) {
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
