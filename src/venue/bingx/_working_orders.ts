/**
 * The orders this process works at BingX, keyed by the venue's spelling of the client id (BingX
 * lower-cases it): the kernel's spelling, the asset, and the venue order id once known. Stream
 * frames and REST states are mapped back to the kernel's spelling here; the order tracker's
 * memory of a venue order id, once it has one, answers first (a late event of an ended order
 * keeps its own spelling even when a new order reuses the lower-cased key).
 *
 * Another venue order holding a working (or forgotten) order's lower-cased client id (a manual order
 * on the account, another process's) is not that order: a fact whose venue order id differs from the
 * order's (once known), or whose symbol differs, keeps the venue's spelling (`kernelId`,
 * `isQueriedOrder`), so the kernel never books its fills to the order's slot.
 *
 * Two client ids that differ only in case are one order at BingX, so `track` refuses a client id
 * whose lower-cased key belongs to another spelling still working (CLIENT_ID_CASE): the caller
 * rejects that order locally instead of letting one venue order be booked to both.
 *
 * An order whose placement ended UNKNOWN stays working while it may still land. Once the venue
 * says it has no such order (109421, 80016 before: the hung-order query, after which the executor rejects it as
 * ABSENT, or a reconnect's catch-up) and no placement of it is running, it is forgotten as working
 * (`forgetAbsent`): kept, such orders piled up over weeks of venue trouble, each queried again at
 * every reconnect, until WORKING_MAX refused every new order. Its spelling stays in a bounded memory
 * (`_forgotten_orders.ts`), so an order that lands late after all still maps to the kernel's id. A
 * restart loses that memory with the working orders: `remember` refills it with the orders the kernel's
 * slots name (the launcher, before connect and once the belief is restored), so one landing after the restart does too.
 *
 * An order the venue accepted (a venue order id) is not forgotten at one such answer: a query within
 * QUERY_LAG_MS of the acceptance may not find it yet. It is at the second answer past QUERY_LAG_MS
 * after the acceptance (none of its own in between: a query finding it working starts over): the
 * venue ended it unseen (purged, or ended with its event lost; the kernel ends it at the hung-order
 * query's answer, ABSENT_STALE, and reconciles), and kept it would be queried at every reconnect for
 * ever, one more towards WORKING_MAX each time. The second answer is live reconciliation's lookup of a
 * stale entry right after, or the next reconnect's catch-up. Its spelling is kept as above (and the
 * order tracker maps its venue order id to it), so a late event of it still reaches the kernel's id.
 *
 * One-way accounts net (one position per symbol): `track` refuses an order that opens one side of
 * an asset while an order this process works (resting, or its placement running) opens the other
 * side of it (ONE_WAY_NETTING): if both filled, the venue would net them while the kernel holds two
 * positions. Orders placed here, and those a restart adopted by its lookup (`adopt`, `openingSide`),
 * know what they open; a manual one or another process's is not seen (reading open orders would add
 * a round trip on the order path); the positions read before the placement sees what they filled.
 * One the venue answered it has no such order for holds back nothing (`forgetAbsent`).
 *
 * Bounds: `WORKING_MAX` orders (`track` refuses more: WORKING_MAX); `FORGOTTEN_MAX` spellings kept.
 *
 * Entry points: `new WorkingOrders(tracker, nowMs)` (`remember`: a restart's), `TrackRefusal`, `QUERY_LAG_MS`.
 */

import type { PositionSide, RestoredOrder, VenueOrderState } from "../../contracts/venue.ts";
import { ForgottenOrders, restoredOrder } from "./_forgotten_orders.ts";
import type { OrderTracker } from "./_order_tracker.ts";
import { createdBefore } from "./_resolve.ts";

export const WORKING_MAX = 10_000;
/**
 * How long after the venue accepted an order its "no such order" may be its query lagging the acceptance: far
 * below the kernel's hung-order time (DITA_V2_HUNG_ORDER_MS, 30 s by default), so that query's answer counts.
 */
export const QUERY_LAG_MS = 5_000;
/** The account's position mode as the adapter last read it (undefined before connect). */
type PositionMode = "hedge" | "oneway" | undefined;

export interface WorkingOrder {
  cid: string;
  asset: string;
  venue_order_id: string;
  /** A placement of it is running: a query not finding it says nothing yet. */
  placing: boolean;
  /** One-way mode: the position side this order opens (not a close, not reduce-only). */
  opens?: PositionSide;
  /** When its placement was first sent (venue ms): an order under its id created before that is another one. */
  sent_ms?: number;
  /** When the venue's acceptance (its venue order id) was heard (monotonic ms). */
  accepted_ms?: number;
  /** The venue said it has no such order once, past QUERY_LAG_MS after the acceptance: the next such answer ends it. */
  absent_once?: boolean;
}

/** What `isQueriedOrder` reads of an order found by query. */
type QueriedOrder = Pick<VenueOrderState, "client_order_id" | "venue_order_id" | "created_ms">;

/** Why `track` refused a client id: the local rule and a message naming it. */
export interface TrackRefusal {
  rule: "WORKING_MAX" | "CLIENT_ID_CASE" | "ONE_WAY_NETTING";
  message: string;
}

