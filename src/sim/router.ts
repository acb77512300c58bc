/**
 * The endpoint table: method, path, authentication (public, signed, or API key only for the
 * listen key), the rate-limit bucket, and the handler. One row per BingX endpoint the sim
 * speaks; anything else answers HTTP 404.
 */

import type { Handler } from "./_http.ts";
import * as acct from "./handlers_account.ts";
import * as history from "./handlers_history.ts";
import * as market from "./handlers_market.ts";
import * as positions from "./handlers_positions.ts";
import * as trade from "./handlers_trade.ts";

export type Auth = "public" | "signed" | "apikey";

export interface Route {
  auth: Auth;
  bucket: string;
  handler: Handler;
  /** Order placements: the `drop_responses` fault applies after execution. */
  placement?: true;
}

const SWAP = "/openApi/swap";
const USER_STREAM = "/openApi/user/auth/userDataStream";
const DUAL = `${SWAP}/v1/positionSide/dual`;

const TABLE: [method: string, path: string, route: Route][] = [
  ["GET", `${SWAP}/v2/server/time`, { auth: "public", bucket: "market", handler: market.serverTime }],
  ["GET", `${SWAP}/v2/quote/contracts`, { auth: "public", bucket: "market", handler: market.contracts }],
  ["GET", `${SWAP}/v2/quote/premiumIndex`, { auth: "public", bucket: "market", handler: market.premiumIndex }],
  ["GET", `${SWAP}/v2/quote/depth`, { auth: "public", bucket: "market", handler: market.depth }],
  ["GET", `${SWAP}/v2/quote/ticker`, { auth: "public", bucket: "market", handler: market.ticker }],
  ["GET", "/openApi/spot/v1/common/symbols", { auth: "public", bucket: "market", handler: market.spotSymbols }],
  [
    "GET",
    "/openApi/cswap/v1/market/contracts",
    { auth: "public", bucket: "market", handler: market.coinMarginedContracts },
  ],
  [
    "POST",
    `${SWAP}/v2/trade/order`,
    { auth: "signed", bucket: "place_order", handler: trade.placeOrderHandler, placement: true },
  ],
  ["POST", `${SWAP}/v2/trade/order/test`, { auth: "signed", bucket: "test_order", handler: trade.testOrderHandler }],
  ["DELETE", `${SWAP}/v2/trade/order`, { auth: "signed", bucket: "cancel_order", handler: trade.cancelOrderHandler }],
  [
    "DELETE",
    `${SWAP}/v2/trade/allOpenOrders`,
    { auth: "signed", bucket: "cancel_all", handler: trade.cancelAllHandler },
  ],
  ["GET", `${SWAP}/v2/trade/order`, { auth: "signed", bucket: "query_order", handler: trade.queryOrderHandler }],
  ["GET", `${SWAP}/v2/trade/openOrders`, { auth: "signed", bucket: "open_orders", handler: trade.openOrdersHandler }],
  ["GET", `${SWAP}/v2/trade/allOrders`, { auth: "signed", bucket: "all_orders", handler: trade.allOrdersHandler }],
  [
    "GET",
    `${SWAP}/v2/trade/allFillOrders`,
    { auth: "signed", bucket: "fill_history", handler: history.allFillOrdersHandler },
  ],
  [
    "POST",
    `${SWAP}/v2/trade/closeAllPositions`,
    { auth: "signed", bucket: "close_all", handler: positions.closeAllPositionsHandler },
  ],
  ["GET", DUAL, { auth: "signed", bucket: "position_mode_read", handler: positions.positionModeGet }],
  ["POST", DUAL, { auth: "signed", bucket: "position_mode_write", handler: positions.positionModeSet }],
  [
    "GET",
    "/openApi/wallets/v1/capital/config/getall",
    { auth: "signed", bucket: "wallets", handler: history.capitalConfigHandler },
  ],
  ["GET", `${SWAP}/v2/user/positions`, { auth: "signed", bucket: "positions", handler: acct.positionsHandler }],
  ["GET", `${SWAP}/v2/user/balance`, { auth: "signed", bucket: "balance", handler: acct.balanceV2Handler }],
  ["GET", `${SWAP}/v3/user/balance`, { auth: "signed", bucket: "balance", handler: acct.balanceV3Handler }],
  ["GET", `${SWAP}/v2/trade/leverage`, { auth: "signed", bucket: "leverage", handler: acct.leverageGetHandler }],
  ["POST", `${SWAP}/v2/trade/leverage`, { auth: "signed", bucket: "leverage", handler: acct.leverageSetHandler }],
  ["POST", USER_STREAM, { auth: "apikey", bucket: "listen_key", handler: acct.listenKeyCreate }],
  ["PUT", USER_STREAM, { auth: "apikey", bucket: "listen_key", handler: acct.listenKeyExtend }],
  ["DELETE", USER_STREAM, { auth: "apikey", bucket: "listen_key", handler: acct.listenKeyDelete }],
];

const ROUTES = new Map<string, Route>(TABLE.map(([m, path, r]) => [`${m} ${path}`, r]));
const PATHS = new Set<string>(TABLE.map(([, path]) => path));

export type Lookup = { kind: "route"; route: Route } | { kind: "bad_method" } | { kind: "not_found" };

export function lookup(method: string, pathname: string): Lookup {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  const route = ROUTES.get(`${method} ${path}`);
  if (route) return { kind: "route", route };
  return PATHS.has(path) ? { kind: "bad_method" } : { kind: "not_found" };
}
