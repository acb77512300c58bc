/**
 * Contract rules checked before an order leaves the process. A size that is not a whole number
 * of the contract's quantity steps is refused (OFF_STEP), never rounded: the quantity a strategy
 * asked for is never changed behind its back (BingX would truncate it silently). Then refused
 * locally when it is below the minimum quantity or, when a reference price is known, below the
 * minimum notional (USDT). The launcher runs `sizeRuleBreach` at its edges already, so a strategy
 * learns of a bad size before the kernel sees the intent; this is the last guard.
 *
 * A close of the whole position (`closesPosition`: the kernel's exit for its slot's whole size,
 * `closes_position` on the order) is held to neither minimum: they are the venue's opening
 * minimums, and a position that fell below them (a partial fill, a price drop) must still close.
 * It is floored to the quantity step, so it never exceeds the position; less than one step is
 * refused (BELOW_STEP): BingX truncates a quantity to its step, so nothing could be sent, and a
 * size rounded up would exceed the position. The venue judges the rest.
 *
 * A limit price off the contract's tick is put on it on the order's own side of the price: a BUY
 * rounds down and a SELL up, so the order never trades worse than its limit (a BUY limit rounded
 * up onto the best ask would take it, above the limit and at the taker fee). Without a side (the
 * mock venue) it rounds to the nearest tick.
 *
 * A contract the venue lists but does not trade (its status other than 1: offline, pre-online,
 * suspended; or gone from the list) carries `not_trading` (`ListedContractRules`, set by
 * _contracts_refresh.ts) and every order on it is refused first (NOT_TRADING, naming the symbol
 * and the status; nothing sent), except a close of the whole position: BingX may still take closes
 * on a contract closed to opening (status 25), so a position is never trapped locally; the venue
 * judges it.
 *
 * A refusal is a value, never a throw: callers turn it into a `LOCAL_RULE` diagnostic and a
 * `REJECT` event whose message says which rule failed.
 *
 * Entry points: `applyContractRules`, `ListedContractRules`, `sizeRuleBreach`, `closesWholePosition`, `stepDecimals`,
 * `formatStep`, `defaultRules`.
 */

import { fromE8, qtyE8 } from "../../contracts/qty_e8.ts";
import type { ContractRules, OrderRequest, OrderSide } from "../../contracts/venue.ts";

export type RuleCheck =
  | { ok: true; size: number; quantity: string; price?: string }
  | {
      ok: false;
      rule: SizeRule | "MIN_NOTIONAL" | "INVALID_SIZE" | "INVALID_PRICE" | "NOT_TRADING";
      message: string;
    };

export type SizeRule = "OFF_STEP" | "MIN_QUANTITY" | "BELOW_STEP";

/** Rules as the BingX adapter holds them: `not_trading` says why the venue does not trade the contract now. */
/** Rules as the contract list gives them, `not_trading` included (e.g. "contract status 0", "no longer listed"). */
export type ListedContractRules = ContractRules;

/**
 * Null when `size` is at least the minimum quantity and a whole number of quantity steps, else
 * the rule it breaks (the minimum first) with one line naming the contract, the limit and the size.
 * For a close of the whole position (`closesPosition`) only less than one step is a breach.
 */
export function sizeRuleBreach(
  rules: ContractRules,
  size: number,
  closesPosition = false,
): { rule: SizeRule; message: string } | null {
  const step = rules.quantity_step;
  if (closesPosition) {
    if (Number(formatStep(size, step)) > 0) return null;
    return {
      rule: "BELOW_STEP",
      message: `closing the whole position of ${size} ${rules.asset}: less than its quantity step ${step}, which the venue cannot trade (it truncates to the step)`,
    };
  }
  if (size < rules.min_quantity - 1e-12) {
    return {
      rule: "MIN_QUANTITY",
      message: `size ${size} is below ${rules.asset}'s minimum quantity ${rules.min_quantity}`,
    };
  }
  if (!onStep(size, step)) {
    const down = formatStep(size, step);
    return {
      rule: "OFF_STEP",
      message: `size ${size} is not a multiple of ${rules.asset}'s quantity step ${step} (${down} or ${formatStep(Number(down) + step, step)} would be); refused, never rounded`,
    };
  }
  return null;
}

