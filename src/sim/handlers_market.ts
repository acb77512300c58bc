/**
 * Public market endpoints: server time, contract rules, premium index (mark price), the order
 * book (`/v2/quote/depth`), the 24 h ticker (`/v2/quote/ticker`), and the two listings ccxt's
 * loadMarkets reads besides USDT-M contracts (spot symbols, coin-M contracts), which the sim
 * answers as empty lists because it lists USDT-M perpetuals only. They need no signature, like
 * BingX's; an unknown `symbol` answers 80014.
 */

import type { Ctx } from "./_http.ts";
import { contractJson } from "./contracts_catalog.ts";
import { Code, fail } from "./errors.ts";
import { symbolParam } from "./order_rules.ts";
import { str } from "./params.ts";
import { depthJson, tickerJson } from "./views_market.ts";

/** BingX "Order Book": limit is one of these, default 20. */
const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

export function serverTime({ core }: Ctx) {
  return { serverTime: core.now() };
}

export function contracts({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  return [...core.catalog.values()].filter((r) => symbol === undefined || r.symbol === symbol).map(contractJson);
}

export function premiumIndex({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  const now = core.now();
  const nextFunding = (Math.floor(now / 28_800_000) + 1) * 28_800_000;
  const one = (s: string) => {
    const mark = String(core.mark(s));
    return {
      symbol: s,
      markPrice: mark,
      indexPrice: mark,
      lastFundingRate: "0.00010000",
      nextFundingTime: nextFunding,
    };
  };
  return symbol ? one(symbol) : [...core.catalog.keys()].map(one);
}

export function depth({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, true) as string;
  const text = str(p, "limit");
  const limit = text === undefined ? 20 : Number(text);
  if (!DEPTH_LIMITS.includes(limit))
    fail(Code.INVALID_PARAMETER, `err: limit must be one of ${DEPTH_LIMITS.join(",")}`);
  const mark = core.mark(symbol);
  return depthJson(core.books.levels(symbol, "bids", mark), core.books.levels(symbol, "asks", mark), limit, core.now());
}

export function ticker({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  const one = (s: string) => {
    const mark = core.mark(s);
    return tickerJson(s, mark, core.stats.of(s, mark, core.now()), core.books.best(s, mark));
  };
  return symbol ? one(symbol) : [...core.catalog.keys()].map(one);
}

/** GET /openApi/spot/v1/common/symbols: the sim lists no spot markets. */
export function spotSymbols() {
  return { symbols: [] };
}

/** GET /openApi/cswap/v1/market/contracts: the sim lists no coin-margined contracts. */
export function coinMarginedContracts() {
  return [];
}
