/**
 * The orders this process took as ended on the venue's "no such order" (109421; 80016 before) alone: the hung-order
 * query's answer about a PENDING_SUBMIT order (rejected: ABSENT_REJECTED) or about one the venue had acknowledged
 * (ended unseen: ABSENT_STALE, its slot then reconciled). That answer may be only the venue's lag, so such an order
 * can still land and fill. The last ABSENT_KEPT of them are remembered, each with its slot, asset, the position side
 * its fills move and what the kernel had booked of it when it was taken as ended, so that:
 *
 * - one an event reports live at the venue (ACK, PARTIAL_FILL) is cancelled there unless its slot works it again
 *   (`cancelIfLanded`; a cancel not done is sent again at the order's next event, log `… taken as absent, landed at
 *   the venue late: cancelling it there`): nothing the kernel ended keeps resting, filling into a position behind
 *   its back. At each event of it, one its slot works again (a RECONCILE found it open and kept it) is let go, and
 *   what the kernel has booked of it since is remembered (`filled_size`): only a fill beyond that is late;
 * - one live reconciliation finds open at the venue with no event of it heard (its ACK lost) is cancelled there by
 *   the pass (`find`, `cancelResting`, decided in `_resting_absent.ts`; log `… taken as absent, open at the venue
 *   (live reconciliation): cancelling it there`). Both paths share one send (`cancels` counts them): never two at
 *   once (`cancel_running`), none again once the venue took one (`cancel_requested`) unless the pass finds the order
 *   still open passes later (`open_after_cancel`);
 * - live reconciliation can find what one filled late when its stream event never came (`_late_fills.ts`): an entry
 *   is looked up while its slot is stale, or when a position no slot owns shows on its asset and side (`entriesOf`,
 *   `entriesOn`), at most LOOKUPS_MAX times (`lookedUp` counts them), and is let go (`forget`) once the venue reports
 *   it ended with nothing filled beyond what was booked, or once its slot took what it filled;
 * - every live-reconciliation lookup of one, the late-fill path's and the resting-order check's, is `lookUp`: an
 *   answer about another order under its id marks it (`answered_another`) whichever path spent its lookups, so the
 *   resting-order check never cancels by the id an order only the late-fill path found to be another's.
 *
 * This memory does not survive a restart; the kernel's slot images do. So an order is also remembered from the
 * kernel's state (`add(…, fromKernel)`: `ended_as`, logged `… ended REJECTED by the kernel, …`): a POSITION_OPEN
 * slot's exit the kernel ended short that recovery could not look up or found open (`_recovery_lookups.ts`), and an
 * open venue order a pass finds to be a slot's entry or exit the kernel ended CANCELLED or REJECTED
 * (`_resting_absent.ts`); and an open venue order a pass finds to be an earlier exit leg of a slot's trade, by its
 * client id (`addEarlierLeg`: `ended_before`, logged `… an earlier exit leg the kernel ended before <its exit>, …`).
 *
 * No I/O but the cancel the owner passes in and the query a lookup's caller passes (`lookUp`). Bounds: ABSENT_KEPT
 * orders (the oldest let go first).
 *
 * Entry points: `new AbsentOrders(cancel, log)`, `add`, `addEarlierLeg`, `forget`, `find`, `cancelIfLanded`,
 * `cancelResting`, `entriesOf`, `entriesOn`, `lookUp`, `lookedUp`, `isAnotherOrder`, `ABSENT_KEPT`, `LOOKUPS_MAX`,
 * `RememberedOrder`.
 */

import { isOpenAtVenue, stageWorkingOrder } from "../contracts/order_status.ts";
import type { OrderRecord, OrderStatus, SlotRecord } from "../contracts/records.ts";
import type { PositionSide, VenueAdapter, VenueEvent, VenueOrderState } from "../contracts/venue.ts";

/** How many of the orders last taken as absent are remembered. */
export const ABSENT_KEPT = 1024;
/** How often live reconciliation may look one up (each lookup is a venue request). */
export const LOOKUPS_MAX = 4;

/** What `add` reads of an order (an earlier exit leg derived from its client id has no full record). */
export type RememberedOrder = Pick<
  OrderRecord,
  "client_order_id" | "role" | "side" | "venue_order_id" | "created_at_ms" | "filled_size"
>;
type RememberedSlot = Pick<SlotRecord, "slot_id" | "asset" | "side">;