export class WorkingOrders {
  private readonly byVenueSpelling = new Map<string, WorkingOrder>();
  /** Orders not worked whose events may still come: forgotten as absent, or named by the kernel at a restart. */
  private readonly forgotten = new ForgottenOrders();

  /**
   * `nowMs`: monotonic ms, for how long ago the venue accepted an order it now says it has none of (a wall
   * clock stepped by NTP would stretch or skip the lag window).
   */
  constructor(
    private readonly tracker: OrderTracker,
    private readonly nowMs: () => number,
  ) {}

  /**
   * Starts working an order (`placing`: its placement starts; else a restart adopting one): null
   * when tracked (or already tracked under this exact spelling), else why not. `opens` (one-way
   * mode, an opening order): the side it opens; refused while another opens the other side there.
   */
  track(cid: string, asset: string, placing = false, opens?: PositionSide, sentMs?: number): TrackRefusal | null {
    const k = cid.toLowerCase();
    const held = this.byVenueSpelling.get(k);
    if (held !== undefined) {
      if (held.cid !== cid) return caseCollision(cid, held.cid);
      held.placing ||= placing;
      return null;
    }
    if (this.byVenueSpelling.size >= WORKING_MAX)
      return { rule: "WORKING_MAX", message: "too many working orders tracked" };
    const w: WorkingOrder = {
      cid,
      asset,
      venue_order_id: "",
      placing,
      ...(sentMs === undefined ? {} : { sent_ms: sentMs }),
    };
    if (opens !== undefined) {
      const against = this.opening(asset, opens === "LONG" ? "SHORT" : "LONG");
      if (against !== undefined) return netting(w, opens, against);
      w.opens = opens;
    }
    this.byVenueSpelling.set(k, w);
    return null;
  }

  /**
   * Tracks an order the venue already holds (a restart adopting it by its lookup); `opens`, on a
   * one-way account (`openingSide`), is recorded without the netting refusal: it is there already,
   * and an opening order of the other side asked for later is held back by it.
   */
  adopt(cid: string, asset: string, opens?: PositionSide): TrackRefusal | null {
    const refused = this.track(cid, asset);
    const w = this.exact(cid);
    if (refused === null && w !== undefined && opens !== undefined && w.opens === undefined) w.opens = opens;
    return refused;
  }

  /** A working order that opens `side` of `asset` (one-way mode), if any. */
  private opening(asset: string, side: PositionSide): WorkingOrder | undefined {
    for (const w of this.byVenueSpelling.values()) if (w.opens === side && w.asset === asset) return w;
    return undefined;
  }

  /** The placement of `cid` ended (its venue order id when it was accepted, else ""). */
  placed(cid: string, venueOrderId: string): void {
    const w = this.exact(cid);
    if (w === undefined) return;
    w.placing = false;
    if (venueOrderId === "") return;
    w.venue_order_id = venueOrderId;
    w.accepted_ms ??= this.nowMs();
  }

  /**
   * The venue has no order `cid` (109421 or 80016): forgotten as working unless its placement runs or the
   * venue accepted it (a venue order id: its query may lag the acceptance), which is forgotten only at its second
   * such answer past QUERY_LAG_MS after the acceptance (`endsAccepted`). An accepted one no longer holds back an
   * opening of the other side (`opens` dropped): the venue that has none cannot fill it, and the kernel ends it
   * (the hung-order query's ABSENT_STALE), so kept it would refuse every such opening (ONE_WAY_NETTING) until a
   * restart. A later query finding it working adopts its side again (`queried`).
   */
  forgetAbsent(cid: string): void {
    const w = this.exact(cid);
    if (w === undefined || w.placing) return;
    if (w.venue_order_id !== "") {
      delete w.opens;
      if (!this.endsAccepted(w)) return;
    }
    this.byVenueSpelling.delete(cid.toLowerCase());
    this.forgotten.keep(w);
  }

  /**
   * After a restart (the launcher's `rememberClientIds`): the orders the kernel's slots name, kept as forgotten ones
   * (`_forgotten_orders.ts`), so a later event of one maps to the kernel's id unless it is another venue order
   * (`sameOrder`: sent when the kernel created it, its local ms plus the venue's measured `offsetMs`).
   */
  remember(orders: readonly RestoredOrder[], offsetMs: number): void {
    for (const o of orders) if (o.client_order_id !== "") this.forgotten.keep(restoredOrder(o, offsetMs));
  }

  /** Whether this "no such order" about the accepted `w` is its second past QUERY_LAG_MS after the acceptance. */
  private endsAccepted(w: WorkingOrder): boolean {
    if (this.nowMs() - (w.accepted_ms ?? 0) < QUERY_LAG_MS) return false; // its query may lag the acceptance
    if (w.absent_once === true) return true;
    w.absent_once = true;
    return false;
  }

  untrack(cid: string): void {
    if (this.byVenueSpelling.get(cid.toLowerCase())?.cid === cid) this.byVenueSpelling.delete(cid.toLowerCase());
  }

  get(cid: string): WorkingOrder | undefined {
    return this.byVenueSpelling.get(cid.toLowerCase());
  }

