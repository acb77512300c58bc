/**
 * The decision-to-intent translation (docs/strategy-guide.md, "The seam"): a strategy decides
 * (open long or short, scale out, take profit, stop loss, cancel, close all); this pure function
 * turns one decision and the kernel's current slots and account into kernel intents, or into one
 * `SeamRefusal` saying why nothing can be sent. It never sends anything and keeps no state.
 *
 * Rules (each has a mapping test in tests/unit/client_seam_plan.test.ts):
 *  1. OPEN → one ENTER, in the decision's slot or the first IDLE/CLOSED slot (none: NO_FREE_SLOT).
 *     Size: the decision's `size`, or `capitalFraction × account equity × leverage ÷
 *     referencePrice`, floored to the asset's quantity step. The kernel's account is the only
 *     capital authority: a decision carries no capital of its own, and an unseeded account
 *     refuses fraction sizing (ACCOUNT_NOT_SEEDED).
 *  2. SCALE_OUT → one EXIT (reason SIGNAL) of `size` or `fraction × position`, floored to the
 *     step; the slot must hold an open position (NOT_OPEN); a size that floors to 0 is BELOW_STEP.
 *  3. TAKE_PROFIT / STOP_LOSS → one EXIT (reason TP / SL) of `size` floored to the step (0: BELOW_STEP),
 *     default the whole position. In 2 and 3 a size of the whole position or more, or one leaving
 *     less than one step (dust no later exit could close), is exactly the position (the kernel
 *     refuses an exit above it).
 *  4. CANCEL → one CANCEL of the slot's working order. In 2-4 a slot id that is not an integer
 *     ("1", "length", true, null, 1.5) is NO_SUCH_SLOT, as one outside the slots is (as in Python).
 *  5. CLOSE_ALL → per slot: ENTRY_WORKING → CANCEL; POSITION_OPEN → EXIT of the whole position
 *     (reason from the decision, default SIGNAL); EXIT_WORKING and STALE_STATE_RECONCILING slots
 *     are left alone and named in `skipped` (already leaving; the kernel is reconciling them). A
 *     reason that is not SIGNAL|TP|SL|MANUAL is BAD_DECISION before anything is planned.
 *  6. What is no decision (not an object, an unknown kind) is BAD_DECISION; so is a decision
 *     amount (size, fraction, capitalFraction, referencePrice, limitPrice, leverage) that is NaN,
 *     infinite or not a number, an OPEN leverage that is not an integer, a non-finite equity to
 *     size from, or a size the step makes non-finite (a NaN or infinite step): never a NaN size
 *     or a thrown error. These are judged before the
 *     slots (NO_FREE_SLOT, NO_SUCH_SLOT, NOT_OPEN), in the same order as the Python seam.
 *  Sizes from fractions are computed exactly on the numbers' shortest decimals (no float product
 *  in between: a tenth of 0.7 is 0.07), then floored to the step, as the Python seam does; an
 *  intent carries those units exactly (`sizeE8` when no double is them, above 2^53 units).
 *  Values the kernel judges (leverage range, asset, stage order) are not second-guessed here:
 *  its refusals come back as outcomes.
 *
 * Entry points: `Decision` and its constructors, `planDecision`, `floorToStep`.
 */

import { exactE8, floorQuotientE8, floorToStepE8, fromE8, nearE8, stepE8 } from "./_decimal.ts";
import type { Intent } from "./intents.ts";
import { type Account, EXIT_REASONS, type ExitReason, type Side, type Slot } from "./records.ts";

export type Decision =
  | {
      kind: "OPEN";
      side: Side;
      asset: string;
      leverage: number;
      size?: number;
      capitalFraction?: number;
      referencePrice?: number;
      limitPrice?: number;
      slotId?: number;
      tradeId?: string;
    }
  | { kind: "SCALE_OUT"; slotId: number; fraction?: number; size?: number; limitPrice?: number }
  | { kind: "TAKE_PROFIT"; slotId: number; size?: number; limitPrice?: number }
  | { kind: "STOP_LOSS"; slotId: number; size?: number }
  | { kind: "CANCEL"; slotId: number }
  | { kind: "CLOSE_ALL"; reason?: ExitReason };