/** One order taken as ended on the venue's "no such order". */
export interface AbsentOrder {
  slot_id: number;
  asset: string;
  /** The position side its fills move: an entry's fills open it, an exit's close it. */
  side: PositionSide;
  role: "ENTRY" | "EXIT";
  /** The order's own side (BUY, SELL): a venue answer of the other side is not about it. */
  order_side: "BUY" | "SELL";
  client_order_id: string;
  /** Its venue order id when the venue acknowledged it ("" if never): another venue order holding its id is not it. */
  venue_order_id: string;
  /** When the kernel created it (local ms): a lookup judges the venue's answer by it (`lookUpOrder`). */
  created_at_ms: number;
  /** What the kernel had booked of it when it was taken as ended, or since (`cancelIfLanded`). */
  filled_size: number;
  /** Live reconciliation's lookups of it so far. */
  lookups: number;
  /** Its cancel at the venue was requested after it landed (the venue took it): not sent again. */
  cancel_requested?: true;
  /** A cancel of it is out (either path): no second one meanwhile. */
  cancel_running?: true;
  /** Cancels of it sent so far (either path); live reconciliation sends none past `CANCELS_MAX`. */
  cancels: number;
  /** Live reconciliation's passes that found it still open after its cancel was requested. */
  open_after_cancel: number;
  /**
   * What live reconciliation last passed to the kernel of its late fill (`_late_fills.ts`): the venue's cumulative
   * fill then, and whether the venue still had the order open (partly filled: its rest may fill later). An entry is
   * passed once; a slot's own exit again only when the venue's cumulative grew past this one.
   */
  fed?: { filled_size_cumulative: number; open: boolean };
  /**
   * How the kernel ended it, when it was remembered from the kernel's state rather than at the hung-order query's
   * answer (this process's memory is gone after a restart): recovery's ended exit (`_recovery_lookups.ts`), or an open
   * venue order a pass found to be a slot's ended one (`_resting_absent.ts`).
   */
  ended_as?: OrderStatus;
  /**
   * An earlier exit leg of its slot's trade, derived from its client id (`_resting_absent.ts`): the client id of the
   * slot's exit that followed it (the kernel ended it before making that one; how, the slot image does not say).
   */
  ended_before?: string;
  /**
   * A lookup by its client id (`lookUp`: either path's) answered about another order under that id, and none found it
   * open since: the venue's order under the id is not known to be it (a failed lookup, or "no such order", is no such
   * answer).
   */
  answered_another?: true;
}

export class AbsentOrders {
  private readonly orders = new Map<string, AbsentOrder>();

