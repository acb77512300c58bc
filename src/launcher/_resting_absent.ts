/**
 * Live reconciliation's side of the orders this process took as ended on the venue's "no such order"
 * (`_absent_orders.ts`) that land at the venue late and rest there while the stream tells nothing (their ACK lost):
 * `cancelIfLanded` never hears of them, so they would keep resting unseen, reserving the position (a resting
 * closing order makes the venue refuse a whole-position exit: 101400 at BingX) and filling behind the kernel's
 * back. Each pass reads the venue's open orders; one of those is cancelled at the venue here, since this process
 * placed it and no operator did (an open order no slot owns stays `_orphan_orders.ts`'s, never cancelled).
 *
 * - `restingVerdict(order, facts)` (pure): what a pass does about a remembered order the venue lists open:
 *   WORKED_AGAIN, its slot works it again (a RECONCILE kept it): its own, let go; RECONCILING, its slot is stale
 *   and still holds it working (taken as ended unseen, ABSENT_STALE, its RECONCILE not made yet; the pass's list
 *   may predate that answer): nothing sent, that RECONCILE decides (it keeps the order the venue lists open);
 *   OUT, a placement, cancel or query of it is running; REQUESTED, the venue took its cancel (not sent again) and
 *   fewer than OPEN_AFTER_CANCEL_PASSES later passes found it still open; CANCEL, send one now; NEXT_PASS, this
 *   pass's CANCELS_PER_PASS are spent; GIVEN_UP, CANCELS_MAX cancels of it were sent in vain.
 * - `RestingAbsent.follow(open, ownedBefore, d)`: one pass's open orders: the cancels sent (each logged as
 *   `cancelIfLanded`'s are, `slot N: <cid>, taken as absent, open at the venue (live reconciliation): cancelling it
 *   there`), then the ORPHAN_ORDER watch, where one being cancelled is owned (never an anonymous WARNING) and one
 *   GIVEN_UP is reported naming the slot and role that made it. Resolves once the cancels sent are answered.
 *
 * A venue order is a remembered one only under exactly its client id (the adapter spells an order it knows the
 * kernel's way, another order holding the lower-cased id the venue's way: `kernelIdOf`), on its asset and side,
 * and under its venue order id when both are known: the BingX adapter spells any venue order holding the
 * lower-cased id of an order it forgot as absent the kernel's way, so only that id tells another one apart.
 *
 * Invariants: no kernel state is decided here (the cancel goes to the venue; the kernel hears of it through the
 * normal event path, an order it ended already); no cancel starts once shutdown began (`stopped`); bounded: at most
 * CANCELS_PER_PASS sends a pass, CANCELS_MAX per order (either path), never two of one order at once.
 *
 * Entry points: `new RestingAbsent()`, `follow`, `restingVerdict`, `CANCELS_MAX`, `CANCELS_PER_PASS`,
 * `OPEN_AFTER_CANCEL_PASSES`.
 */

import { stageWorkingOrder } from "../contracts/order_status.ts";
import type { SlotRecord } from "../contracts/records.ts";
import type { VenueOrderState } from "../contracts/venue.ts";
import { type AbsentOrder, type AbsentOrders, isAnotherOrder } from "./_absent_orders.ts";
import { type OrderMaker, type OrphanOrderDeps, OrphanOrders, slotOrderIds } from "./_orphan_orders.ts";
import { venueOrdersOf } from "./_reconcile_truth.ts";

/** Cancels of one remembered order sent (by either path) before live reconciliation gives up and reports it. */
export const CANCELS_MAX = 4;
/** Cancels live reconciliation sends in one pass (the rest wait for the next). */
export const CANCELS_PER_PASS = 8;
/** Passes that may still list an order open after the venue took its cancel (its lists may lag) before it is resent. */
export const OPEN_AFTER_CANCEL_PASSES = 2;

export type RestingVerdict = "WORKED_AGAIN" | "RECONCILING" | "OUT" | "REQUESTED" | "CANCEL" | "NEXT_PASS" | "GIVEN_UP";

/** What a pass does about remembered order `o`, listed open at the venue (see the module comment). */
export function restingVerdict(
  o: Pick<AbsentOrder, "cancel_running" | "cancel_requested" | "cancels" | "open_after_cancel">,
  f: { worksIt: boolean; reconciling?: boolean; callRunning: boolean; budget: number },
): RestingVerdict {
  if (f.worksIt) return "WORKED_AGAIN";
  if (f.reconciling === true) return "RECONCILING";
  if (f.callRunning || o.cancel_running) return "OUT";
  if (o.cancel_requested && o.open_after_cancel < OPEN_AFTER_CANCEL_PASSES) return "REQUESTED";
  if (o.cancels >= CANCELS_MAX) return "GIVEN_UP";
  return f.budget > 0 ? "CANCEL" : "NEXT_PASS";
}

/** What `follow` needs of live reconciliation. */
export interface RestingAbsentDeps extends OrphanOrderDeps {
  kernel: { slot(slotId: number): SlotRecord; slots(): SlotRecord[] };
  executor: OrphanOrderDeps["executor"] & { absent: AbsentOrders };
  /** Shutdown began: no cancel is sent any more. */
  stopped(): boolean;
}

export class RestingAbsent {
  private readonly orphans = new OrphanOrders();

  /**
   * One pass's open orders (`ownedBefore`: the slots' order ids before its reads; theirs now are added): cancels this
   * process's resting ones, follows the rest as ORPHAN_ORDER.
   */
  follow(open: readonly VenueOrderState[], ownedBefore: readonly string[], d: RestingAbsentDeps): Promise<void> {
    const absent = d.executor.absent;
    const sends: Promise<void>[] = [];
    const cancelling: string[] = [];
    const givenUp = new Map<VenueOrderState, OrderMaker>();
    for (const state of open) {
      const o = absent.find(state.client_order_id);
      if (
        o === undefined ||
        o.asset !== state.asset ||
        o.order_side !== state.side ||
        isAnotherOrder(o, state.venue_order_id)
      )
        continue;
      const cid = o.client_order_id;
      const slot = d.kernel.slot(o.slot_id);
      const worksIt = stageWorkingOrder(slot)?.client_order_id === cid;
      const stale = slot.stage === "STALE_STATE_RECONCILING";
      const reconciling = stale && venueOrdersOf(slot).some((x) => x.client_order_id === cid);
      const budget = d.stopped() ? 0 : CANCELS_PER_PASS - sends.length;
      const verdict = restingVerdict(o, { worksIt, reconciling, callRunning: d.executor.callRunning(cid), budget });
      if (verdict === "WORKED_AGAIN") {
        absent.forget(cid); // its events are its slot's again
        continue;
      }
      if (verdict === "RECONCILING") continue; // the slot's RECONCILE decides; its order ids make it owned
      if (verdict === "GIVEN_UP") {
        givenUp.set(state, { slot_id: o.slot_id, role: o.role, cancels: o.cancels });
        continue;
      }
      cancelling.push(cid); // being cancelled: no anonymous ORPHAN_ORDER
      if (verdict === "REQUESTED") o.open_after_cancel++;
      if (verdict === "CANCEL") sends.push(absent.cancelResting(o));
    }
    const owned = [...ownedBefore, ...slotOrderIds(d.kernel.slots()), ...cancelling];
    this.orphans.follow(open, owned, d, (s) => givenUp.get(s) ?? null);
    return Promise.all(sends).then(() => undefined);
  }
}
