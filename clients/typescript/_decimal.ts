/**
 * Quantities as whole 1e-8 units (the kernel's qty_e8), exact in decimal: a finite number means
 * its shortest decimal, the digits it prints as (0.29 is 29000000 units, though the double 0.29 is
 * a hair below it; 83569006.99 is 8356900699000000 units, though a 17-digit decimal names the same
 * double), so nothing here is off by one unit the way `Math.floor(x * 1e8)` is.
 *
 * A quantity step is a whole number of units too (`stepE8`), and sizes are floored to it in units
 * (`floorToStepE8`), so a multiple of the step stays whole at any magnitude.
 *
 * Entry points: `exactE8`, `roundE8`, `floorE8`, `nearE8`, `floorQuotientE8`, `fromE8`, `stepE8`, `floorToStepE8`.
 */

/** A finite `v` as `digits × 10^exp`, from its shortest decimal (`String(v)`, exponent form included). */
function decimalOf(v: number): { negative: boolean; digits: bigint; exp: number } {
  const [mantissa = "0", power = "0"] = Math.abs(v).toString().split("e");
  const [whole = "0", fraction = ""] = mantissa.split(".");
  return { negative: v < 0, digits: BigInt(whole + fraction), exp: Number(power) - fraction.length };
}

/** `v`'s shortest decimal in units: the whole part and the remainder dropped below one unit (0 when exact). */
function split(v: number): { negative: boolean; units: bigint; rest: bigint; half: bigint } {
  const { negative, digits, exp } = decimalOf(v);
  const shift = exp + 8;
  if (shift >= 0) return { negative, units: digits * 10n ** BigInt(shift), rest: 0n, half: 1n };
  const scale = 10n ** BigInt(-shift);
  return { negative, units: digits / scale, rest: digits % scale, half: scale / 2n };
}

const signed = (negative: boolean, units: bigint): bigint => (negative ? -units : units);

/** `v` in units when its shortest decimal has at most 8 decimals, else null. */
export function exactE8(v: number): bigint | null {
  const { negative, units, rest } = split(v);
  return rest === 0n ? signed(negative, units) : null;
}

/** `v` to the nearest whole number of units (halves away from zero). */
export function roundE8(v: number): bigint {
  const { negative, units, rest, half } = split(v);
  return signed(negative, rest > 0n && rest >= half ? units + 1n : units);
}

/** The largest whole number of units not above `v` (`v` itself when it has at most 8 decimals). */
export function floorE8(v: number): bigint {
  const { negative, units, rest } = split(v);
  return negative ? -(rest > 0n ? units + 1n : units) : units;
}

/** The distance from a finite `v` to the next double away from zero (Python's `math.ulp`). */
function ulp(v: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(v));
  const exponent = (dv.getUint16(0) >> 4) & 0x7ff;
  return exponent === 0 ? Number.MIN_VALUE : 2 ** (exponent - 1075);
}

/**
 * `floorE8(v)`, except that a `v` within 4 ulps of a whole unit is that unit: float noise
 * (0.005 * 0.7 = 0.0034999999999999996) is not a smaller size. Python's `_float_units`.
 */
export function nearE8(v: number): bigint {
  const nearest = roundE8(v);
  return Math.abs(v - fromE8(nearest)) <= 4 * ulp(v) ? nearest : floorE8(v);
}

/**
 * The largest whole number of units not above `factors[0] × factors[1] × … ÷ divisor`, computed
 * exactly on the numbers' shortest decimals (no float product or quotient in between): 0.7 × 0.1
 * is 0.07, never 0.06999999; a bigint factor is an exact count of 1e-8 units (a slot's `sizeE8`).
 * All finite; `divisor` > 0.
 */
export function floorQuotientE8(factors: readonly (number | bigint)[], divisor = 1): bigint {
  let num = 1n;
  let exp = 8;
  for (const f of factors) {
    const d = typeof f === "bigint" ? { negative: f < 0n, digits: f < 0n ? -f : f, exp: -8 } : decimalOf(f);
    num *= d.negative ? -d.digits : d.digits;
    exp += d.exp;
  }
  const div = decimalOf(divisor);
  exp -= div.exp;
  const den = exp >= 0 ? div.digits : div.digits * 10n ** BigInt(-exp);
  if (exp > 0) num *= 10n ** BigInt(exp);
  const q = num / den;
  return num < 0n && q * den !== num ? q - 1n : q;
}

/** Units back to the number whose shortest decimal they are. */
export function fromE8(units: bigint): number {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(9, "0");
  return Number(`${negative ? "-" : ""}${digits.slice(0, -8)}.${digits.slice(-8)}`);
}

/** A step in whole units: rounded (halves up) and at least 1; none, or one <= 0, is 1 unit; null for a non-finite step. */
export function stepE8(step: number | undefined): bigint | null {
  const s = step ?? 1e-8;
  if (!Number.isFinite(s)) return null;
  const units = s > 0 ? roundE8(s) : 1n;
  return units > 0n ? units : 1n;
}

/** The largest multiple of the step not above `units` (floor division, also below zero); null for a non-finite step. */
export function floorToStepE8(units: bigint, step: number | undefined): bigint | null {
  const unit = stepE8(step);
  if (unit === null) return null;
  return (units / unit - (units % unit < 0n ? 1n : 0n)) * unit;
}