  constructor(
    private readonly cancel: VenueAdapter["cancel"],
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Remembers the slot's `order` (as asked about) as taken as ended on the venue's "no such order" (`fromKernel`: as
   * the kernel ended it, found in its state: `ended_as`).
   */
  add(slot: RememberedSlot, order: RememberedOrder & Pick<OrderRecord, "status">, fromKernel = false): void {
    this.remember(slot, order, fromKernel ? { ended_as: order.status } : {});
  }

  /**
   * Remembers `leg`, an earlier exit leg of the slot's trade the kernel ended before making its exit `endedBefore` (a
   * client id), derived from its client id after a restart (`_resting_absent.ts`): how it ended is not in the image.
   */
  addEarlierLeg(slot: RememberedSlot, leg: RememberedOrder, endedBefore: string): void {
    this.remember(slot, leg, { ended_before: endedBefore });
  }

  private remember(slot: RememberedSlot, order: RememberedOrder, how: Partial<AbsentOrder>): void {
    const cid = order.client_order_id;
    const buys = order.side === "BUY";
    // An entry's BUY opens a LONG, an exit's BUY closes a SHORT.
    const side = slot.side ?? ((order.role === "ENTRY") === buys ? "LONG" : "SHORT");
    this.orders.delete(cid);
    this.orders.set(cid, {
      slot_id: slot.slot_id,
      asset: slot.asset,
      side,
      role: order.role,
      order_side: order.side,
      client_order_id: cid,
      venue_order_id: order.venue_order_id,
      created_at_ms: order.created_at_ms,
      filled_size: order.filled_size,
      lookups: 0,
      cancels: 0,
      open_after_cancel: 0,
      ...how,
    });
    if (this.orders.size > ABSENT_KEPT) this.orders.delete(this.orders.keys().next().value as string);
  }

  /** A new placement of `cid` is the kernel's again (its events are its own), or what it filled was taken. */
  forget(cid: string): void {
    this.orders.delete(cid);
  }

  /** The remembered order under exactly this client id (the adapter spells a known order the kernel's way). */
  find(cid: string): AbsentOrder | undefined {
    return this.orders.get(cid);
  }

  /** The remembered entries of slot `slotId` live reconciliation may still look up (`all`: or not), newest first. */
  entriesOf(slotId: number, all = false): AbsentOrder[] {
    return this.entries((o) => o.slot_id === slotId, all);
  }

  /** The remembered entries opening `side` of `asset` that live reconciliation may still look up, newest first. */
  entriesOn(asset: string, side: PositionSide): AbsentOrder[] {
    return this.entries((o) => o.asset === asset && o.side === side);
  }

  private entries(which: (o: AbsentOrder) => boolean, all = false): AbsentOrder[] {
    const out = [...this.orders.values()].filter(
      (o) => o.role === "ENTRY" && (all || o.lookups < LOOKUPS_MAX) && which(o),
    );
    return out.reverse();
  }

  /** Counts one lookup of `cid` by live reconciliation. */
  lookedUp(cid: string): void {
    const o = this.orders.get(cid);
    if (o !== undefined) o.lookups++;
  }

  /**
   * One live-reconciliation lookup of remembered order `o` by its client id, counted (`lookedUp`); `ask` is the
   * venue's query of it (`queryOrder(o.asset, o.client_order_id, o.created_at_ms)`, through a rate-limit wait or not).
   * Its state when the venue answered about it; null when it has no such order or answered about another order under
   * the id (spelled otherwise by the adapter: that marks `o` `answered_another`); undefined when the query failed
   * (logged). A state open at the venue clears the mark (it is there, under its id); "no such order" (the venue's
   * query may lag its list) and a failure leave it. Every path's lookup of one (`_late_fills.ts`,
   * `_resting_absent.ts`): whichever spends its LOOKUPS_MAX, the resting-order check knows what they answered.
   */
  async lookUp(
    o: AbsentOrder,
    ask: () => Promise<VenueOrderState | null>,
    log: (line: string) => void,
  ): Promise<VenueOrderState | null | undefined> {
    const cid = o.client_order_id;
    this.lookedUp(cid);
    const answer = await ask().catch((e: unknown) => {
      log(`live reconcile: lookup of order ${cid} failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    if (!answer) return answer;
    if (answer.client_order_id !== cid) {
      o.answered_another = true;
      return null;
    }
    if (isOpenAtVenue(answer.status)) delete o.answered_another;
    return answer;
  }

  /**
   * Follows an event `e` of an order taken as absent, applied to the kernel (`slotOf`: its slot as it is now): one its
   * slot works again is let go (its events are its own); what the kernel booked of it is remembered; one `e` reports
   * live (ACK, PARTIAL_FILL) is cancelled at the venue. Null when there is nothing to cancel (also for an event of
   * another venue order holding its client id: `isAnotherOrder`). A cancel not done is
   * sent again at the order's next event; one requested, or one still out, is not (the order stays remembered: what
   * it filled before the cancel may still be looked up).
   */
  cancelIfLanded(e: VenueEvent, slotOf: (slotId: number) => SlotRecord): Promise<void> | null {
    const cid = e.client_order_id;
    const order = this.orders.get(cid);
    if (order === undefined || isAnotherOrder(order, e.venue_order_id)) return null;
    const slot = slotOf(order.slot_id);
    if (stageWorkingOrder(slot)?.client_order_id === cid) {
      this.forget(cid);
      return null;
    }
    const own = [slot.entry_order, slot.exit_order].find((o) => o?.client_order_id === cid);
    if (own) order.filled_size = Math.max(order.filled_size, own.filled_size);
    if ((e.kind !== "ACK" && e.kind !== "PARTIAL_FILL") || order.cancel_requested || order.cancel_running) return null;
    return this.send(order, "landed at the venue late");
  }

  /** Live reconciliation found `order` open at the venue, its slot not working it (`_resting_absent.ts`): cancels it. */
  cancelResting(order: AbsentOrder): Promise<void> {
    if (order.cancel_running) throw new Error(`Invariant: a cancel of ${order.client_order_id} is out already`);
    delete order.cancel_requested; // the pass decided the one the venue took did not end it
    return this.send(order, "open at the venue (live reconciliation)");
  }

  /** One cancel of `order` at the venue (either path), logged; the venue taking it marks it requested. */
  private send(order: AbsentOrder, why: string): Promise<void> {
    const { slot_id: id, client_order_id: cid } = order;
    const taken =
      order.ended_before !== undefined
        ? `an earlier exit leg the kernel ended before ${order.ended_before}`
        : order.ended_as === undefined
          ? "taken as absent"
          : `ended ${order.ended_as} by the kernel`;
    this.log(`slot ${id}: ${cid}, ${taken}, ${why}: cancelling it there`);
    order.cancel_running = true;
    order.cancels++;
    return this.cancel(order.asset, cid)
      .then(
        (r) => {
          if (r.status === "REQUESTED") Object.assign(order, { cancel_requested: true, open_after_cancel: 0 });
          else this.log(`slot ${id}: late ${cid} cancel ${r.status}`);
        },
        (err: unknown) => this.log(`slot ${id}: late ${cid} cancel failed: ${String(err)}`),
      )
      .finally(() => delete order.cancel_running);
  }
}

/**
 * Another venue order holding remembered order `o`'s client id: both venue order ids known, and they differ (the BingX
 * adapter spells a venue order holding the lower-cased id of an order it forgot as absent, or of one a slot named at a
 * restart, the kernel's way unless it can tell them apart: a venue order id, symbol or creation time of its own).
 */
export function isAnotherOrder(o: AbsentOrder, venueOrderId: string): boolean {
  return o.venue_order_id !== "" && venueOrderId !== "" && o.venue_order_id !== venueOrderId;
}
