/**
 * Small builders the matrix cases share: intents with fresh trade ids, sizes from the venue's
 * contract rules, prices on the tick, and expectations about stages and diagnostic codes.
 */

import type { KernelOutcome } from "../contracts/records.ts";
import type { Intent } from "./intents.ts";
import type { CaseContext } from "./matrix.ts";

export const BTC = "BTC-USDT";
export const ETH = "ETH-USDT";

type Side = "LONG" | "SHORT";

export interface EnterSpec {
  asset?: string;
  side?: Side;
  /** In units of the contract's quantity step above the minimum: 0 = the minimum size. */
  steps?: number;
  /** An explicit size (overrides `steps`). */
  size?: number;
  price?: number | null;
  leverage?: number;
}

/** The contract minimum plus `steps` quantity steps, on the step grid. */
export function lot(c: CaseContext, asset: string, steps = 0): number {
  const r = c.rules(asset);
  return onGrid(r.min_quantity + steps * r.quantity_step, r.quantity_step);
}

export function onGrid(x: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return Number((Math.round(x / step) * step).toFixed(decimals));
}

/** A price `ratio` away from `price`, on the asset's tick. */
export function away(c: CaseContext, asset: string, price: number, ratio: number): number {
  return onGrid(price * ratio, c.rules(asset).price_step);
}

export function enter(c: CaseContext, slot: number, s: EnterSpec = {}): Intent {
  const asset = s.asset ?? BTC;
  return {
    type: "ENTER",
    slot_id: slot,
    trade_id: c.trade(),
    asset,
    side: s.side ?? "LONG",
    size: s.size ?? lot(c, asset, s.steps ?? 0),
    price: s.price ?? null,
    leverage: s.leverage ?? 3,
  };
}

export function exit(slot: number, size: number, price: number | null = null): Intent {
  return { type: "EXIT", slot_id: slot, size, price, reason: "SIGNAL" };
}

export function cancel(slot: number): Intent {
  return { type: "CANCEL", slot_id: slot };
}

/** Exits the whole position of `slot` at market (nothing when it holds none). */
export function exitAll(c: CaseContext, slot: number): KernelOutcome | null {
  const s = c.slot(slot);
  return s.stage === "POSITION_OPEN" && s.size > 0 ? c.submit(exit(slot, s.size)) : null;
}

export function codes(o: KernelOutcome | null): string[] {
  return o ? o.diagnostics.map((d) => d.code) : [];
}

export function expectStage(c: CaseContext, slot: number, stages: readonly string[]): void {
  const s = c.slot(slot);
  c.expect(stages.includes(s.stage), `slot ${slot} is ${s.stage}, expected ${stages.join(" or ")}`);
}

export function expectCodes(
  c: CaseContext,
  o: KernelOutcome,
  accepted: boolean,
  want: readonly string[],
  what: string,
) {
  const got = codes(o);
  c.expect(
    o.accepted === accepted && want.every((w) => got.includes(w)),
    `${what}: accepted=${o.accepted} ${JSON.stringify(got)}, expected accepted=${accepted} with ${JSON.stringify(want)}`,
  );
}
