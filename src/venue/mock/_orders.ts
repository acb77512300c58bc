/**
 * Orders inside the mock venue and the events they produce. Every event carries the order's
 * cumulative filled size, average price and cumulative fee, and an event id built from order id +
 * status + cumulative size, as the BingX normalizer does. Fees as bingx-sim's (contracts_catalog):
 * 0.05% taker on a fill that trades at once (market, marketable limit), 0.02% maker on a resting
 * limit that fills later.
 *
 * Entry points: `MockOrder`, `newOrder`, `fillPlan`, `orderEvent`, `rejectEvent`, `cancelRejectEvent`, `newOrderId`,
 * `uniqueOrderId`, `forgetOldestFinished`, `isOpenOn`, `TAKER_FEE_RATE`, `MAKER_FEE_RATE`.
 */

import type { Rng } from "../../contracts/rng.ts";
import type { OrderRequest, VenueEvent, VenueEventKind, VenueOrderState } from "../../contracts/venue.ts";
import { formatStep } from "../bingx/contract_rules.ts";
import { eventId, roundQty } from "../event_id.ts";

export const TAKER_FEE_RATE = 0.0005;
export const MAKER_FEE_RATE = 0.0002;

export interface MockOrder {
  venue_order_id: string;
  /** The order as the venue holds it: size on the step, limit price on the tick. */
  request: OrderRequest;
  /** The request as it was sent (a resend is compared with it). */
  asked: OrderRequest;
  status: VenueOrderState["status"];
  filled: number;
  avg_price: number;
  fee: number;
  updated_ms: number;
  hung: boolean;
}

/** A new working order: size on the step and limit price on the tick as `check` put them. */
export function newOrder(
  venueOrderId: string,
  request: OrderRequest,
  check: { size: number; price?: string },
  nowMs: number,
  hung: boolean,
): MockOrder {
  const onTick = check.price === undefined ? {} : { price: Number(check.price) };
  return {
    venue_order_id: venueOrderId,
    request: { ...request, size: check.size, ...onTick },
    asked: { ...request },
    status: "NEW",
    filled: 0,
    avg_price: 0,
    fee: 0,
    updated_ms: nowMs,
    hung,
  };
}

/** A 19-digit decimal order id (BingX-shaped, above 2^53), drawn from the seeded Rng. */
export function newOrderId(rng: Rng): string {
  let id = String(rng.int(1, 9));
  for (let i = 0; i < 18; i++) id += String(rng.int(0, 9));
  return id;
}

/** A fresh order id, never one in `seen` (which it joins). */
export function uniqueOrderId(rng: Rng, seen: Set<string>): string {
  for (let i = 0; i < 16; i++) {
    const id = newOrderId(rng);
    if (seen.has(id)) continue;
    seen.add(id);
    return id;
  }
  throw new Error("Invariant: 16 colliding 19-digit order ids in a row");
}

/** Whether `order` is working (NEW or PARTIALLY_FILLED) on `asset` (any asset when undefined). */
export function isOpenOn(order: MockOrder, asset?: string): boolean {
  const open = order.status === "NEW" || order.status === "PARTIALLY_FILLED";
  return open && (asset === undefined || order.request.asset === asset);
}

/**
 * Makes room in a full order book by forgetting its oldest finished order (and its venue order id),
 * as a venue's order history ends. An order still working (NEW, PARTIALLY_FILLED, hung) is never
 * forgotten: it can still fill. False when every remembered order is working (nothing forgotten).
 */
export function forgetOldestFinished(orders: Map<string, MockOrder>, ids: Set<string>): boolean {
  for (const [cid, o] of orders) {
    if (o.status === "NEW" || o.status === "PARTIALLY_FILLED") continue;
    orders.delete(cid);
    ids.delete(o.venue_order_id);
    return true;
  }
  return false;
}

