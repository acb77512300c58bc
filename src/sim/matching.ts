/**
 * Order life cycle against the symbol's book (book.ts):
 * - MARKET walks the opposite side best level first, one fill per level touched, so a large
 *   order fills at several prices and its avgPrice is the VWAP of the legs; what the whole book
 *   cannot fill expires.
 * - LIMIT takes the opposite side up to its price (taker, the book's prices); the rest rests
 *   (GTC), expires (IOC), or nothing fills at all unless all of it can (FOK). PostOnly that would
 *   take is refused before it gets here (order_rules.ts, 101215).
 * - A resting LIMIT fills at its own price (maker) when the book moves through it: the opposite
 *   liquidity at or better than its price trades with it, so it may fill partly and keep resting.
 * - A closing (hedge) or reduce-only (one-way) order never fills past the position it reduces;
 *   one whose position is gone expires.
 * - Faults: with `pending_ms` an accepted order is PENDING (listed, cancellable, nothing filled,
 *   no stream event, its margin reserved: a MARKET at the mark it was accepted at, `acceptedMark`)
 *   until the sim clock passes its hold (`releasePending`, run by housekeeping);
 *   `reject_orders` has the engine reject the next n accepted orders (stream NEW, then REJECTED).
 * `partial_fill_legs` splits each order's quantity into that many chunks, each walking the book.
 * Every change produces stream events, published once per operation as one batch.
 * An order hidden out of band (`hidden`) is left alone (no crossing, its PENDING hold does not end) until
 * `landOrder` shows it and the engine takes it.
 *
 * Invariants (asserted): executedQty ≤ origQty; one client order id maps to at most one order.
 * Entry points: `placeOrder`, `runOrder`, `releasePending`, `crossRestingOrders`, `landOrder`, `cancelOpenOrder`,
 * `closableQty`, `isOpen`.
 */

import { clean } from "./accounts.ts";
import type { BookSide } from "./book.ts";
import { floorToStep } from "./contracts_catalog.ts";
import type { SimCore } from "./core.ts";
import { legsOf, takeOne } from "./faults.ts";
import { event, fillOnce, targetSide } from "./fills.ts";
import type { StreamEvent } from "./stream.ts";
import type { SimOrder } from "./types.ts";

export interface NewOrder {
  symbol: string;
  side: "BUY" | "SELL";
  positionSide: "LONG" | "SHORT" | "BOTH";
  type: "MARKET" | "LIMIT";
  quantity: number;
  price: number;
  timeInForce: "GTC" | "IOC" | "FOK" | "PostOnly";
  clientOrderId: string;
  /** Hedge: the side pairing closes; one-way: sent reduce-only. */
  closing: boolean;
}

export function isClosing(side: "BUY" | "SELL", positionSide: "LONG" | "SHORT"): boolean {
  return (side === "SELL" && positionSide === "LONG") || (side === "BUY" && positionSide === "SHORT");
}

/** Position quantity not yet promised to open closing (or reduce-only) orders. */
export function closableQty(core: SimCore, symbol: string, side: "LONG" | "SHORT"): number {
  let reserved = 0;
  for (const o of core.orders.values()) {
    if (o.symbol === symbol && o.closing && isOpen(o) && targetSide(o) === side) reserved += o.origQty - o.executedQty;
  }
  return clean(core.account.position(symbol, side).positionAmt - reserved);
}

/** Working at the venue: PENDING (accepted, not yet taken by the engine), NEW or PARTIALLY_FILLED. */
export function isOpen(o: SimOrder): boolean {
  return o.status === "NEW" || o.status === "PARTIALLY_FILLED" || o.status === "PENDING";
}

/** The book side an order takes from. */
export function takesFrom(o: Pick<SimOrder, "side">): BookSide {
  return o.side === "BUY" ? "asks" : "bids";
}

