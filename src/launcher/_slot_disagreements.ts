/**
 * Live reconciliation's judge (moved out of live_reconcile.ts, unchanged): which slots the venue's view contradicts.
 *
 * `slotDisagreements(slots, shares, open, callRunning)`: every slot in STALE_STATE_RECONCILING (marked already: only
 * the venue's truth clears it), and each trading slot whose working order the venue no longer lists open, or whose
 * share of the venue's positions (`shares`, the restart split) is not what its stage allows: POSITION_OPEN holds its
 * size exactly, ENTRY_WORKING at least its size (entry fills only add), EXIT_WORKING at most its size (exit fills only
 * remove). `inFlight`: a slot whose order is in flight (PENDING_SUBMIT, CANCEL_REQUESTED) is not judged while its
 * answer may come, unless the kernel marked it hung (DITA_V2_HUNG_ORDER_MS) with no placement, cancel or hung-order
 * query of it running (`callRunning`): then the venue settles it.
 *
 * Invariants: pure (no I/O, no kernel call); sizes compared in whole 1e-8 units (`sameSize`).
 *
 * Entry point: `slotDisagreements`.
 */

import { isTradingStage, stageWorkingOrder } from "../contracts/order_status.ts";
import type { SlotRecord } from "../contracts/records.ts";
import type { VenueOrderState } from "../contracts/venue.ts";
import { orderIn, sameSize } from "./_reconcile_truth.ts";
import type { Assignment } from "./position_allocation.ts";

/** Slots whose belief the venue contradicts, and every stale slot (slots with an order in flight are not judged). */
export function slotDisagreements(
  slots: readonly SlotRecord[],
  shares: ReadonlyMap<number, Assignment>,
  open: readonly VenueOrderState[],
  callRunning: (cid: string) => boolean,
): number[] {
  const out: number[] = [];
  for (const s of slots) {
    if (s.stage === "STALE_STATE_RECONCILING") {
      out.push(s.slot_id); // marked already: only the venue's truth clears it
      continue;
    }
    if (!isTradingStage(s.stage) || inFlight(s, callRunning)) continue;
    const share = shares.get(s.slot_id)?.size ?? 0;
    const order = stageWorkingOrder(s);
    const orderGone = order !== null && orderIn(open, s.asset, order.client_order_id) === null;
    const held =
      s.stage === "POSITION_OPEN"
        ? !sameSize(share, s.size)
        : s.stage === "ENTRY_WORKING"
          ? share < s.size && !sameSize(share, s.size) // entry fills only add
          : share > s.size && !sameSize(share, s.size); // exit fills only remove
    if (orderGone || held) out.push(s.slot_id);
  }
  return out;
}

/** The slot's order is in flight and its answer may still come (not hung, or a call of it running). */
function inFlight(s: SlotRecord, callRunning: (cid: string) => boolean): boolean {
  const o = stageWorkingOrder(s);
  if (o === null || (o.status !== "PENDING_SUBMIT" && o.status !== "CANCEL_REQUESTED")) return false;
  return !o.hung || callRunning(o.client_order_id);
}