/** Cumulative sizes after each leg, each a multiple of `step`; the last equals `size`. */
export function fillPlan(size: number, step: number, legs: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < legs; k++) {
    const cum = Number(formatStep((size * k) / legs, step));
    if (cum > (out[out.length - 1] ?? 0) && cum < size) out.push(cum);
  }
  out.push(size);
  return out;
}

/** Applies one fill to the order and returns the fee it paid (maker: a resting limit filled later). */
export function applyLeg(
  order: MockOrder,
  cumulative: number,
  price: number,
  nowMs: number,
  maker: boolean,
): { qty: number; fee: number } {
  const qty = roundQty(cumulative - order.filled);
  if (!(qty > 0))
    throw new Error(`Invariant: a fill leg must grow the cumulative size (${order.filled} → ${cumulative})`);
  const fee = qty * price * (maker ? MAKER_FEE_RATE : TAKER_FEE_RATE);
  order.avg_price = (order.avg_price * order.filled + price * qty) / cumulative;
  order.filled = cumulative;
  order.fee += fee;
  order.updated_ms = nowMs;
  order.status = cumulative >= order.request.size ? "FILLED" : "PARTIALLY_FILLED";
  return { qty, fee };
}

export function orderEvent(
  order: MockOrder,
  kind: VenueEventKind,
  last: { qty: number; price: number },
  nowMs: number,
): VenueEvent {
  return {
    kind,
    event_id: eventId(order.venue_order_id, order.status, order.filled),
    venue_order_id: order.venue_order_id,
    client_order_id: order.request.client_order_id,
    asset: order.request.asset,
    filled_size_cumulative: order.filled,
    avg_price: order.avg_price,
    last_fill_size: last.qty,
    last_fill_price: last.price,
    fee_cumulative: order.fee,
    venue_time_ms: nowMs,
  };
}

export function orderState(order: MockOrder): VenueOrderState {
  const r = order.request;
  return {
    venue_order_id: order.venue_order_id,
    client_order_id: r.client_order_id,
    asset: r.asset,
    side: r.side,
    position_side: r.position_side,
    type: r.type,
    status: order.status,
    size: r.size,
    filled_size_cumulative: order.filled,
    avg_price: order.avg_price,
    fee_cumulative: order.fee,
    updated_ms: order.updated_ms,
  };
}

/** A reject the venue itself produced (no venue order id exists). */
export function rejectEvent(
  request: OrderRequest,
  kind: "REJECT" | "CANCEL_REJECT",
  detail: {
    reason: "VENUE" | "RATE_LIMITED";
    code: string;
    message: string;
    retry_after_ms?: number;
    seq: number;
    venue_order_id?: string;
  },
  nowMs: number,
): VenueEvent {
  const e: VenueEvent = {
    kind,
    event_id: `${kind}:${request.client_order_id}:${detail.seq}`,
    venue_order_id: detail.venue_order_id ?? "",
    client_order_id: request.client_order_id,
    asset: request.asset,
    filled_size_cumulative: 0,
    avg_price: 0,
    last_fill_size: 0,
    last_fill_price: 0,
    fee_cumulative: 0,
    venue_time_ms: nowMs,
    reject_reason: detail.reason,
    venue_code: detail.code,
    venue_message: detail.message,
  };
  if (detail.retry_after_ms !== undefined) e.retry_after_ms = detail.retry_after_ms;
  return e;
}

/** A refused cancel: CANCEL_REJECT carrying the order's cumulative fill when the venue knows the order. */
export function cancelRejectEvent(
  clientOrderId: string,
  asset: string,
  order: MockOrder | undefined,
  detail: Parameters<typeof rejectEvent>[2],
  nowMs: number,
): VenueEvent {
  const base = order?.request ?? ({ client_order_id: clientOrderId, asset } as OrderRequest);
  const event = rejectEvent(base, "CANCEL_REJECT", { ...detail, venue_order_id: order?.venue_order_id ?? "" }, nowMs);
  if (order)
    Object.assign(event, {
      filled_size_cumulative: order.filled,
      avg_price: order.avg_price,
      fee_cumulative: order.fee,
    });
  return event;
}
