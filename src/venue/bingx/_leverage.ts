/**
 * Setting a symbol's leverage at BingX (POST /openApi/swap/v2/trade/leverage), with what is known
 * checked before the call; a local refusal sends nothing (LOCAL_RULE diagnostic, a REJECT error):
 * - a leverage above the contract's maximum (contract rules from connect: the lower of
 *   maxLongLeverage and maxShortLeverage) is refused (rule MAX_LEVERAGE); unknown rules: the venue judges;
 * - one-way mode: the symbol has one leverage (side BOTH) that its position uses, whichever side,
 *   so a call while a position of that symbol is held at another leverage would re-lever it: refused
 *   (rule LEVERAGE_HELD) after a positions read (a failure of that read fails the call);
 * - an answer that names a leverage (`leverage`) other than the one asked is not taken as set
 *   (MALFORMED: the venue's value is unknown); an answer naming none is BingX's acceptance.
 *
 * Reading it (GET /openApi/swap/v2/trade/leverage, `readVenueLeverage`): the answer's `longLeverage`
 * and `shortLeverage` (a one-way account answers its one leverage in both), each a whole number from
 * 1 to the contract's maximum (its known rules; LEVERAGE_MAX when unknown), as a JSON number or
 * decimal text. Anything else (missing, 0, negative, fractional, above the maximum) is MALFORMED,
 * naming the field and value: the caller never compares with a number the venue did not say.
 *
 * Entry points: `setVenueLeverage(ctx, asset, side, leverage)`, `readVenueLeverage(ctx, asset)`,
 * `parseLeverage(data, asset, max)`, `LEVERAGE_MAX`.
 */

import type { PositionSide } from "../../contracts/venue.ts";
import type { SubmitContext } from "./_submit.ts";
import { isRecord, num } from "./_values.ts";
import * as ep from "./endpoints.ts";
import { VenueRequestError } from "./errors.ts";

/** BingX's highest leverage on any contract: the bound of a read leverage when the contract's rules are unknown. */
export const LEVERAGE_MAX = 125;

export async function setVenueLeverage(
  ctx: SubmitContext,
  asset: string,
  side: PositionSide,
  leverage: number,
): Promise<void> {
  ep.setLeverage(asset, side, leverage); // a leverage no request may carry throws here, first
  const max = ctx.knownRules(asset)?.max_leverage;
  if (max !== undefined && leverage > max)
    refuse(
      ctx,
      asset,
      "MAX_LEVERAGE",
      `leverage ${leverage} is above ${asset}'s maximum ${max} (contract rules); not sent`,
    );
  const mode = ctx.knownMode() ?? (await ctx.positionMode());
  if (mode === "oneway") {
    const held = (await ctx.positions(asset)).find((p) => p.asset === asset && p.size > 0 && p.leverage !== leverage);
    if (held)
      refuse(
        ctx,
        asset,
        "LEVERAGE_HELD",
        `one-way account holds ${held.side} ${held.size} ${asset} at leverage ${held.leverage}; setting the symbol's one leverage to ${leverage} would re-lever it; not sent`,
      );
  }
  const data = await ctx.rest.request(ep.setLeverage(asset, mode === "oneway" ? "BOTH" : side, leverage));
  const named = isRecord(data) ? data.leverage : undefined;
  if (named !== undefined && named !== null && num(named) !== leverage)
    throw new VenueRequestError(
      "MALFORMED",
      `set leverage ${asset} ${side} ${leverage}: the answer names leverage ${JSON.stringify(named).slice(0, 24)}`,
    );
}

function refuse(ctx: SubmitContext, asset: string, rule: string, message: string): never {
  ctx.diag({ code: "LOCAL_RULE", message, details: { rule, asset } });
  throw new VenueRequestError("REJECT", message);
}

/** The leverage BingX holds for `asset` per side now (one GET; strictly read: `parseLeverage`). */
export async function readVenueLeverage(ctx: SubmitContext, asset: string): Promise<Record<PositionSide, number>> {
  const data = await ctx.rest.request(ep.getLeverage(asset));
  return parseLeverage(data, asset, ctx.knownRules(asset)?.max_leverage ?? LEVERAGE_MAX);
}

/** The answer's long and short leverage, each a whole number in 1..`max`, else a MALFORMED VenueRequestError. */
export function parseLeverage(data: unknown, asset: string, max: number): Record<PositionSide, number> {
  const side = (field: "longLeverage" | "shortLeverage"): number => {
    const raw = isRecord(data) ? data[field] : undefined;
    const n = num(raw);
    if (n !== undefined && Number.isInteger(n) && n >= 1 && n <= max) return n;
    const shown = raw === undefined ? "missing" : JSON.stringify(raw).slice(0, 24);
    throw new VenueRequestError("MALFORMED", `leverage of ${asset}: ${field} ${shown} is not a leverage in 1..${max}`);
  };
  return { LONG: side("longLeverage"), SHORT: side("shortLeverage") };
}