  /** The working order of exactly this spelling (not another one sharing its lower-cased key). */
  exact(cid: string): WorkingOrder | undefined {
    const w = this.get(cid);
    return w?.cid === cid ? w : undefined;
  }

  /**
   * Whether the order `s` the venue found under `cid` is `cid`'s own: its echoed client id is `cid`
   * in any case (or empty), no other spelling of it is working here (then it is that one's), its
   * venue order id is the working order's, when both are known, and it was not created before
   * `sinceMs` (venue ms: when the caller's order was created, e.g. after a restart), less the margin.
   */
  isQueriedOrder(cid: string, s: QueriedOrder, sinceMs?: number): boolean {
    if (createdBefore(s.created_ms, sinceMs)) return false; // an old order under a reused id (_resolve.ts)
    const w = this.get(cid);
    const owner = w?.cid ?? cid;
    if (w !== undefined && !sameOrder(w, s.venue_order_id, "", s.created_ms)) return false;
    const echoed = s.client_order_id;
    return owner === cid && (echoed === "" || echoed.toLowerCase() === cid.toLowerCase());
  }

  /**
   * The kernel id a query by `cid` reports the venue's answer `s` under: `cid` when it is that
   * order (`isQueriedOrder`; the venue may echo the id lower-cased), else the venue order's own
   * (`kernelIdOf`). `cid`'s own order still working that this process did not place (a restart)
   * is adopted, so its stream events carry `cid` and catch-up covers it (one the venue said it had
   * none of is there after all: that answer counts no more); one ended is untracked (the stream never
   * delivered its end), not left for a catch-up.
   */
  queried(cid: string, asset: string, s: VenueOrderState, sinceMs: number | undefined, mode: PositionMode): string {
    if (!this.isQueriedOrder(cid, s, sinceMs)) return this.kernelIdOf(s);
    if (s.status !== "NEW" && s.status !== "PARTIALLY_FILLED") this.untrack(cid);
    else if (this.adopt(cid, asset, openingSide(s, mode)) === null) delete this.exact(cid)?.absent_once;
    return cid;
  }

  all(): WorkingOrder[] {
    return [...this.byVenueSpelling.values()];
  }

  /**
   * The kernel's spelling of a client id: from the tracker's memory of that venue order, else
   * from the working (else forgotten) order, remembered for that venue order from now on, else the venue's
   * (also when the order kept under that spelling is another venue order, symbol or an older one: `sameOrder`).
   */
  kernelId(venueSpelling: string, venueOrderId = "", asset = "", createdMs?: number): string {
    const known = venueOrderId === "" ? null : this.tracker.clientIdOf(venueOrderId);
    if (known !== null) return known;
    const w = this.byVenueSpelling.get(venueSpelling.toLowerCase()) ?? this.forgotten.get(venueSpelling);
    if (w === undefined || !sameOrder(w, venueOrderId, asset, createdMs)) return venueSpelling; // unknown, or another order
    this.tracker.rememberClientId(venueOrderId, w.cid);
    return w.cid;
  }

  /** `kernelId` of a venue order (a stream fact, a REST state) by its client id, venue order id and symbol. */
  kernelIdOf(o: { client_order_id: string; venue_order_id: string; asset: string; created_ms?: number }): string {
    return this.kernelId(o.client_order_id, o.venue_order_id, o.asset, o.created_ms);
  }
}

/**
 * Whether a venue order (id, symbol; "" when not known) can be the working (or forgotten) order `w`: not
 * when `w`'s venue order id is known and differs, nor when the symbol differs. Another order that
 * holds the same lower-cased client id (a manual one, another process's) must never be booked to `w`.
 */
function sameOrder(w: WorkingOrder, venueOrderId: string, asset = "", createdMs?: number): boolean {
  if (w.venue_order_id !== "" && venueOrderId !== "" && w.venue_order_id !== venueOrderId) return false;
  // An order created before this one's placement was first sent: an old order under a reused id (_resolve.ts).
  if (createdBefore(createdMs, w.sent_ms)) return false;
  return asset === "" || asset === w.asset;
}

function netting(w: WorkingOrder, opens: PositionSide, against: WorkingOrder): TrackRefusal {
  return {
    rule: "ONE_WAY_NETTING",
    message: `one-way account: opening ${opens} ${w.asset} (${w.cid}) would net against working opening ${against.opens} order ${against.cid} if both fill`,
  };
}

function caseCollision(cid: string, held: string): TrackRefusal {
  return {
    rule: "CLIENT_ID_CASE",
    message: `client order id ${JSON.stringify(cid)} differs only in case from working order ${JSON.stringify(held)}; BingX lower-cases client ids, so both would be one venue order`,
  };
}

/** The side an order of a one-way account opens (a BUY of LONG, a SELL of SHORT); none in hedge mode or for a close. */
export function openingSide(
  o: { side: "BUY" | "SELL"; position_side: PositionSide },
  mode: PositionMode,
): PositionSide | undefined {
  if (mode !== "oneway") return undefined;
  return (o.side === "BUY") === (o.position_side === "LONG") ? o.position_side : undefined;
}
