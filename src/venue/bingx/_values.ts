/**
 * Validated readers for venue payload fields. BingX sends numbers both as JSON numbers and as
 * decimal strings; ids as huge bare numbers (kept as strings by _safe_json.ts) or strings. Each
 * reader returns `undefined` for anything it cannot read exactly, so callers can refuse the
 * payload as malformed instead of guessing. `feeBelievable` bounds a commission by its fill;
 * `writtenUnit` is the unit of the last decimal a number is written with (its rounding, at most).
 */

/** A finite number from a number or a decimal string; refuses magnitudes above 1e15. */
export function num(v: unknown): number | undefined {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^-?\d{1,20}(\.\d{1,20})?([eE][-+]?\d{1,3})?$/.test(v.trim())) n = Number(v);
  else return undefined;
  return Number.isFinite(n) && Math.abs(n) <= 1e15 ? n : undefined;
}

/** Like `num`, but an empty string or missing value reads as 0 (BingX sends "" for "none yet"). */
export function numOrZero(v: unknown): number | undefined {
  return v === undefined || v === null || v === "" ? 0 : num(v);
}

/**
 * The unit of the last decimal `v` is written with: "0.00001001" → 1e-8, "65000" → 1, 1.5e-7 → 1e-8
 * (a number as its shortest decimal); 0 for anything `num` refuses. A venue value rounded to some
 * decimals is within this unit of what it rounds (trailing zeros dropped only widen it).
 */
export function writtenUnit(v: unknown): number {
  if (num(v) === undefined) return 0;
  const m = /^[+-]?\d*(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(typeof v === "string" ? v.trim() : String(v));
  return m === null ? 0 : Number(`1e${Number(m[2] ?? 0) - (m[1]?.length ?? 0)}`);
}

/** An order id as exact decimal text: digits in a string, or a safe-integer number. */
export function idText(v: unknown): string | undefined {
  if (typeof v === "string" && /^\d{1,25}$/.test(v)) return v;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

export function text(v: unknown, maxLength = 200): string | undefined {
  return typeof v === "string" && v.length > 0 && v.length <= maxLength ? v : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** No commission is believed above this share of the filled notional (BingX charges 0.02-0.05%). */
export const FEE_RATE_MAX = 0.01;

/** A commission (either sign) within FEE_RATE_MAX of the filled `notional`: none without a fill. */
export function feeBelievable(fee: number, notional: number): boolean {
  return Math.abs(fee) <= FEE_RATE_MAX * notional * (1 + 1e-9);
}
