/**
 * Public market endpoints: server time, contract rules, premium index (mark price). They need
 * no signature, like BingX's; an unknown `symbol` answers 80014.
 */

import type { Ctx } from "./_http.ts";
import { contractJson } from "./contracts_catalog.ts";
import { symbolParam } from "./order_rules.ts";

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