/**
 * Whether `size` is a whole number of `step`s. Both counted in the kernel's 1e-8 units as the
 * decimals they name (`qtyE8`, as the encoder counts them: `size * 1e8` is a unit off from 2^25 base
 * units up, which refused 33567350.7 at step 0.1) and judged exactly, since a float residue tolerance
 * grows with the size and above 10 it passed 10.00010001 at step 0.0001. Otherwise (a ninth decimal,
 * a step below 1e-8) within float residue only (0.3 / 0.1 = 2.9999999999999996).
 */
function onStep(size: number, step: number): boolean {
  const [units, stepUnits] = [qtyE8(size), qtyE8(step)];
  if (typeof stepUnits === "number" && Number.isSafeInteger(stepUnits) && stepUnits >= 1) {
    if (typeof units === "bigint") return units % BigInt(stepUnits) === 0n;
    if (Number.isSafeInteger(units)) return units % stepUnits === 0;
  }
  const steps = Math.round(size / step);
  return Math.abs(steps * step - size) <= 1e-9 * Math.max(1, Math.abs(size));
}

/** Whether `o` closes its slot's whole position: the kernel says so, and its sides close. */
export function closesWholePosition(o: OrderRequest): boolean {
  return o.closes_position === true && (o.side === "SELL") === (o.position_side === "LONG");
}

/** Number of decimals a step needs: 0.001 → 3, 1 → 0, 0.5 → 1, 1e-10 → 10. Bounded to 12. */
export function stepDecimals(step: number): number {
  if (!(step > 0)) throw new Error(`Invariant: step must be positive, got ${step}`);
  for (let d = 0; d <= 12; d++) {
    const scaled = step * 10 ** d;
    // Relative to the scaled step, which must reach a whole unit: a step of 1e-10 is not "0 decimals".
    const whole = Math.round(scaled);
    if (whole >= 1 && Math.abs(scaled - whole) < 1e-9 * whole) return d;
  }
  return 12;
}

type StepMode = "down" | "up" | "nearest";

/**
 * Rounds `value` to a multiple of `step` (down by default; "up" for the next multiple at or
 * above it), returning exact decimal text. Both on the kernel's 1e-8 grid (a size up to 1e9, a
 * price with at most 8 decimals): in whole units, so the text is the kernel's own count at any size
 * (a float quotient sent 840035688.23380220 for a size the kernel holds as 840035688.2338023 at
 * step 1e-8). Otherwise in floats, within their residue.
 */
export function formatStep(value: number, step: number, mode: StepMode = "down"): string {
  const d = stepDecimals(step);
  const exact = d <= 8 ? formatStepE8(value, step, d, mode) : null;
  if (exact !== null) return exact;
  const q = value / step;
  // The epsilon absorbs float residue (0.3 / 0.1 = 2.9999999999999996), which grows with the
  // number of steps (64999.9 / 0.1), without rounding across a step: a few units in the last place
  // of `q` (2.2e-16 each), never as much as 1e-8 of the value (1e-12 × 1.9e10 ticks put a BUY
  // limit of 187499.99999982 at tick 0.00001 up on 187500).
  const residue = Math.max(1e-9, Math.abs(q) * 4e-15);
  const units = mode === "down" ? Math.floor(q + residue) : mode === "up" ? Math.ceil(q - residue) : Math.round(q);
  return (units * step).toFixed(d);
}

/**
 * `formatStep` in whole 1e-8 units (`qtyE8`); null unless `value` is the very double of a decimal of
 * at most 8 places (float noise, 0.83141225000096 taken "up", keeps the float path) and `step` a
 * whole number of units.
 */
