/**
 * Quantities in the kernel's units, whole counts of 1e-8 (`qty_e8`), taken from a double as the
 * decimal it was written as. `size * 1e8` is not that: from 2^25 base units up the product rounds
 * to the wrong unit (33567350.7 * 1e8 is 3356735070000000.5, one unit high once rounded), and above
 * 2^53 units (about 9e7 base units) a double cannot hold the count at all. Every edge that judges
 * or carries a size (the kernel's record encoder, the launcher's size rules, the venue adapter's
 * step check, a slot image) scales it here, so all of them count the same units.
 *
 * Invariants:
 *  1. A double that is the nearest double to a decimal of at most 8 places, within the kernel's
 *     limit (QTY_MAX_E8: 1e9 base units), counts as exactly that decimal. From 2^26 base units up
 *     one double can be the nearest to two such decimals; it counts as the one it prints as (its
 *     shortest decimal, `String(x)`), which is how the clients read a size too.
 *  2. Below 2^25 base units the count is `Math.round(x * 1e8)`: the double is within 0.19 units of
 *     its decimal and the product adds at most 0.25, so the rounding lands on the decimal. Binary
 *     float noise within 1e-4 units plus 1e-15 of the count is that unit (0.1 + 0.2 is 0.3); more
 *     is a ninth decimal (`qtyE8` answers NaN). From 2^25 up the neighbouring doubles are at least
 *     0.75 units apart, so, as before, nothing there is refused as too precise: a double that no
 *     decimal of 8 places names (a float sum's residue) counts as the unit nearest it.
 *  3. Beyond 1e9 base units is out of the kernel's range (`qtyE8` answers ±Infinity); a count is a
 *     number while it is a safe integer and a bigint above (never a double that is not the count).
 *
 * Entry points: `qtyE8` (exact, or refused: the edges), `nearestE8` (a count as a number, exact
 * below 2^53 units), `unitsApart` (the exact difference of two sizes in units: comparisons and
 * late fills, also above 2^53 units), `fromE8` (a count back to the double nearest it), `textE8`
 * (a count as decimal text).
 */

import { KERNEL_LIMITS } from "./abi.ts";

const E8 = 100_000_000;
const E8_BIG = KERNEL_LIMITS.QTY_SCALE_E8;
/** Below this many base units `Math.round(x * 1e8)` is a decimal's exact count (invariant 2). */
const FAST_BELOW = 2 ** 25;
/** The kernel's largest quantity in base units (QTY_MAX_E8 / QTY_SCALE_E8 = 1e9). */
const QTY_MAX = Number(KERNEL_LIMITS.QTY_MAX_E8 / E8_BIG);
/** The largest whole part whose count of units is still a safe integer. */
const SAFE_WHOLE_BELOW = Math.floor(Number.MAX_SAFE_INTEGER / E8);
const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const NOISE_UNITS = 1e-4;
const NOISE_RELATIVE = 1e-15;
/** ulp(2^e) / 2 × 1e8 per 2^e: 2^-53 × 1e8 = 390625 × 2^-45, exact. */
const HALF_ULP_E8_PER_BINADE = 1e8 / 2 ** 53;

/** Half the gap between neighbouring doubles around `a` (2^25 <= a < 2^30), in units: ulp(a) / 2 × 1e8. */
function halfGapE8(a: number): number {
  let binade = FAST_BELOW;
  while (binade * 2 <= a) binade *= 2;
  return binade * HALF_ULP_E8_PER_BINADE; // exact: 2^e × 390625 × 2^-45
}

/**
 * The count of `x`, 2^25 <= |x| <= 1e9, in doubles only (no text, no BigInt below 2^53 units). The
 * whole part and the fraction's units `f` are exact (a - floor(a) is exact, and `f` needs at most
 * 46 bits). The decimals of 8 places naming `x` are the whole part plus the units `c` strictly
 * within half a gap of `f` (never on its edge: no such decimal is halfway between two doubles
 * below 2^45). Of those, the one `String(x)` prints, as ECMAScript's Number::toString picks it:
 * fewest digits (most trailing zeros), then nearest `x`, then an even last digit. None (a float
 * sum's residue, only below 2^26): the unit nearest `x`.
 */
