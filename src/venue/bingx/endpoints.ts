/**
 * Request builders for every BingX endpoint the adapter uses (USDT-M perpetual, either position
 * mode). Each returns a `RestRequest` (method, path, params, signed); the REST client adds
 * timestamp, recvWindow and signature. Values are already exact decimal text (see
 * contract_rules.ts).
 *
 * Hedge mode: `positionSide` LONG/SHORT with `side` BUY/SELL says open or close (close long =
 * SELL+LONG), so `reduceOnly` is not sent (BingX: "not accepted for both long and short positions
 * mode"); the kernel's `reduce_only` is enforced by the side pairing.
 * One-way mode: `positionSide` BOTH ("required for single position as BOTH"), and an exit goes
 * with `reduceOnly=true` so it can never open the opposite side; leverage is set with side BOTH.
 *
 * Entry points: `PATHS`, `placeOrder`, `cancelOrder`, `queryOrder`, `openOrders`, `positions`,
 * `balance`, `contracts`, `setLeverage`, `getLeverage`, `positionMode`, `premiumIndex`,
 * `listenKeyCreate`, `listenKeyExtend`, `listenKeyClose`, `serverTime`.
 */

import type { OrderSide, OrderType, PositionSide } from "../../contracts/venue.ts";
import { type RestRequest, SERVER_TIME_PATH } from "./rest_client.ts";

export const PATHS = {
  order: "/openApi/swap/v2/trade/order",
  openOrders: "/openApi/swap/v2/trade/openOrders",
  positions: "/openApi/swap/v2/user/positions",
  balance: "/openApi/swap/v2/user/balance",
  contracts: "/openApi/swap/v2/quote/contracts",
  leverage: "/openApi/swap/v2/trade/leverage",
  premiumIndex: "/openApi/swap/v2/quote/premiumIndex",
  positionMode: "/openApi/swap/v1/positionSide/dual",
  listenKey: "/openApi/user/auth/userDataStream",
  serverTime: SERVER_TIME_PATH,
} as const;

export interface PlaceOrderParams {
  symbol: string;
  side: OrderSide;
  /** LONG/SHORT in hedge mode, BOTH in one-way mode. */
  positionSide: PositionSide | "BOTH";
  type: OrderType;
  quantity: string;
  price?: string;
  clientOrderID: string;
  /** One-way mode only: true for an order that may only reduce the position. */
  reduceOnly?: boolean;
}

export function placeOrder(p: PlaceOrderParams): RestRequest {
  const params: Record<string, string> = {
    symbol: p.symbol,
    side: p.side,
    positionSide: p.positionSide,
    type: p.type,
    quantity: p.quantity,
    clientOrderID: p.clientOrderID,
  };
  if (p.positionSide === "BOTH") params.reduceOnly = p.reduceOnly === true ? "true" : "false";
  else if (p.reduceOnly !== undefined) throw new Error("Invariant: reduceOnly is sent in one-way mode only");
  if (p.type === "LIMIT") {
    if (p.price === undefined) throw new Error("Invariant: a LIMIT order needs a price");
    params.price = p.price;
    params.timeInForce = "GTC";
  }
  return { method: "POST", path: PATHS.order, params };
}

export function cancelOrder(symbol: string, clientOrderID: string): RestRequest {
  return { method: "DELETE", path: PATHS.order, params: { symbol, clientOrderID } };
}

export function queryOrder(symbol: string, clientOrderID: string): RestRequest {
  return { method: "GET", path: PATHS.order, params: { symbol, clientOrderID } };
}

export function openOrders(symbol?: string): RestRequest {
  return { method: "GET", path: PATHS.openOrders, params: symbol ? { symbol } : {} };
}

export function positions(symbol?: string): RestRequest {
  return { method: "GET", path: PATHS.positions, params: symbol ? { symbol } : {} };
}

export function balance(): RestRequest {
  return { method: "GET", path: PATHS.balance, params: {} };
}

export function contracts(): RestRequest {
  return { method: "GET", path: PATHS.contracts, params: {}, signed: false };
}

export function setLeverage(symbol: string, side: PositionSide | "BOTH", leverage: number): RestRequest {
  if (!(Number.isInteger(leverage) && leverage >= 1 && leverage <= 150))
    throw new Error(`Condition failed: leverage must be an integer in 1..150, got ${leverage}`);
  return { method: "POST", path: PATHS.leverage, params: { symbol, side, leverage } };
}

export function getLeverage(symbol: string): RestRequest {
  return { method: "GET", path: PATHS.leverage, params: { symbol } };
}

export function positionMode(): RestRequest {
  return { method: "GET", path: PATHS.positionMode, params: {} };
}

export function premiumIndex(symbol: string): RestRequest {
  return { method: "GET", path: PATHS.premiumIndex, params: { symbol }, signed: false };
}

export function listenKeyCreate(): RestRequest {
  return { method: "POST", path: PATHS.listenKey, params: {} };
}

export function listenKeyExtend(listenKey: string): RestRequest {
  return { method: "PUT", path: PATHS.listenKey, params: { listenKey } };
}

export function listenKeyClose(listenKey: string): RestRequest {
  return { method: "DELETE", path: PATHS.listenKey, params: { listenKey } };
}

export function serverTime(): RestRequest {
  return { method: "GET", path: PATHS.serverTime, signed: false };
}
