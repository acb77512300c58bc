/**
 * BingX JSON shapes of sim state: REST order objects, the place-order answer, positions,
 * balance, and the user-stream events ORDER_TRADE_UPDATE, ACCOUNT_UPDATE and ACCOUNT_CONFIG_UPDATE
 * (a symbol's leverage: the shape per BingX's public swap websocket documentation). Order ids are
 * `JsonInt` so they print as exact 19-digit JSON numbers; quantities and prices are strings as
 * BingX sends them. Commission is reported negative (a cost), as BingX does.
 *
 * Status spelling: REST uses "CANCELLED", the stream uses "CANCELED" (both seen from BingX;
 * clients must accept either).
 */

import { JsonInt } from "./_json.ts";
import type { Account } from "./accounts.ts";
import type { SimOrder, SimPosition } from "./types.ts";

const num = (v: number, d = 8) => (Number.isFinite(v) ? v.toFixed(d) : "0");
const trim = (v: number) => String(Number(v.toFixed(10)));

export function restOrder(o: SimOrder, leverage: number): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: new JsonInt(o.orderId),
    side: o.side,
    positionSide: o.positionSide,
    type: o.type,
    origQty: trim(o.origQty),
    price: trim(o.price),
    executedQty: trim(o.executedQty),
    avgPrice: trim(o.avgPrice),
    cumQuote: trim(o.cumQuote),
    stopPrice: "",
    profit: num(o.profit, 4),
    commission: num(-o.commission),
    status: o.status,
    time: o.time,
    updateTime: o.updateTime,
    clientOrderId: o.clientOrderId,
    leverage: `${leverage}X`,
    workingType: "MARK_PRICE",
    timeInForce: o.timeInForce,
    reduceOnly: o.closing,
  };
}

/** `data.order` of POST /v2/trade/order: BingX spells the client id `clientOrderID` here. */
export function placeAnswer(o: SimOrder): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: new JsonInt(o.orderId),
    side: o.side,
    positionSide: o.positionSide,
    type: o.type,
    clientOrderID: o.clientOrderId,
    workingType: "MARK_PRICE",
    timeInForce: o.timeInForce,
    price: trim(o.price),
    quantity: trim(o.origQty),
    status: o.status,
    avgPrice: trim(o.avgPrice),
    executedQty: trim(o.executedQty),
  };
}

const STREAM_STATUS: Record<SimOrder["status"], string> = {
  PENDING: "PENDING",
  NEW: "NEW",
  PARTIALLY_FILLED: "PARTIALLY_FILLED",
  FILLED: "FILLED",
  CANCELLED: "CANCELED",
  EXPIRED: "EXPIRED",
  REJECTED: "REJECTED",
};

/** Execution type `x`; "REJECTED" (the engine refused an accepted order) is the sim's spelling. */
export type ExecType = "NEW" | "TRADE" | "CANCELED" | "EXPIRED" | "REJECTED";

/**
 * ORDER_TRADE_UPDATE. `n` is the commission of this trade (`lastFee`; 0 for NEW, CANCELED,
 * EXPIRED), as Binance-style streams send it and as the adapter reads BingX's by default; REST
 * `commission` stays the order's running total.
 */
export function orderEvent(
  o: SimOrder,
  x: ExecType,
  lastQty: number,
  lastPrice: number,
  lastFee: number,
  nowMs: number,
) {
  return {
    e: "ORDER_TRADE_UPDATE",
    E: nowMs,
    o: {
      s: o.symbol,
      c: o.clientOrderId,
      i: new JsonInt(o.orderId),
      S: o.side,
      o: o.type,
      q: num(o.origQty),
      p: num(o.price),
      sp: "0.00000000",
      ap: num(o.avgPrice),
      x,
      X: STREAM_STATUS[o.status],
      z: num(o.executedQty),
      l: num(lastQty),
      L: num(lastPrice),
      n: num(-lastFee),
      N: "USDT",
      ps: o.positionSide,
      rp: num(o.profit),
      T: o.updateTime,
      wt: "MARK_PRICE",
    },
  };
}

/** ACCOUNT_CONFIG_UPDATE: a symbol's long (`l`) and short (`S`) leverage and margin mode `mt` (the sim's is cross). */
export function accountConfigEvent(symbol: string, long: number, short: number, nowMs: number) {
  return { e: "ACCOUNT_CONFIG_UPDATE", E: nowMs, ac: { s: symbol, l: long, S: short, mt: "cross" } };
}

/** ACCOUNT_UPDATE with the positions one fill changed (in one-way mode both sides of the symbol). */
export function accountEvent(account: Account, positions: SimPosition[], mark: number, nowMs: number) {
  return {
    e: "ACCOUNT_UPDATE",
    E: nowMs,
    a: {
      m: "ORDER",
      B: [{ a: "USDT", wb: num(account.wallet), cw: num(account.wallet), bc: "0" }],
      P: positions.map((pos) => ({
        s: pos.symbol,
        pa: num(pos.positionAmt),
        ep: num(pos.avgPrice),
        up: num(account.unrealised(pos, mark)),
        mt: "cross",
        iw: "0",
        ps: pos.positionSide,
      })),
    },
  };
}

/**
 * A position as GET /openApi/swap/v2/user/positions reports it: `positionSide` is the direction
 * (LONG/SHORT) and `positionAmt` positive in both modes; `onlyOnePosition` tells one-way mode
 * (field as in the answers ccxt's bingx source records).
 */
export function restPosition(account: Account, p: SimPosition, mark: number, availableAmt: number, positionId: string) {
  const value = p.positionAmt * mark;
  const margin = (p.positionAmt * p.avgPrice) / p.leverage;
  const up = account.unrealised(p, mark);
  return {
    symbol: p.symbol,
    positionId: positionId,
    positionSide: p.positionSide,
    isolated: false,
    positionAmt: trim(p.positionAmt),
    availableAmt: trim(availableAmt),
    unrealizedProfit: num(up, 4),
    realisedProfit: num(p.realisedProfit, 4),
    initialMargin: num(margin, 4),
    margin: num(margin, 4),
    avgPrice: trim(p.avgPrice),
    markPrice: trim(mark),
    liquidationPrice: 0,
    leverage: p.leverage,
    positionValue: num(value, 4),
    pnlRatio: num(margin > 0 ? up / margin : 0, 4),
    currency: "USDT",
    onlyOnePosition: account.mode === "oneway",
  };
}

/** Amounts with 8 decimals, as BingX's v3 answers print them, so fees on book prices survive. */
export function restBalance(s: ReturnType<Account["summary"]>) {
  return {
    userId: "1000000001",
    asset: "USDT",
    balance: num(s.wallet),
    equity: num(s.equity),
    unrealizedProfit: num(s.unrealized),
    realisedProfit: num(s.realised),
    availableMargin: num(s.available_margin),
    usedMargin: num(s.used_margin),
    freezedMargin: num(s.freezed_margin),
    shortUid: "10000001",
  };
}
