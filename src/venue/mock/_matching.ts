/**
 * Matching inside the mock venue: which resting limit orders a new price crosses, and how an
 * order fills (in `legs` legs, each a multiple of the quantity step, all at one price; `maker`
 * for a resting limit the price crossed later, else taker). Fills move the ledger before the
 * events describing them are returned for delivery. Fills and cancels update what the order
 * reserves on the ledger (`MockLedger.track`).
 *
 * Entry points: `crossesNow`, `restingCrossed`, `fillOrder`, `cancelOrder`.
 */

import type { VenueEvent } from "../../contracts/venue.ts";
import type { MockLedger } from "./_ledger.ts";
import { applyLeg, fillPlan, type MockOrder, orderEvent } from "./_orders.ts";

/** Whether a new order trades at once at `price`: a market order, or a limit the price crosses. */
export function crossesNow(order: MockOrder, price: number): boolean {
  const r = order.request;
  if (r.type === "MARKET") return true;
  return r.price !== undefined && (r.side === "BUY" ? price <= r.price : price >= r.price);
}

/** Working, non-hung limit orders on `asset` that `price` crosses, in placement order. */
export function restingCrossed(orders: Iterable<MockOrder>, asset: string, price: number): MockOrder[] {
  const out: MockOrder[] = [];
  for (const o of orders) {
    const r = o.request;
    if (r.asset !== asset || r.type !== "LIMIT" || o.hung || r.price === undefined) continue;
    if (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED") continue;
    if (r.side === "BUY" ? price <= r.price : price >= r.price) out.push(o);
  }
  return out;
}

export function fillOrder(
  order: MockOrder,
  price: number,
  step: number,
  legs: number,
  nowMs: number,
  ledger: MockLedger,
  maker: boolean,
): VenueEvent[] {
  const r = order.request;
  const remaining = r.size - order.filled;
  const plan = fillPlan(remaining, step, legs).map((cum) => Math.min(r.size, order.filled + cum));
  const events: VenueEvent[] = [];
  for (const cumulative of plan) {
    if (cumulative <= order.filled) continue;
    const { qty, fee } = applyLeg(order, cumulative, price, nowMs, maker);
    ledger.applyFill(r.asset, r.side, r.position_side, qty, price, fee);
    events.push(orderEvent(order, order.status === "FILLED" ? "FULL_FILL" : "PARTIAL_FILL", { qty, price }, nowMs));
  }
  ledger.track(order);
  return events;
}

/** Cancels a working order (the caller checked it may be): its reservation goes; returns the CANCEL_ACK. */
export function cancelOrder(order: MockOrder, nowMs: number, ledger: MockLedger): VenueEvent {
  order.status = "CANCELED";
  order.updated_ms = nowMs;
  ledger.track(order);
  return orderEvent(order, "CANCEL_ACK", { qty: 0, price: 0 }, nowMs);
}