/** Creates and runs an already validated order; the caller checked ids, size and margin. */
export function placeOrder(core: SimCore, req: NewOrder): SimOrder {
  const now = core.now();
  const order: SimOrder = {
    orderId: core.ids.orderId(),
    clientOrderId: req.clientOrderId,
    symbol: req.symbol,
    side: req.side,
    positionSide: req.positionSide,
    type: req.type,
    timeInForce: req.type === "MARKET" ? "" : req.timeInForce,
    origQty: req.quantity,
    price: req.price,
    executedQty: 0,
    cumQuote: 0,
    avgPrice: 0,
    commission: 0,
    profit: 0,
    status: "NEW",
    time: now,
    updateTime: now,
    closing: req.closing,
  };
  core.orders.set(order.orderId, order);
  if (req.clientOrderId) core.byClientId.set(req.clientOrderId, { orderId: order.orderId, placedMs: now });
  const key = req.clientOrderId || `#${order.orderId}`;
  core.counters.placed_by_client_id[key] = (core.counters.placed_by_client_id[key] ?? 0) + 1;
  core.counters.orders_placed++;
  const holdMs = core.faults.pending_ms ?? 0;
  if (holdMs > 0) {
    order.status = "PENDING";
    order.pendingUntil = now + holdMs;
    // BingX reserves an order's margin at acceptance: a held MARKET at the mark it was checked against.
    if (order.type === "MARKET") order.acceptedMark = core.mark(order.symbol);
    core.pending.add(order.orderId);
    return order;
  }
  runOrder(core, order);
  return order;
}

/**
 * The engine takes an accepted order (at once, or when its PENDING hold ends): NEW, then REJECTED
 * when the `reject_orders` fault fires, else it takes liquidity and rests, expires or fills.
 */
export function runOrder(core: SimCore, order: SimOrder): void {
  order.status = "NEW";
  delete order.pendingUntil;
  delete order.acceptedMark;
  const batch: StreamEvent[] = [event(core, order, "NEW", 0, 0)];
  if (takeOne(core.faults, "reject_orders")) {
    order.status = "REJECTED";
    order.updateTime = core.now();
    batch.push(event(core, order, "REJECTED", 0, 0));
    core.stream.publish(batch, core.faults);
    return;
  }
  const limit = order.type === "LIMIT" ? order.price : undefined;
  const fok = order.type === "LIMIT" && order.timeInForce === "FOK";
  const mark = core.mark(order.symbol);
  if (!fok || core.books.available(order.symbol, takesFrom(order), mark, limit) >= order.origQty) {
    takeInLegs(core, order, limit, batch);
  }
  const resting = order.type === "LIMIT" && (order.timeInForce === "GTC" || order.timeInForce === "PostOnly");
  if (isOpen(order) && !resting) expire(core, order, batch);
  core.stream.publish(batch, core.faults);
}

/** Hands the engine every PENDING order whose hold ended by `nowMs` (oldest first); forgets ended ones. */
export function releasePending(core: SimCore, nowMs: number): void {
  for (const id of [...core.pending]) {
    const o = core.orders.get(id);
    if (o?.status !== "PENDING") core.pending.delete(id);
    else if (o.hidden !== true && nowMs >= (o.pendingUntil ?? 0)) {
      core.pending.delete(id);
      runOrder(core, o);
    }
  }
}

/** Taker fills: the order's remaining quantity in `partial_fill_legs` chunks, each walking the book. */
function takeInLegs(core: SimCore, o: SimOrder, limit: number | undefined, batch: StreamEvent[]): void {
  const decimals = core.catalog.get(o.symbol)?.quantityPrecision ?? 8;
  const legs = legsOf(core.faults);
  const chunk = Math.max(floorToStep(clean(o.origQty - o.executedQty) / legs, decimals), 10 ** -decimals);
  for (let i = 0; i < legs && isOpen(o); i++) {
    const remaining = fillable(core, o, batch);
    if (remaining <= 0) return;
    const want = i === legs - 1 ? remaining : Math.min(chunk, remaining);
    const taken = core.books.take(o.symbol, takesFrom(o), core.mark(o.symbol), want, core.now(), limit);
    for (const leg of taken) fillOnce(core, o, leg.qty, leg.price, false, batch);
    if (clean(taken.reduce((s, l) => s + l.qty, 0)) < want) return;
  }
}

