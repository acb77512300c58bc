/**
 * Trade endpoints: place (and test-place), cancel one, cancel all, query one, open orders,
 * order history. Lookups go by `orderId` (digits kept as a string) or by client order id
 * (lower-cased, either spelling `clientOrderId`/`clientOrderID`).
 *
 * Cancel answers: unknown → 80016; FILLED → 80018; already cancelled or expired → 80016;
 * `cancel_reject` fault → 80018 without cancelling. An order hidden out of band (`hidden`) is unknown to
 * every endpoint here (query and cancel 80016, not listed, not cancelled by cancel-all) until it lands.
 */

import type { Ctx } from "./_http.ts";
import type { SimCore } from "./core.ts";
import { Code, fail } from "./errors.ts";
import { cancelOpenOrder, isOpen, placeOrder } from "./matching.ts";
import { symbolParam, validateOrder } from "./order_rules.ts";
import { clientIdParam, orderIdParam, type Params, str } from "./params.ts";
import type { StreamEvent } from "./stream.ts";
import type { SimOrder } from "./types.ts";
import { placeAnswer, restOrder } from "./views.ts";

const HISTORY_LIMIT_MAX = 1000;

export function placeOrderHandler({ core, p }: Ctx) {
  if (core.orders.size >= 100_000) fail(Code.INVALID_PARAMETER, "too many orders in this simulation");
  const order = placeOrder(core, validateOrder(core, p));
  return { order: placeAnswer(order) };
}

export function testOrderHandler({ core, p }: Ctx) {
  const req = validateOrder(core, p);
  const now = core.now();
  const fake: SimOrder = {
    orderId: core.ids.orderId(),
    clientOrderId: req.clientOrderId,
    symbol: req.symbol,
    side: req.side,
    positionSide: req.positionSide,
    type: req.type,
    timeInForce: req.timeInForce,
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
  return { order: placeAnswer(fake) };
}

function findOrder(core: SimCore, p: Params): SimOrder {
  const symbol = symbolParam(core, p, true);
  const orderId = orderIdParam(p);
  const clientId = clientIdParam(p);
  if (orderId === undefined && clientId === undefined)
    fail(Code.INVALID_PARAMETER, "err: orderId or clientOrderId is required");
  const id = orderId ?? core.byClientId.get(clientId as string)?.orderId;
  const order = id === undefined ? undefined : core.orders.get(id);
  if (!order || order.hidden === true || order.symbol !== symbol) fail(Code.ORDER_NOT_EXIST);
  if (orderId !== undefined && clientId !== undefined && order.clientOrderId !== clientId) fail(Code.ORDER_NOT_EXIST);
  return order;
}

function view(core: SimCore, o: SimOrder) {
  return restOrder(o, core.account.leverage(o.symbol, o.positionSide === "BOTH" ? "LONG" : o.positionSide));
}

export function cancelOrderHandler({ core, p }: Ctx) {
  const order = findOrder(core, p);
  if (core.faults.cancel_reject || order.status === "FILLED") fail(Code.ORDER_ALREADY_FILLED);
  if (!isOpen(order)) fail(Code.ORDER_NOT_EXIST, `order is ${order.status}`);
  const batch: StreamEvent[] = [];
  cancelOpenOrder(core, order, batch);
  core.stream.publish(batch, core.faults);
  return { order: view(core, order) };
}

export function cancelAllHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  const batch: StreamEvent[] = [];
  const success: unknown[] = [];
  for (const o of core.orders.values()) {
    if (!isOpen(o) || o.hidden === true || (symbol !== undefined && o.symbol !== symbol)) continue;
    cancelOpenOrder(core, o, batch);
    success.push(view(core, o));
  }
  core.stream.publish(batch, core.faults);
  return { success, failed: null };
}

export function queryOrderHandler({ core, p }: Ctx) {
  return { order: view(core, findOrder(core, p)) };
}

export function openOrdersHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  const listed = (o: SimOrder) => isOpen(o) && o.hidden !== true && (symbol === undefined || o.symbol === symbol);
  const orders = [...core.orders.values()].filter(listed);
  return { orders: orders.map((o) => view(core, o)) };
}

export function allOrdersHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  const limitText = str(p, "limit");
  if (limitText !== undefined && !/^\d{1,4}$/.test(limitText))
    fail(Code.INVALID_PARAMETER, "err: limit must be an integer");
  const limit = Math.min(Number(limitText ?? 500) || 500, HISTORY_LIMIT_MAX);
  const start = timeParam(p, "startTime") ?? 0;
  const end = timeParam(p, "endTime") ?? Number.MAX_SAFE_INTEGER;
  const orders = [...core.orders.values()]
    .filter(
      (o) => o.hidden !== true && (symbol === undefined || o.symbol === symbol) && o.time >= start && o.time <= end,
    )
    .slice(-limit);
  return { orders: orders.map((o) => view(core, o)) };
}

function timeParam(p: Params, key: string): number | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v)) fail(Code.INVALID_PARAMETER, `err: ${key} must be milliseconds`);
  return Number(v);
}