type OpenArgs = Omit<Extract<Decision, { kind: "OPEN" }>, "kind" | "side" | "asset">;
export const openLong = (asset: string, a: OpenArgs): Decision => ({ kind: "OPEN", side: "LONG", asset, ...a });
export const openShort = (asset: string, a: OpenArgs): Decision => ({ kind: "OPEN", side: "SHORT", asset, ...a });
export const scaleOut = (slotId: number, a: { fraction?: number; size?: number; limitPrice?: number }): Decision => ({
  kind: "SCALE_OUT",
  slotId,
  ...a,
});
export const takeProfit = (slotId: number, a: { size?: number; limitPrice?: number } = {}): Decision => ({
  kind: "TAKE_PROFIT",
  slotId,
  ...a,
});
export const stopLoss = (slotId: number, a: { size?: number } = {}): Decision => ({ kind: "STOP_LOSS", slotId, ...a });
export const cancel = (slotId: number): Decision => ({ kind: "CANCEL", slotId });
export const closeAll = (reason: ExitReason = "SIGNAL"): Decision => ({ kind: "CLOSE_ALL", reason });

export type SeamRefusalCode =
  | "NO_FREE_SLOT"
  | "NOT_OPEN"
  | "BELOW_STEP"
  | "ACCOUNT_NOT_SEEDED"
  | "BAD_DECISION"
  | "NO_SUCH_SLOT";

export interface SeamRefusal {
  code: SeamRefusalCode;
  message: string;
  slotId: number | null;
}

export interface Plan {
  intents: Intent[];
  refusal: SeamRefusal | null;
  /** CLOSE_ALL: slots left alone, with why. */
  skipped: Array<{ slotId: number; stage: string }>;
}

export interface PlanContext {
  slots: readonly Slot[];
  account: Account;
  /** Quantity step per asset (e.g. {"BTC-USDT": 0.0001}); sizes computed from fractions are floored to it. */
  steps: Readonly<Record<string, number>>;
  /** Trade id for an OPEN without one. */
  nextTradeId: () => string;
}

/**
 * Floors `size` to a whole number of `step`s (default and minimum 1e-8), exactly in decimal
 * (integer 1e-8 units of the numbers' shortest decimals, `_decimal.ts`): a whole multiple comes
 * back unchanged (0.29 stays 0.29), anything else becomes the largest multiple not above it; a
 * size within float noise (4 ulps) of a whole 1e-8 unit counts as that unit (0.005 * 0.7 is
 * 0.0035), as Python's `floor_to_step`. A step with more than 8 decimals is rounded to 8 (halves
 * up). NaN for a size or step that is not finite.
 */
export function floorToStep(size: number, step: number | undefined): number {
  const e8 = Number.isFinite(size) ? floorToStepE8(nearE8(size), step) : null;
  return e8 === null ? Number.NaN : fromE8(e8);
}

/** An intent's size of exactly `units`: the number, and `sizeE8` when that number is not them (above 2^53 units). */
type Sized = { size: number; sizeE8?: bigint };
function sized(units: bigint): Sized {
  const size = fromE8(units);
  return exactE8(size) === units ? { size } : { size, sizeE8: units };
}

const refuse = (code: SeamRefusalCode, message: string, slotId: number | null = null): Plan => ({
  intents: [],
  refusal: { code, message, slotId },
  skipped: [],
});
const plan = (intents: Intent[]): Plan => ({ intents, refusal: null, skipped: [] });

/** The numbers a decision may carry: each, when given (not undefined or null), must be a finite number. */
const NUMBERS = ["size", "capitalFraction", "referencePrice", "limitPrice", "leverage", "fraction"] as const;

