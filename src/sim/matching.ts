/**
 * Order life cycle: place (MARKET fills at once at the mark ± slippage; LIMIT fills at once when
 * marketable, else rests), fills in `partial_fill_legs` stream events, resting LIMIT orders
 * filling when the mark crosses their price (at their price, maker fee), and cancels.
 * Every change produces stream events, published once per operation as one batch.
 *
 * Invariants (asserted): executedQty ≤ origQty; a FILLED order has executedQty = origQty;
 * one client order id maps to at most one order, ever.
 */

import { clean } from "./accounts.ts";
import { floorToStep, MAKER_FEE_RATE, roundTo, TAKER_FEE_RATE } from "./contracts_catalog.ts";
import type { SimCore } from "./core.ts";
import { legsOf } from "./faults.ts";
import type { StreamEvent } from "./stream.ts";
import type { SimOrder } from "./types.ts";
import { accountEvent, type ExecType, orderEvent } from "./views.ts";

export interface NewOrder {
  symbol: string;
  side: "BUY" | "SELL";
  positionSide: "LONG" | "SHORT";
  type: "MARKET" | "LIMIT";
  quantity: number;
  price: number;
  timeInForce: "GTC" | "IOC" | "FOK" | "PostOnly";
  clientOrderId: string;
}

export function isClosing(side: "BUY" | "SELL", positionSide: "LONG" | "SHORT"): boolean {
  return (side === "SELL" && positionSide === "LONG") || (side === "BUY" && positionSide === "SHORT");
}

/** Position quantity not yet promised to open closing orders. */
export function closableQty(core: SimCore, symbol: string, side: "LONG" | "SHORT"): number {
  let reserved = 0;
  for (const o of core.orders.values()) {
    if (o.symbol === symbol && o.positionSide === side && o.closing && isOpen(o)) reserved += o.origQty - o.executedQty;
  }
  return clean(core.account.position(symbol, side).positionAmt - reserved);
}

export function isOpen(o: SimOrder): boolean {
  return o.status === "NEW" || o.status === "PARTIALLY_FILLED";
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
    closing: isClosing(req.side, req.positionSide),
  };
  core.orders.set(order.orderId, order);
  if (req.clientOrderId) core.byClientId.set(req.clientOrderId, { orderId: order.orderId, placedMs: now });
  const key = req.clientOrderId || `#${order.orderId}`;
  core.counters.placed_by_client_id[key] = (core.counters.placed_by_client_id[key] ?? 0) + 1;
  core.counters.orders_placed++;
  const batch: StreamEvent[] = [event(core, order, "NEW", 0, 0)];
  const mark = core.mark(req.symbol);
  if (req.type === "MARKET") {
    const slip = (core.slippageBps / 10_000) * (req.side === "BUY" ? 1 : -1);
    const rule = core.catalog.get(req.symbol);
    fillInLegs(core, order, roundTo(mark * (1 + slip), rule?.pricePrecision ?? 8), false, batch);
  } else if (marketable(order, mark)) {
    fillInLegs(core, order, mark, false, batch);
  } else if (req.timeInForce === "IOC" || req.timeInForce === "FOK") {
    order.status = "EXPIRED";
    batch.push(event(core, order, "EXPIRED", 0, 0));
  }
  core.stream.publish(batch, core.faults);
  return order;
}

export function marketable(o: SimOrder, mark: number): boolean {
  return o.side === "BUY" ? mark <= o.price : mark >= o.price;
}

/** Fills resting LIMIT orders of `symbol` that the current mark crosses. */
export function crossRestingOrders(core: SimCore, symbol: string): void {
  const mark = core.mark(symbol);
  const batch: StreamEvent[] = [];
  for (const o of core.orders.values()) {
    if (o.symbol !== symbol || o.type !== "LIMIT" || !isOpen(o) || !marketable(o, mark)) continue;
    fillInLegs(core, o, o.price, true, batch);
  }
  if (batch.length > 0) core.stream.publish(batch, core.faults);
}

function fillInLegs(core: SimCore, o: SimOrder, price: number, maker: boolean, batch: StreamEvent[]): void {
  const rule = core.catalog.get(o.symbol);
  const decimals = rule?.quantityPrecision ?? 8;
  const remaining = clean(o.origQty - o.executedQty);
  const legs = legsOf(core.faults);
  const leg = Math.max(floorToStep(remaining / legs, decimals), 10 ** -decimals);
  let left = remaining;
  for (let i = 0; i < legs && left > 0; i++) {
    const qty = i === legs - 1 ? left : Math.min(leg, left);
    fillOnce(core, o, clean(qty), price, maker, batch);
    left = clean(left - qty);
  }
  if (o.status !== "FILLED") throw new Error(`Invariant: order ${o.orderId} not filled after its legs`);
}

function fillOnce(core: SimCore, o: SimOrder, qty: number, price: number, maker: boolean, batch: StreamEvent[]): void {
  const fee = qty * price * (maker ? MAKER_FEE_RATE : TAKER_FEE_RATE);
  const { realised } = core.account.applyFill(o.symbol, o.positionSide, o.closing, qty, price, fee);
  o.executedQty = clean(o.executedQty + qty);
  o.cumQuote += qty * price;
  o.avgPrice = o.cumQuote / o.executedQty;
  o.commission += fee;
  o.profit += realised;
  o.updateTime = core.now();
  if (o.executedQty > o.origQty + 1e-12) throw new Error(`Invariant: order ${o.orderId} overfilled`);
  o.status = o.executedQty >= o.origQty ? "FILLED" : "PARTIALLY_FILLED";
  batch.push(event(core, o, "TRADE", qty, price));
  const pos = core.account.position(o.symbol, o.positionSide);
  batch.push({ payload: accountEvent(core.account, pos, core.mark(o.symbol), core.now()) });
}

function event(core: SimCore, o: SimOrder, x: ExecType, lastQty: number, lastPrice: number): StreamEvent {
  return { orderId: o.orderId, payload: orderEvent(o, x, lastQty, lastPrice, core.now()) };
}

/** Cancels an open order; the caller has already refused filled, cancelled and unknown ones. */
export function cancelOpenOrder(core: SimCore, o: SimOrder, batch: StreamEvent[]): void {
  if (!isOpen(o)) throw new Error(`Invariant: cancel of an order in ${o.status}`);
  o.status = "CANCELLED";
  o.updateTime = core.now();
  batch.push(event(core, o, "CANCELED", 0, 0));
}
