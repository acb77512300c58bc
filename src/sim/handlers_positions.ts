/**
 * Position-wide endpoints:
 * - GET/POST /openApi/swap/v1/positionSide/dual (BingX "Query position mode" / "Set Position
 *   Mode"): `dualSidePosition` "true" is hedge mode, "false" one-way. The mode "applies to all
 *   contracts and can be set when there are no active positions or pending orders": a switch
 *   with either answers 101212 (BingX's code for a change refused because of pending orders; the
 *   page lists no code of its own for this case) and changes nothing. Setting the current mode
 *   again succeeds and changes nothing.
 * - POST /openApi/swap/v2/trade/closeAllPositions (BingX "Close All Positions", optional
 *   `symbol`): "one-click liquidation ... triggered by a market order": one MARKET closing order
 *   per open position (reduce-only BOTH in one-way mode). Open closing orders of those positions
 *   are cancelled first, since they would otherwise promise a position that no longer exists
 *   (one hidden out of band is out of reach: it expires when it lands). Answer
 *   `{success: [order ids], failed: null}`.
 */

import type { Ctx } from "./_http.ts";
import { JsonInt } from "./_json.ts";
import { Code, fail } from "./errors.ts";
import { targetSide } from "./fills.ts";
import { cancelOpenOrder, isOpen, placeOrder } from "./matching.ts";
import { symbolParam } from "./order_rules.ts";
import { oneOf } from "./params.ts";
import type { StreamEvent } from "./stream.ts";

const dual = (hedge: boolean) => ({ dualSidePosition: hedge ? "true" : "false" });

export function positionModeGet({ core }: Ctx) {
  return dual(core.account.mode === "hedge");
}

export function positionModeSet({ core, p }: Ctx) {
  const wanted = oneOf(p, "dualSidePosition", ["true", "false"] as const) === "true" ? "hedge" : "oneway";
  if (wanted === core.account.mode) return dual(wanted === "hedge");
  const positions = core.account.openPositions().length;
  const orders = [...core.orders.values()].filter(isOpen).length;
  if (positions > 0 || orders > 0)
    fail(
      Code.PENDING_ORDERS_OR_POSITIONS,
      `the position mode can be changed only with no open positions or orders (${positions} positions, ${orders} orders open)`,
    );
  core.account.mode = wanted;
  return dual(wanted === "hedge");
}

export function closeAllPositionsHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  const positions = core.account.openPositions(symbol);
  const batch: StreamEvent[] = [];
  for (const o of core.orders.values()) {
    if (!isOpen(o) || o.hidden === true || !o.closing || (symbol !== undefined && o.symbol !== symbol)) continue;
    if (positions.some((pos) => pos.symbol === o.symbol && pos.positionSide === targetSide(o)))
      cancelOpenOrder(core, o, batch);
  }
  core.stream.publish(batch, core.faults);
  const success: JsonInt[] = [];
  for (const pos of positions) {
    const order = placeOrder(core, {
      symbol: pos.symbol,
      side: pos.positionSide === "LONG" ? "SELL" : "BUY",
      positionSide: core.account.mode === "hedge" ? pos.positionSide : "BOTH",
      type: "MARKET",
      quantity: pos.positionAmt,
      price: 0,
      timeInForce: "GTC",
      clientOrderId: "",
      closing: true,
    });
    success.push(new JsonInt(order.orderId));
  }
  return { success, failed: null };
}