/** BAD_DECISION for a NaN, infinite or non-number amount in the decision, or a non-finite equity. */
function notFinite(d: Decision, ctx: PlanContext): Plan | null {
  const slotId = "slotId" in d && typeof d.slotId === "number" ? d.slotId : null;
  for (const key of NUMBERS) {
    const v = (d as Record<string, unknown>)[key];
    if (v !== undefined && v !== null && !(typeof v === "number" && Number.isFinite(v)))
      return refuse("BAD_DECISION", `${d.kind} ${key} must be a finite number, got ${String(v)}`, slotId);
  }
  if (d.kind === "OPEN" && !Number.isInteger(d.leverage))
    return refuse("BAD_DECISION", `OPEN leverage must be an integer, got ${String(d.leverage)}`);
  if (d.kind === "OPEN" && d.capitalFraction !== undefined && !Number.isFinite(ctx.account.equity))
    return refuse("BAD_DECISION", `the kernel's equity ${ctx.account.equity} is not a finite number`);
  return null;
}

function openSize(d: Extract<Decision, { kind: "OPEN" }>, ctx: PlanContext): Sized | Plan {
  const hasSize = d.size !== undefined;
  if (hasSize === (d.capitalFraction !== undefined))
    return refuse("BAD_DECISION", "OPEN needs exactly one of size or capitalFraction");
  if (hasSize) return { size: d.size! };
  if (!ctx.account.seeded)
    return refuse("ACCOUNT_NOT_SEEDED", "the kernel's account is not seeded yet: no equity to size from");
  const price = d.referencePrice ?? 0;
  if (!(price > 0)) return refuse("BAD_DECISION", "capitalFraction sizing needs a referencePrice > 0");
  const exact = floorQuotientE8([ctx.account.equity, d.capitalFraction!, d.leverage], price);
  const units = floorToStepE8(exact, ctx.steps[d.asset]);
  const size = units === null ? Number.NaN : fromE8(units);
  if (units === null || !Number.isFinite(size))
    return refuse("BAD_DECISION", `capitalFraction sizing gave ${size} (step ${ctx.steps[d.asset] ?? "1e-8"})`);
  return units > 0n
    ? sized(units)
    : refuse("BELOW_STEP", `${d.capitalFraction} of equity ${ctx.account.equity} is below one step of ${d.asset}`);
}

function slotOf(ctx: PlanContext, slotId: number): Slot | Plan {
  // an index only for an integer: `slots["1"]` is slot 1 and `slots["length"]` a number, never a slot id
  const s = Number.isInteger(slotId) ? ctx.slots[slotId] : undefined;
  return s ?? refuse("NO_SUCH_SLOT", `slot ${slotId} does not exist (0..${ctx.slots.length - 1})`, slotId);
}

/** The whole position as an exit's size: exactly the units the slot holds (`sizeE8` when the double is not them). */
export function whole(s: Slot): { size: number; sizeE8?: bigint } {
  return s.sizeE8 === undefined || exactE8(s.size) === s.sizeE8 ? { size: s.size } : { size: s.size, sizeE8: s.sizeE8 };
}

/**
 * An exit of `ask.units` (unfloored; no ask: the whole position) from an open slot, floored to the
 * step: nothing left is BELOW_STEP; all of it or more, or a part leaving less than one step (dust no
 * later exit could close), is exactly the units held (the kernel refuses an exit above them).
 */
function exitOf(
  ctx: PlanContext,
  slotId: number,
  ask: { units: bigint; what: string } | undefined,
  reason: ExitReason,
  price?: number,
): Plan {
  const s = slotOf(ctx, slotId);
  if ("intents" in s) return s;
  if (s.stage !== "POSITION_OPEN") return refuse("NOT_OPEN", `slot ${slotId} is ${s.stage}, not POSITION_OPEN`, slotId);
  const step = ctx.steps[s.asset];
  const e8 = ask === undefined ? null : floorToStepE8(ask.units, step);
  const size = e8 === null ? Number.NaN : fromE8(e8);
  if (ask !== undefined && !Number.isFinite(size))
    return refuse("BAD_DECISION", `${ask.what} of ${s.size} ${s.asset} gave ${size} (step ${step})`, slotId);
  if (ask !== undefined && e8 !== null && e8 <= 0n)
    return refuse("BELOW_STEP", `${ask.what} of ${s.size} ${s.asset} is below one step (${step ?? 1e-8})`, slotId);
  const all = e8 === null || (s.sizeE8 ?? nearE8(s.size)) - e8 < (stepE8(step) ?? 1n);
  return plan([{ type: "EXIT", slotId, ...(all ? whole(s) : sized(e8)), reason, price: price ?? null }]);
}

