/**
 * Account endpoints: positions, balance (v2 object and v3 list), leverage (query and set per
 * symbol and side; BOTH in one-way mode), and the user-data listen key (POST create, PUT extend,
 * DELETE close).
 * Listen-key answers are not enveloped: POST answers `{"listenKey": …}`; PUT/DELETE of an
 * unknown or lapsed key answer HTTP 404, as BingX documents.
 */

import { type Ctx, RawAnswer } from "./_http.ts";
import { Code, fail } from "./errors.ts";
import { accountSummary } from "./margin.ts";
import { closableQty } from "./matching.ts";
import { symbolParam } from "./order_rules.ts";
import { oneOf, str } from "./params.ts";
import { restBalance, restPosition } from "./views.ts";

export function positionsHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, false);
  return core.account.openPositions(symbol).map((pos) => {
    const rule = core.catalog.get(pos.symbol);
    const positionId = `${rule?.contractId ?? "0"}00000000000000${pos.positionSide === "LONG" ? 1 : 2}`;
    return restPosition(
      core.account,
      pos,
      core.mark(pos.symbol),
      closableQty(core, pos.symbol, pos.positionSide),
      positionId,
    );
  });
}

export function balanceV2Handler({ core }: Ctx) {
  return { balance: restBalance(accountSummary(core)) };
}

export function balanceV3Handler({ core }: Ctx) {
  return [restBalance(accountSummary(core))];
}

export function leverageGetHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, true) as string;
  const max = core.catalog.get(symbol)?.maxLeverage ?? 1;
  return {
    longLeverage: core.account.leverage(symbol, "LONG"),
    shortLeverage: core.account.leverage(symbol, "SHORT"),
    maxLongLeverage: max,
    maxShortLeverage: max,
  };
}

/** BingX "Set Leverage": side LONG/SHORT in hedge mode, "In the One-way mode, only supports BOTH". */
export function leverageSetHandler({ core, p }: Ctx) {
  const symbol = symbolParam(core, p, true) as string;
  const side = oneOf(p, "side", ["LONG", "SHORT", "BOTH"] as const);
  if ((side === "BOTH") !== (core.account.mode === "oneway"))
    fail(Code.INVALID_PARAMETER, `err: side ${side} is not accepted in ${core.account.mode} mode`);
  const text = str(p, "leverage", true);
  const max = core.catalog.get(symbol)?.maxLeverage ?? 1;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1)
    fail(Code.INVALID_PARAMETER, "err: leverage must be a positive integer");
  if (Number(text) > max) fail(Code.LEVERAGE_ABOVE_LIMIT, `the maximum leverage of ${symbol} is ${max}`);
  core.setLeverage(symbol, side, Number(text)); // a change is pushed (ACCOUNT_CONFIG_UPDATE)
  return { leverage: Number(text), symbol };
}

export function listenKeyCreate({ core }: Ctx) {
  return new RawAnswer(200, { listenKey: core.listenKeys.create(core.ids.listenKey(), core.now()) });
}

export function listenKeyExtend({ core, p }: Ctx) {
  const key = str(p, "listenKey", true);
  if (!core.listenKeys.extend(key, core.now()))
    return new RawAnswer(404, { code: 80014, msg: "listenKey not found", data: {} });
  return new RawAnswer(200, {});
}

export function listenKeyDelete({ core, p }: Ctx) {
  const key = str(p, "listenKey", true);
  if (!core.listenKeys.close(key)) return new RawAnswer(404, { code: 80014, msg: "listenKey not found", data: {} });
  core.stream.closeKey(key);
  return new RawAnswer(200, {});
}