/**
 * What the order may still fill: its remaining quantity, capped for closing orders by the
 * position they reduce. A closing order whose position is gone expires here (returns 0).
 */
function fillable(core: SimCore, o: SimOrder, batch: StreamEvent[]): number {
  const remaining = clean(o.origQty - o.executedQty);
  if (!o.closing) return remaining;
  const held = core.account.position(o.symbol, targetSide(o)).positionAmt;
  if (held <= 0) {
    expire(core, o, batch);
    return 0;
  }
  return Math.min(remaining, held);
}

function expire(core: SimCore, o: SimOrder, batch: StreamEvent[]): void {
  o.status = "EXPIRED";
  o.updateTime = core.now();
  batch.push(event(core, o, "EXPIRED", 0, 0));
}

/** Fills resting LIMIT orders of `symbol` that the book now crosses (best price first, then oldest). */
export function crossRestingOrders(core: SimCore, symbol: string): void {
  const mark = core.mark(symbol);
  const batch: StreamEvent[] = [];
  const decimals = core.catalog.get(symbol)?.quantityPrecision ?? 8;
  const resting = [...core.orders.values()]
    .filter((o) => o.symbol === symbol && o.type === "LIMIT" && isOpen(o) && o.status !== "PENDING" && !o.hidden)
    .sort((a, b) =>
      a.side !== b.side ? (a.side < b.side ? -1 : 1) : a.side === "BUY" ? b.price - a.price : a.price - b.price,
    );
  for (const o of resting) {
    const avail = core.books.available(symbol, takesFrom(o), mark, o.price);
    const qty = floorToStep(Math.min(fillable(core, o, batch), avail), decimals);
    if (qty <= 0) continue;
    core.books.take(symbol, takesFrom(o), mark, qty, core.now(), o.price);
    fillInLegs(core, o, qty, batch);
  }
  if (batch.length > 0) core.stream.publish(batch, core.faults);
}

/**
 * A hidden order shown again, the engine taking it now (out of band `land_order`): one held PENDING runs as at
 * the end of its hold (NEW, then it fills, rests or expires as placed); a resting one fills what it still may
 * (a closing one no more than its position; no more than `qtyMax` when given, the rest resting on: the engine
 * filled part of it) at its own price, as when the book crosses it (maker). Its stream events are published as
 * one batch.
 */
export function landOrder(core: SimCore, o: SimOrder, qtyMax = Number.POSITIVE_INFINITY): void {
  if (o.hidden !== true || !isOpen(o)) throw new Error(`Invariant: landing ${o.orderId}, not a hidden open order`);
  delete o.hidden;
  if (o.status === "PENDING") {
    core.pending.delete(o.orderId);
    runOrder(core, o);
    return;
  }
  const batch: StreamEvent[] = [];
  const qty = Math.min(fillable(core, o, batch), qtyMax);
  if (qty > 0) fillInLegs(core, o, qty, batch);
  core.stream.publish(batch, core.faults);
}

/** Maker fills of `qty` at the order's own price, in `partial_fill_legs` legs. */
function fillInLegs(core: SimCore, o: SimOrder, qty: number, batch: StreamEvent[]): void {
  const decimals = core.catalog.get(o.symbol)?.quantityPrecision ?? 8;
  const legs = legsOf(core.faults);
  const leg = Math.max(floorToStep(qty / legs, decimals), 10 ** -decimals);
  let left = qty;
  for (let i = 0; i < legs && left > 0; i++) {
    const q = i === legs - 1 ? left : Math.min(leg, left);
    fillOnce(core, o, clean(q), o.price, true, batch);
    left = clean(left - q);
  }
}

/** Cancels an open order; the caller has already refused filled, cancelled and unknown ones. */
export function cancelOpenOrder(core: SimCore, o: SimOrder, batch: StreamEvent[]): void {
  if (!isOpen(o)) throw new Error(`Invariant: cancel of an order in ${o.status}`);
  o.status = "CANCELLED";
  o.updateTime = core.now();
  batch.push(event(core, o, "CANCELED", 0, 0));
}