function largeE8(x: number): number | bigint {
  const a = Math.abs(x);
  const whole = Math.floor(a);
  const f = (a - whole) * E8;
  const half = halfGapE8(a);
  let fraction = -1;
  let bestZeros = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  // At most 12 candidates (the gap is 11.9 units just below 2^30), each below 1e8: int32 arithmetic.
  for (let c = Math.max(0, Math.ceil(f - half)) | 0; c < f + half && c < E8; c = (c + 1) | 0) {
    if (c <= f - half) continue;
    let zeros = 0;
    let s = c;
    while (zeros < 8 && s % 10 === 0) {
      zeros++;
      s = (s / 10) | 0;
    }
    if (zeros < bestZeros) continue;
    const distance = Math.abs(c - f); // exact: both on f's binary grid
    if (zeros > bestZeros || distance < bestDistance || (distance === bestDistance && (s & 1) === 0)) {
      fraction = c;
      bestZeros = zeros;
      bestDistance = distance;
    }
  }
  if (fraction < 0) fraction = Math.round(f);
  if (whole < SAFE_WHOLE_BELOW) return x < 0 ? -(whole * E8 + fraction) : whole * E8 + fraction;
  const units = BigInt(whole) * E8_BIG + BigInt(fraction);
  return x < 0 ? -units : units;
}

/**
 * `size` in units of 1e-8, exactly as the decimal it names (invariant 1): a safe integer, or a
 * bigint from 2^53 units up. NaN for a size with a ninth decimal or a non-finite one, ±Infinity for
 * one beyond the kernel's 1e9 base units.
 */
export function qtyE8(size: number): number | bigint {
  const a = Math.abs(size);
  if (a < FAST_BELOW) {
    const scaled = size * E8;
    const units = Math.round(scaled);
    return Math.abs(scaled - units) <= NOISE_UNITS + Math.abs(units) * NOISE_RELATIVE ? units : Number.NaN;
  }
  if (!(a <= QTY_MAX)) return a > QTY_MAX ? Math.sign(size) * Number.POSITIVE_INFINITY : Number.NaN;
  return largeE8(size);
}

/**
 * The whole count of units nearest `value`, as a number: `qtyE8`'s count for a decimal of at most
 * 8 places (exact while safe), never refused. For comparing sizes and taking their differences in units. Beyond
 * 1e9 base units (no kernel size), or not finite, `Math.round(value * 1e8)`.
 */
export function nearestE8(value: number): number {
  const a = Math.abs(value);
  if (a < FAST_BELOW || !(a <= QTY_MAX)) return Math.round(value * E8);
  return Number(largeE8(value));
}

/**
 * `a - b` in whole units, each counted as `nearestE8` does but exactly also above 2^53 units (where
 * `nearestE8(a) - nearestE8(b)` takes 90071993.00000001 and 90071993 for one size): for judging two
 * sizes equal and a fill beyond what was booked.
 */
export function unitsApart(a: number, b: number): number {
  const [x, y] = [countOf(a), countOf(b)];
  return typeof x === "number" && typeof y === "number" ? x - y : Number(BigInt(x) - BigInt(y));
}

/** `value`'s count as `nearestE8` takes it, a bigint from 2^53 units up (never refused). */
function countOf(value: number): number | bigint {
  const a = Math.abs(value);
  return a < FAST_BELOW || !(a <= QTY_MAX) ? Math.round(value * E8) : largeE8(value);
}

/** `units` of 1e-8 as decimal text: "100000.00005", "-0.5", "7". */
export function textE8(units: bigint): string {
  const negative = units < 0n;
  const t = (negative ? -units : units).toString().padStart(9, "0");
  const fraction = t.slice(-8).replace(/0+$/, "");
  const text = fraction === "" ? t.slice(0, -8) : `${t.slice(0, -8)}.${fraction}`;
  return negative ? `-${text}` : text;
}

/** The double nearest `units` × 1e-8 (one rounding: `Number(units) / 1e8` rounds twice above 2^53). */
export function fromE8(units: bigint): number {
  if (units <= SAFE_BIG && units >= -SAFE_BIG) return Number(units) / E8;
  return Number(textE8(units));
}
