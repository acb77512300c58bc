/**
 * Signed read endpoints outside trading proper:
 * - GET /openApi/swap/v2/trade/allFillOrders (BingX "Query historical transaction orders"):
 *   `tradingUnit` (COIN|CONT), `startTs` and `endTs` are required (80014 without them), `orderId`
 *   and `symbol` filter. Fills come oldest first inside `data.fill_orders` (where ccxt reads
 *   them), at most FILL_ANSWER_MAX of the latest. The sim's contract is one coin, so COIN and
 *   CONT answer the same quantities.
 * - GET /openApi/wallets/v1/capital/config/getall (BingX "Query currency deposit and withdrawal
 *   data"): the call ccxt's fetchCurrencies makes before loading markets; the sim lists USDT and
 *   the base coin of each contract, optionally filtered by `coin`.
 */

import type { Ctx } from "./_http.ts";
import { Code, fail } from "./errors.ts";
import { symbolParam } from "./order_rules.ts";
import { oneOf, orderIdParam, type Params, str } from "./params.ts";
import { capitalCoinJson, fillJson } from "./views_market.ts";

const FILL_ANSWER_MAX = 1000;

export function allFillOrdersHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  oneOf(p, "tradingUnit", ["COIN", "CONT"] as const);
  const start = millis(p, "startTs");
  const end = millis(p, "endTs");
  if (end < start) fail(Code.INVALID_PARAMETER, "err: endTs is before startTs");
  const orderId = orderIdParam(p);
  const fills = core.fills.filter(
    (f) =>
      f.time >= start &&
      f.time <= end &&
      (symbol === undefined || f.symbol === symbol) &&
      (orderId === undefined || f.orderId === orderId),
  );
  return { fill_orders: fills.slice(-FILL_ANSWER_MAX).map(fillJson) };
}

function millis(p: Params, key: string): number {
  const v = str(p, key, true);
  if (!/^\d{1,16}$/.test(v)) fail(Code.INVALID_PARAMETER, `err: ${key} must be milliseconds`);
  return Number(v);
}

export function capitalConfigHandler({ core, p }: Ctx) {
  const coins = ["USDT", ...new Set([...core.catalog.values()].map((r) => r.symbol.split("-")[0] ?? r.symbol))];
  const coin = str(p, "coin");
  return coins.filter((c) => coin === undefined || c === coin.toUpperCase()).map(capitalCoinJson);
}
