/**
 * An order's average price kept exactly: its cumulative quote (Σ quantity × price of its fills) as a
 * whole count of 10^-QUOTE_DECIMALS USDT, and the average as the double nearest quote / filled. The
 * venue's own average (the stream's `ap`, REST `avgPrice`) may be rounded (bingx-sim writes `ap` to
 * 8 decimals; the real venue's decimals are not documented), and the kernel books a trade's PnL as
 * filled × (exit average − entry average): 50 000 000 PEPE at an average rounded by 5e-9 is 0.25 USDT.
 *
 * Invariants:
 *  1. Quantities count in 1e-8 units (BingX's finest, the kernel's), prices in 1e-16: a quantity or
 *     price is read as the decimal it is written as (a double as its shortest decimal, `String(x)`),
 *     so the quote of fills whose quantity and price have at most 8 and 16 decimals is exact.
 *  2. `averageOf` is the double nearest the exact quotient (about 30 significant digits and a sticky
 *     digit are handed to the correctly rounding decimal parser), never a quotient of rounded doubles:
 *     one fill's average is its price exactly.
 *  3. Nothing here reads venue text unchecked: callers pass finite numbers or text `num` accepted; a
 *     value that is no decimal is an invariant failure (a programmer error), never venue input.
 *
 * Entry points: `QUOTE_DECIMALS`, `decimalUnits`, `quoteOf`, `averageOf`, `agreesWithin`.
 */

/** Decimals of a quote count: 8 of quantity plus 16 of price. */
export const QUOTE_DECIMALS = 24;
const QTY_DECIMALS = 8;
const PRICE_DECIMALS = QUOTE_DECIMALS - QTY_DECIMALS;
/** Significant digits of the quotient handed to the decimal parser (a double needs 17). */
const QUOTIENT_DIGITS = 30;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** 10^0 … 10^63 as bigints: a fill's arithmetic takes no power at run time. */
const POW10: readonly bigint[] = Array.from({ length: 64 }, (_, k) => 10n ** BigInt(k));
const PRICE_SCALE = POW10[PRICE_DECIMALS] as bigint;

/** `v` (a finite number or decimal text) × 10^decimals, rounded half away from zero to a whole count. */
export function decimalUnits(v: number | string, decimals: number): bigint {
  const written = typeof v === "string" ? v.trim() : String(v);
  const m = DECIMAL.exec(written);
  const whole = m?.[2] ?? "";
  const fraction = m?.[3] ?? "";
  if (m === null || whole + fraction === "") throw new Error(`Invariant: ${written.slice(0, 40)} is no decimal`);
  const digits = BigInt(whole + fraction);
  const shift = Number(m[4] ?? 0) - fraction.length + decimals;
  const units = shift >= 0 ? digits * pow10(shift) : halfUp(digits, pow10(-shift));
  return m[1] === "-" ? -units : units;
}

/** The quote of `size` at `price`: exact for at most 8 and 16 decimals. */
export function quoteOf(size: number, price: number): bigint {
  return decimalUnits(size, QTY_DECIMALS) * decimalUnits(price, PRICE_DECIMALS);
}

/** The double nearest quote / `size` (a price), 0 when nothing is filled. */
export function averageOf(quote: bigint, size: number): number {
  const sizeUnits = decimalUnits(size, QTY_DECIMALS);
  if (sizeUnits <= 0n || quote <= 0n) return 0;
  return nearestRatio(quote, sizeUnits * PRICE_SCALE);
}

/** True when `a` and `b` differ by at most `tolerance` (and the doubles' own residue, 1e-12 of them). */
export function agreesWithin(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance + 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function pow10(k: number): bigint {
  return POW10[k] ?? 10n ** BigInt(k);
}

function halfUp(n: bigint, d: bigint): bigint {
  return (n + d / 2n) / d;
}

/** The double nearest n / d for n, d > 0. */
function nearestRatio(n: bigint, d: bigint): number {
  const magnitude = Math.floor(Math.log10(Number(n) / Number(d))); // within one of the quotient's (both finite here)
  const shift = Math.max(0, QUOTIENT_DIGITS - magnitude);
  const scaled = n * pow10(shift);
  const sticky = scaled % d === 0n ? "0" : "1"; // a truncated tail never reads as an exact midpoint
  return Number(`${scaled / d}${sticky}e-${shift + 1}`);
}