function formatStepE8(value: number, step: number, d: number, mode: StepMode): string | null {
  const [units, stepUnits] = [qtyE8(value), qtyE8(step)];
  if (typeof stepUnits !== "number" || !Number.isSafeInteger(stepUnits) || stepUnits < 1) return null;
  if (typeof units === "number" && !Number.isSafeInteger(units)) return null;
  const u = BigInt(units);
  if (fromE8(u) !== value) return null;
  const unit = BigInt(stepUnits);
  const below = u - (((u % unit) + unit) % unit); // floor, below zero too
  const gap = u - below;
  const up = mode === "up" || (mode === "nearest" && gap * 2n >= unit);
  const onto = gap === 0n || !up ? below : below + unit;
  const text = (onto < 0n ? -onto : onto).toString().padStart(9, "0");
  const whole = text.length - 8;
  const fraction = d === 0 ? "" : `.${text.slice(whole, whole + d)}`;
  return `${onto < 0n ? "-" : ""}${text.slice(0, whole)}${fraction}`;
}

/**
 * `side`: the order's side, so that its limit price rounds onto the tick never worse for it.
 * `closesPosition`: the order closes its slot's whole position (see the module comment).
 */
export function applyContractRules(
  rules: ListedContractRules,
  size: number,
  limitPrice: number | undefined,
  referencePrice: number | undefined,
  side?: OrderSide,
  closesPosition = false,
): RuleCheck {
  if (rules.not_trading !== undefined && !closesPosition) {
    const message = `${rules.asset} is not trading at the venue (${rules.not_trading}); refused, nothing sent`;
    return { ok: false, rule: "NOT_TRADING", message };
  }
  if (!Number.isFinite(size) || size <= 0) {
    return { ok: false, rule: "INVALID_SIZE", message: `size must be a positive finite number, got ${size}` };
  }
  if (limitPrice !== undefined && !(Number.isFinite(limitPrice) && limitPrice > 0)) {
    return { ok: false, rule: "INVALID_PRICE", message: `limit price must be positive, got ${limitPrice}` };
  }
  const breach = sizeRuleBreach(rules, size, closesPosition);
  if (breach !== null) return { ok: false, ...breach };
  const quantity = formatStep(size, rules.quantity_step, closesPosition ? "down" : "nearest");
  const rounded = Number(quantity);
  let onTick: string | undefined;
  if (limitPrice !== undefined) {
    onTick = formatStep(limitPrice, rules.price_step, side === "BUY" ? "down" : side === "SELL" ? "up" : "nearest");
    if (!(Number(onTick) > 0)) {
      const message = `limit price ${limitPrice} is below ${rules.asset}'s price tick ${rules.price_step}`;
      return { ok: false, rule: "INVALID_PRICE", message };
    }
  }
  // The notional the venue judges: at the limit price as sent (on the tick), else the reference.
  const price = onTick !== undefined ? Number(onTick) : referencePrice;
  // Within float rounding of the minimum is at it (0.57 × 100 is 56.99999999999999 in binary).
  const below = price !== undefined && rounded * price < rules.min_notional * (1 - 1e-12);
  if (!closesPosition && rules.min_notional > 0 && below) {
    return {
      ok: false,
      rule: "MIN_NOTIONAL",
      message: `notional ${(rounded * price).toFixed(4)} USDT (${quantity} × ${price}) on ${rules.asset} is below the minimum ${rules.min_notional} USDT`,
    };
  }
  return onTick === undefined
    ? { ok: true, size: rounded, quantity }
    : { ok: true, size: rounded, quantity, price: onTick };
}

/** Default rules for an asset the caller did not describe (used by the mock). */
export function defaultRules(asset: string): ContractRules {
  return { asset, quantity_step: 0.0001, price_step: 0.1, min_quantity: 0.0001, min_notional: 2, max_leverage: 125 };
}
