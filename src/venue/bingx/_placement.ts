/**
 * An order's placement request, and its rehearsal: what `submitOrder` (_submit.ts) sends for an
 * order whose rules passed, and the same steps run with nothing sent, for the path warmer.
 *
 * Entry points: `placement`, `rehearseOrder`, `sampleOrder`.
 */

import type { ContractRules, OrderRequest } from "../../contracts/venue.ts";
import type { PositionMode, SubmitContext } from "./_submit.ts";
import { applyContractRules, closesWholePosition } from "./contract_rules.ts";
import * as ep from "./endpoints.ts";

/** The placement request of `o` at the checked quantity and price, for the account's position mode. */
export function placement(o: OrderRequest, quantity: string, price: string | undefined, mode: PositionMode) {
  const closes = (o.side === "SELL") === (o.position_side === "LONG");
  return ep.placeOrder({
    symbol: o.asset,
    side: o.side,
    positionSide: mode === "oneway" ? "BOTH" : o.position_side,
    type: o.type,
    quantity,
    price,
    clientOrderID: o.client_order_id,
    ...(mode === "oneway" ? { reduceOnly: closes || o.reduce_only } : {}),
  });
}

/**
 * The steps `submitOrder` takes before the socket, run on `o` with nothing sent, tracked or
 * counted (no rate token is taken): the rules check against the held mark, the placement's
 * parameters, its signature and its request bytes. The runtime's path warmer calls it so that
 * this code and its data are in the CPU's caches when a real order comes.
 */
export function rehearseOrder(ctx: SubmitContext, o: OrderRequest | null): void {
  if (o === null) return;
  const rules = ctx.knownRules(o.asset);
  const mode = ctx.knownMode();
  if (rules === null || mode === undefined) return;
  // As submitOrder checks it: a LIMIT order by its price, a MARKET order by the held mark.
  const limit = o.type === "LIMIT" ? o.price : undefined;
  const reference = o.type === "MARKET" ? ctx.markPrice(o.asset) : o.price;
  const check = applyContractRules(rules, o.size, limit, reference, o.side, closesWholePosition(o));
  if (!check.ok || (o.type === "LIMIT" && check.price === undefined)) return;
  ctx.rest.rehearse(placement(o, check.quantity, check.price, mode));
}

/** A minimum market entry on the first listed contract: rehearsed until a real order was placed. */
export function sampleOrder(rules: ReadonlyMap<string, ContractRules>): OrderRequest | null {
  const first = rules.values().next();
  if (first.done) return null;
  const r = first.value;
  return {
    client_order_id: "rehearsal",
    asset: r.asset,
    side: "BUY",
    position_side: "LONG",
    type: "MARKET",
    size: Math.max(r.min_quantity, r.quantity_step),
    reduce_only: false,
  };
}