/** A decision's exit size in units (float residue within 4 ulps of a unit is that unit); undefined: none given. */
const sizeOf = (size: number | null | undefined) =>
  size == null ? undefined : { units: nearE8(size), what: `${size}` };

const KINDS = new Set(["OPEN", "SCALE_OUT", "TAKE_PROFIT", "STOP_LOSS", "CANCEL", "CLOSE_ALL"]);

export function planDecision(d: Decision, ctx: PlanContext): Plan {
  const kind: unknown = typeof d === "object" && d !== null ? d.kind : undefined;
  if (typeof kind !== "string" || !KINDS.has(kind))
    return refuse(
      "BAD_DECISION",
      `not a decision: ${typeof d === "object" && d !== null ? `kind ${String(kind)}` : String(d)}`,
    );
  const bad = notFinite(d, ctx);
  if (bad !== null) return bad;
  switch (d.kind) {
    case "OPEN": {
      const free = d.slotId ?? ctx.slots.find((s) => s.stage === "IDLE" || s.stage === "CLOSED")?.slotId;
      if (free === undefined) return refuse("NO_FREE_SLOT", "every slot holds a trade");
      const size = openSize(d, ctx);
      if ("intents" in size) return size;
      return plan([
        {
          type: "ENTER",
          slotId: free,
          tradeId: d.tradeId ?? ctx.nextTradeId(),
          asset: d.asset,
          side: d.side,
          ...size,
          price: d.limitPrice ?? null,
          leverage: d.leverage,
        },
      ]);
    }
    case "SCALE_OUT": {
      const s = slotOf(ctx, d.slotId);
      if ("intents" in s) return s;
      if (s.stage !== "POSITION_OPEN")
        return refuse("NOT_OPEN", `slot ${d.slotId} is ${s.stage}, not POSITION_OPEN`, d.slotId);
      if ((d.size == null) === (d.fraction == null))
        // null is not given, as Python's None
        return refuse("BAD_DECISION", "SCALE_OUT needs exactly one of size or fraction", d.slotId);
      const ask =
        d.size == null
          ? { units: floorQuotientE8([s.sizeE8 ?? s.size, d.fraction!]), what: String(d.fraction) }
          : sizeOf(d.size);
      return exitOf(ctx, d.slotId, ask, "SIGNAL", d.limitPrice);
    }
    case "TAKE_PROFIT":
      return exitOf(ctx, d.slotId, sizeOf(d.size), "TP", d.limitPrice);
    case "STOP_LOSS":
      return exitOf(ctx, d.slotId, sizeOf(d.size), "SL");
    case "CANCEL": {
      const s = slotOf(ctx, d.slotId);
      return "intents" in s ? s : plan([{ type: "CANCEL", slotId: d.slotId }]);
    }
    case "CLOSE_ALL": {
      const reason: unknown = d.reason === undefined ? "SIGNAL" : d.reason; // judged before any cancel is planned
      if (!EXIT_REASONS.includes(reason as ExitReason))
        return refuse(
          "BAD_DECISION",
          `CLOSE_ALL reason must be one of ${EXIT_REASONS.join("|")}, got ${String(reason)}`,
        );
      const out = plan([]);
      for (const s of ctx.slots) {
        if (s.stage === "ENTRY_WORKING") out.intents.push({ type: "CANCEL", slotId: s.slotId });
        else if (s.stage === "POSITION_OPEN")
          out.intents.push({ type: "EXIT", slotId: s.slotId, ...whole(s), reason: reason as ExitReason, price: null });
        else if (s.stage === "EXIT_WORKING" || s.stage === "STALE_STATE_RECONCILING")
          out.skipped.push({ slotId: s.slotId, stage: s.stage });
      }
      return out;
    }
  }
}
