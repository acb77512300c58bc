/**
 * Validation of a place-order request, in the order BingX applies it: required fields and
 * enums (80014), the position side the account's mode allows (80014: hedge mode takes LONG/SHORT,
 * default LONG; one-way mode requires BOTH: an empty side defaults to LONG, refused there),
 * `reduceOnly` in hedge mode (109400, whatever its value),
 * quantity truncated to the contract step and checked against the minimum quantity and notional
 * (101400), price truncated to the tick (both cut on the decimal text sent: digits past the
 * precision are dropped, however close to the next step, never rounded), client order id uniqueness (109201 within 1 s, 80014 after: an existing id never creates
 * a second order), closable position for closing or reduce-only orders (101400), margin for the
 * part that opens within what positions and working orders leave (101204, margin.ts), PostOnly
 * that would take from the book (101215).
 *
 * BingX's place-order page: positionSide "required for single position as BOTH, for both long
 * and short positions only LONG or SHORT"; reduceOnly "not accepted for both long and short
 * positions mode": live BingX answers 109400 "In the Hedge mode, the 'ReduceOnly' field can not be
 * filled." to any hedge-mode order carrying it (recorded by several public clients; ccxt omits it).
 *
 * Entry point: `validateOrder(core, params) → NewOrder` (throws `SimError`).
 */

import { truncateDecimals } from "./contracts_catalog.ts";
import type { SimCore } from "./core.ts";
import { Code, fail, POST_ONLY_WOULD_MATCH } from "./errors.ts";
import { targetSide } from "./fills.ts";
import { accountSummary, marginFor, openingQty } from "./margin.ts";
import { closableQty, isClosing, type NewOrder } from "./matching.ts";
import { clientIdParam, oneOf, type Params, positiveNumber, str } from "./params.ts";

const DUPLICATE_WINDOW_MS = 1000;
const QTY_MAX = 1e9;

export function symbolParam(core: SimCore, p: Params, required: boolean): string | undefined {
  const symbol = required ? str(p, "symbol", true) : str(p, "symbol");
  if (symbol === undefined) return undefined;
  if (!core.catalog.has(symbol)) fail(Code.INVALID_PARAMETER, `err: symbol ${symbol.slice(0, 40)} does not exist`);
  return symbol;
}

export function validateOrder(core: SimCore, p: Params): NewOrder {
  const symbol = symbolParam(core, p, true) as string;
  const rule = core.catalog.get(symbol);
  if (!rule) throw new Error("Invariant: symbol checked above");
  const type = oneOf(p, "type", ["MARKET", "LIMIT"] as const);
  const side = oneOf(p, "side", ["BUY", "SELL"] as const);
  const positionSide = positionSideParam(core, p);
  const timeInForce = oneOf(p, "timeInForce", ["GTC", "IOC", "FOK", "PostOnly"] as const, "GTC");
  const reduceOnly = str(p, "reduceOnly");
  if (reduceOnly !== undefined && reduceOnly !== "true" && reduceOnly !== "false")
    fail(Code.INVALID_PARAMETER, "err: reduceOnly must be true or false");
  // BingX refuses the field in hedge mode whatever its value (the side pairing says open or close).
  if (reduceOnly !== undefined && positionSide !== "BOTH") fail(Code.HEDGE_REDUCE_ONLY);
  const closing = positionSide === "BOTH" ? reduceOnly === "true" : isClosing(side, positionSide);
  const quantity = truncated(p, "quantity", rule.quantityPrecision, QTY_MAX);
  let price = 0;
  if (type === "LIMIT") {
    price = truncated(p, "price", rule.pricePrecision);
    if (price <= 0) fail(Code.INVALID_PARAMETER, "err: price below the tick size");
  }
  const mark = core.mark(symbol);
  const ref = type === "LIMIT" ? price : mark;
  if (quantity < rule.tradeMinQuantity) fail(Code.ORDER_SIZE, `the minimum order quantity is ${rule.tradeMinQuantity}`);
  if (quantity * ref < rule.tradeMinUSDT) fail(Code.ORDER_SIZE, `the minimum order value is ${rule.tradeMinUSDT} USDT`);
  const clientOrderId = clientIdParam(p) ?? "";
  checkClientId(core, clientOrderId);
  const req: NewOrder = { symbol, side, positionSide, type, quantity, price, timeInForce, clientOrderId, closing };
  checkFunds(core, req, ref);
  const { bid, ask } = core.books.best(symbol, mark);
  const takes = side === "BUY" ? ask.qty > 0 && price >= ask.price : bid.qty > 0 && price <= bid.price;
  if (type === "LIMIT" && timeInForce === "PostOnly" && takes) fail(POST_ONLY_WOULD_MATCH);
  return req;
}

/** A required positive decimal parameter, its text cut to `decimals` places (BingX truncates; never rounded up). */
function truncated(p: Params, key: string, decimals: number, max?: number): number {
  positiveNumber(p, key, true, max); // validated: digits with an optional fraction, in range
  return Number(truncateDecimals(str(p, key, true), decimals));
}

function positionSideParam(core: SimCore, p: Params): "LONG" | "SHORT" | "BOTH" {
  if (core.account.mode === "hedge") {
    const ps = oneOf(p, "positionSide", ["LONG", "SHORT", "BOTH"] as const, "LONG");
    if (ps === "BOTH")
      fail(Code.INVALID_PARAMETER, "err: positionSide BOTH is for one-way mode; the account is in hedge mode");
    return ps;
  }
  // One-way mode: "required for single position as BOTH"; an empty side would default to LONG.
  if (str(p, "positionSide") === undefined)
    fail(Code.INVALID_PARAMETER, "err: positionSide is required as BOTH; the account is in one-way mode");
  const ps = oneOf(p, "positionSide", ["LONG", "SHORT", "BOTH"] as const);
  if (ps !== "BOTH")
    fail(Code.INVALID_PARAMETER, `err: positionSide ${ps} is for hedge mode; the account is in one-way mode`);
  return ps;
}

function checkClientId(core: SimCore, clientOrderId: string): void {
  if (!clientOrderId) return;
  const seen = core.byClientId.get(clientOrderId);
  if (!seen) return;
  if (core.now() - seen.placedMs < DUPLICATE_WINDOW_MS) fail(Code.DUPLICATE_CLIENT_ID);
  fail(Code.INVALID_PARAMETER, `err: clientOrderId ${clientOrderId} already exists`);
}

function checkFunds(core: SimCore, req: NewOrder, ref: number): void {
  const target = targetSide(req);
  if (req.closing) {
    const closable = closableQty(core, req.symbol, target);
    if (closable <= 0) fail(Code.ORDER_SIZE, "no position to close");
    if (req.quantity > closable + 1e-12)
      fail(Code.ORDER_SIZE, `the quantity exceeds the closable position ${closable}`);
    return;
  }
  // One-way: the part that reduces the opposite position needs no margin; the rest opens.
  const opens = openingQty(core, req, req.quantity);
  if (opens <= 0) return;
  const need = marginFor(core, req, opens, ref);
  // What is left after positions and the reservations of working orders (margin.ts).
  const { available_margin } = accountSummary(core);
  if (need > available_margin)
    fail(Code.INSUFFICIENT_MARGIN, `need ${need.toFixed(4)} USDT, available ${available_margin.toFixed(4)}`);
}
