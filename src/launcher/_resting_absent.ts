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
 *   OUT, a placement, cancel or query of it is running; NOT_IT, the adapter spells the listed order the venue's way
 *   and the lookups by its client id are spent (here or by the late-fill path, `_late_fills.ts`: both look it up
 *   through `AbsentOrders.lookUp`), the last to answer having answered about another order under the id ("no such
 *   order" is no such answer): a cancel by that id would cancel that one; REQUESTED, the venue took its
 *   cancel (not sent again) and fewer than OPEN_AFTER_CANCEL_PASSES later passes found it still open; CANCEL, send
 *   one now; NEXT_PASS, this pass's CANCELS_PER_PASS are spent; GIVEN_UP, CANCELS_MAX cancels of it were sent in vain.
 * - `RestingAbsent.follow(open, ownedBefore, d)`: one pass's open orders: the cancels sent (each logged as
 *   `cancelIfLanded`'s are, `slot N: <cid>, taken as absent, open at the venue (live reconciliation): cancelling it
 *   there`), then the ORPHAN_ORDER watch, where one being cancelled is owned (never an anonymous WARNING), one
 *   GIVEN_UP is reported naming the slot and role that made it, and one NOT_IT naming the slot and role whose client
 *   id it holds: an operator's order or another process's, which only they may cancel (let go, it would be owned by
 *   that id, never heard of, and derived again at each pass). Resolves once the cancels sent are answered.
 *
 * A venue order is a remembered one only under exactly its client id (the adapter spells an order it knows the
 * kernel's way, another order holding the lower-cased id the venue's way: `kernelIdOf`), on its asset and side,
 * and under its venue order id when both are known: the BingX adapter spells a venue order holding the lower-cased
 * id of an order it forgot as absent unaware of its venue order id (its placement answer lost) the kernel's way, so
 * only that id tells another one apart.
 *
 * That memory is the process's: a restart loses it, while the kernel's slot still holds such an order as its finished
 * entry or exit, so its client id makes the venue's open order the slot's own (never an ORPHAN_ORDER) and nothing
 * would cancel it. So an open order no remembered one matches is also derived from the kernel's state
 * (`endedOrderListed`): a slot's entry or exit the kernel ended CANCELLED or REJECTED (see there for the matching),
 * not within ENDED_LIST_LAG_MS of the kernel ending it before the pass's reads (`readAtMs`: right after the kernel
 * asked a cancel and heard its CANCEL_ACK, the venue's list may still show the order), never a stale slot's. It is
 * remembered from then on (`AbsentOrders.add(…, fromKernel)`, logged `… ended REJECTED by the kernel, …`) and judged
 * as any remembered order; one the adapter lists under the venue's spelling (it does not know it: its bounded memory
 * of the slots' orders recovery told it, `rememberClientIds`, let it go) is looked up by the kernel's client id before
 * its cancel (`lookUpThenCancel`, LOOKUPS_MAX times at most): the adapter learns its spelling, so the cancel's events
 * reach the kernel as that finished order's (not an UNKNOWN_ORDER), one the lookup finds ended (the list lagged) is
 * not cancelled, and one a lookup (this one or the late-fill path's, which may spend them first) finds another order
 * under its id (`answered_another`) is not cancelled by the id once its lookups are spent (NOT_IT); a lookup that
 * failed, or answered "no such order" (the venue's query may lag its list), is no answer: once they are spent,
 * cancelled as before.
 *
 * The slot image holds only its trade's current exit leg, so an earlier leg taken as ended that lands and rests after
 * the restart would be an anonymous ORPHAN_ORDER, filling behind the kernel's back. Its client id proves it the slot's
 * (`earlierLegListed`: `<trade_id>-X<k>`, k below the current leg's, closing the slot's position; see there): it is
 * remembered (`AbsentOrders.addEarlierLeg`, logged `… an earlier exit leg the kernel ended before <trade_id>-X<n>, …`)
 * and judged alike; owned, nothing sent, while the current leg is younger than ENDED_LIST_LAG_MS (`listLag`).
 *
 * Invariants: no kernel state is decided here (the cancel goes to the venue; the kernel hears of it through the
 * normal event path, an order it ended already); no cancel starts once shutdown began (`stopped`); bounded: at most
 * CANCELS_PER_PASS sends (a lookup before a cancel counting as one) a pass, CANCELS_MAX per order (either path),
 * never two of one order at once.
 *
 * Entry points: `new RestingAbsent()`, `follow`, `restingVerdict`, `endedOrderListed`, `earlierLegListed`,
 * `CANCELS_MAX`, `CANCELS_PER_PASS`, `OPEN_AFTER_CANCEL_PASSES`, `ENDED_LIST_LAG_MS`.
 */

import { isOpenAtVenue, stageWorkingOrder } from "../contracts/order_status.ts";
import type { OrderRecord, SlotRecord } from "../contracts/records.ts";
import type { VenueAdapter, VenueOrderState } from "../contracts/venue.ts";
import {
  type AbsentOrder,
  type AbsentOrders,
  isAnotherOrder,
  LOOKUPS_MAX,
  type RememberedOrder,
} from "./_absent_orders.ts";
import { type OrderMaker, type OrphanOrderDeps, OrphanOrders, slotOrderIds } from "./_orphan_orders.ts";
import { ordersUnderId, sameSize, venueOrdersOf } from "./_reconcile_truth.ts";

/** Cancels of one remembered order sent (by either path) before live reconciliation gives up and reports it. */
export const CANCELS_MAX = 4;
/** Cancels live reconciliation sends in one pass (the rest wait for the next). */
export const CANCELS_PER_PASS = 8;
/** Passes that may still list an order open after the venue took its cancel (its lists may lag) before it is resent. */
export const OPEN_AFTER_CANCEL_PASSES = 2;
/** How long after the kernel ended an order the venue's open orders may still list it (their lag): not judged yet. */
export const ENDED_LIST_LAG_MS = 5_000;
/** An open order the venue created this long before the kernel created the slot's (clock error) is another one. */
const CREATED_MARGIN_MS = 5_000;
/** An exit leg's number as the kernel spells it in a client id: 1 to 65 535, no leading zero (kernel/src/slot.rs). */
const LEG_RE = /^[1-9][0-9]{0,4}$/;

export type RestingVerdict =
  | "WORKED_AGAIN"
  | "RECONCILING"
  | "OUT"
  | "NOT_IT"
  | "REQUESTED"
  | "CANCEL"
  | "NEXT_PASS"
  | "GIVEN_UP";

/** What a pass does about remembered order `o`, listed open at the venue (see the module comment). */
export function restingVerdict(
  o: Pick<AbsentOrder, "cancel_running" | "cancel_requested" | "cancels" | "open_after_cancel">,
  f: { worksIt: boolean; reconciling?: boolean; callRunning: boolean; budget: number; notIt?: boolean },
): RestingVerdict {
  if (f.worksIt) return "WORKED_AGAIN";
  if (f.reconciling === true) return "RECONCILING";
  if (f.callRunning || o.cancel_running) return "OUT";
  if (f.notIt === true) return "NOT_IT";
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
  /** When the pass's reads began (clock ms): an order the kernel ended since, or just before, may still be listed. */
  readAtMs: number;
  /** An order the adapter does not know is looked up before its cancel (`lookUpThenCancel`). */
  venue: Pick<VenueAdapter, "queryOrder">;
}

/**
 * The slot's entry or exit order that open venue order `state` is, when the kernel ended it CANCELLED or REJECTED (not
 * working, not FILLED), read from the kernel's state (`AbsentOrders` is empty after a restart): under its client id in
 * any case (the BingX adapter spells an order it does not know the venue's way: lower-cased), on the slot's asset, of
 * the order's side and size, under its venue order id when both are known, the only order of the slots under that id
 * in any case (BingX holds two ids that differ only in case as one, e.g. a slot's entry refused as CLIENT_ID_CASE
 * beside another slot's working one: the venue's order may be either, and a cancel by this id would cancel the other
 * slot's), not created at the venue more than CREATED_MARGIN_MS before the kernel created it (an old order under a
 * reused trade id), its slot not stale (its RECONCILE decides), and ended at least ENDED_LIST_LAG_MS before `readAtMs`
 * (the venue's list may lag the end of a cancel the kernel asked). Null when none.
 */
export function endedOrderListed(
  state: VenueOrderState,
  slots: readonly SlotRecord[],
  readAtMs: number,
): { slot: SlotRecord; order: OrderRecord } | null {
  const cid = state.client_order_id.toLowerCase();
  // Two ids differing only in case are one at BingX (CLIENT_ID_CASE): the venue's order may be either.
  if (ordersUnderId(slots, cid) !== 1) return null;
  for (const slot of slots) {
    if (slot.stage === "STALE_STATE_RECONCILING" || slot.asset !== state.asset) continue;
    for (const order of [slot.entry_order, slot.exit_order]) {
      if (order === null || order.client_order_id.toLowerCase() !== cid) continue;
      if (order.status !== "CANCELLED" && order.status !== "REJECTED") continue;
      const ids = [order.venue_order_id, state.venue_order_id];
      if (order.side !== state.side || !sameSize(order.intended_size, state.size)) continue;
      if (!ids.includes("") && ids[0] !== ids[1]) continue; // another venue order holding its id
      if (state.created_ms !== undefined && state.created_ms < order.created_at_ms - CREATED_MARGIN_MS) continue;
      if (Math.abs(readAtMs - order.last_update_ms) < ENDED_LIST_LAG_MS) continue; // the list may lag its end
      return { slot, order };
    }
  }
  return null;
}

/**
 * The earlier exit leg of a slot's trade that open venue order `state` is (the image holds only the current exit, leg
 * N; the kernel makes a leg only once the one before ended, so a leg below N is one it ended): under `<trade_id>-X<k>`
 * in any case, k below N, the only slot whose trade id it is in any case and no slot's order under it (BingX holds ids
 * differing only in case as one), on its asset, of the exit's side, closing its position (`position_side`), the slot
 * not stale and holding its trade's entry, created at the venue within CREATED_MARGIN_MS of that entry and of leg N
 * (before: an old order under a reused trade id; after: another order; unknown: not judged). Its size, venue order id
 * and booked fill are in the kernel's finished-order ring only: any size, the venue's id, nothing booked. The leg in
 * the kernel's spelling, created when the entry was (a lookup's bound), or null; `listLag`: leg N is younger than
 * ENDED_LIST_LAG_MS at `readAtMs` (the list may lag the end of the leg before): not judged yet, nor an orphan.
 */
export function earlierLegListed(
  state: VenueOrderState,
  slots: readonly SlotRecord[],
  readAtMs: number,
): { slot: SlotRecord; leg: RememberedOrder; endedBefore: string; listLag: boolean } | null {
  const cid = state.client_order_id.toLowerCase();
  const cut = cid.lastIndexOf("-x");
  if (cut < 0 || !LEG_RE.test(cid.slice(cut + 2))) return null;
  const trade = slots.filter((s) => s.trade_id.toLowerCase() === cid.slice(0, cut));
  if (trade.length !== 1 || ordersUnderId(slots, cid) !== 0) return null;
  const slot = trade[0] as SlotRecord;
  const { entry_order: entry, exit_order: exit } = slot;
  if (slot.stage === "STALE_STATE_RECONCILING" || slot.asset !== state.asset || entry === null || exit === null)
    return null;
  const k = Number(cid.slice(cut + 2));
  if (k >= exit.leg || state.side !== exit.side || state.position_side !== slot.side) return null;
  const at = state.created_ms;
  if (at !== undefined && (at < entry.created_at_ms - CREATED_MARGIN_MS || at > exit.created_at_ms + CREATED_MARGIN_MS))
    return null;
  const kernelId = `${slot.trade_id}-X${k}`;
  const leg = { client_order_id: kernelId, role: "EXIT" as const, side: exit.side, filled_size: 0 };
  return {
    slot,
    leg: { ...leg, venue_order_id: state.venue_order_id, created_at_ms: entry.created_at_ms },
    endedBefore: exit.client_order_id,
    listLag: Math.abs(readAtMs - exit.created_at_ms) < ENDED_LIST_LAG_MS,
  };
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
    const cancelling: string[] = []; // owned this pass: being cancelled, or an earlier leg not judged yet
    const givenUp = new Map<VenueOrderState, OrderMaker>();
    for (const state of open) {
      const o = absent.find(state.client_order_id) ?? rememberEnded(state, d, cancelling);
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
      const venueSpelling = state.client_order_id !== cid; // the adapter does not know it
      // Its lookups spent, the last answer "another order under the id": a cancel by the id would hit that one.
      const notIt = venueSpelling && o.lookups >= LOOKUPS_MAX && o.answered_another === true;
      const callRunning = d.executor.callRunning(cid);
      const verdict = restingVerdict(o, { worksIt, reconciling, callRunning, budget, notIt });
      if (verdict === "WORKED_AGAIN") {
        absent.forget(cid); // its events are its slot's again
        continue;
      }
      if (verdict === "RECONCILING") continue; // the slot's RECONCILE decides; its order ids make it owned
      if (verdict === "GIVEN_UP" || verdict === "NOT_IT") {
        const another = verdict === "NOT_IT" ? { another: true as const } : {};
        givenUp.set(state, { slot_id: o.slot_id, role: o.role, cancels: o.cancels, ...another });
        continue;
      }
      cancelling.push(cid); // being cancelled: no anonymous ORPHAN_ORDER
      if (verdict === "REQUESTED") o.open_after_cancel++;
      if (verdict !== "CANCEL") continue;
      const unknown = venueSpelling && o.lookups < LOOKUPS_MAX;
      sends.push(unknown ? lookUpThenCancel(o, d) : absent.cancelResting(o));
    }
    const owned = [...ownedBefore, ...slotOrderIds(d.kernel.slots()), ...cancelling];
    this.orphans.follow(open, owned, d, (s) => givenUp.get(s) ?? null);
    return Promise.all(sends).then(() => undefined);
  }
}

/**
 * The slot's order the kernel ended that `state` is (`endedOrderListed`), or the earlier exit leg of a slot's trade
 * (`earlierLegListed`), remembered from now on, or undefined (an earlier leg not judged yet goes to `owned`).
 */
function rememberEnded(state: VenueOrderState, d: RestingAbsentDeps, owned: string[]): AbsentOrder | undefined {
  const slots = d.kernel.slots();
  const ended = endedOrderListed(state, slots, d.readAtMs);
  const earlier = ended === null ? earlierLegListed(state, slots, d.readAtMs) : null;
  if (earlier?.listLag === true) return void owned.push(state.client_order_id);
  const cid = (ended?.order ?? earlier?.leg)?.client_order_id;
  const absent = d.executor.absent;
  if (cid === undefined) return undefined;
  if (ended !== null && absent.find(cid) === undefined) absent.add(ended.slot, ended.order, true);
  if (earlier !== null && absent.find(cid) === undefined)
    absent.addEarlierLeg(earlier.slot, earlier.leg, earlier.endedBefore);
  return absent.find(cid);
}

/**
 * Order `o`, which the adapter lists under the venue's spelling of its client id (it does not know it: a restart), is
 * looked up by the kernel's first: that teaches the adapter the kernel's spelling, so the cancel's events reach the
 * kernel as the slot's finished order (not an UNKNOWN_ORDER), and confirms it open (the list may lag). Then cancelled;
 * one the venue reports ended with nothing filled beyond what the kernel booked is let go. The lookup is
 * `AbsentOrders.lookUp`, the late-fill path's too: an answer about another order under the id marks it
 * (`answered_another`), one finding it open clears that; "no such order" and a failure do neither.
 */
async function lookUpThenCancel(o: AbsentOrder, d: RestingAbsentDeps): Promise<void> {
  const absent = d.executor.absent;
  const state = await absent.lookUp(o, () => d.venue.queryOrder(o.asset, o.client_order_id, o.created_at_ms), d.log);
  if (d.stopped() || !state || o.cancel_running) return;
  if (isOpenAtVenue(state.status)) return absent.cancelResting(o);
  if (sameSize(state.filled_size_cumulative, o.filled_size)) absent.forget(o.client_order_id); // ended, nothing late
}
