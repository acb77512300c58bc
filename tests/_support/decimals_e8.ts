/**
 * Exact decimals for money-edge property tests: quantities and prices as bigint units of 1e-8 (the kernel's
 * resolution), the venues' published steps and finer ones, decimal text as a venue writes it and back, the decimal
 * a double of a large size names, and a fast-check runner that names the seed of a failure.
 */

import fc from "fast-check";

export const E8 = 100_000_000n;

/** Quantity steps as venues publish them (BTC 0.0001 … DOGE, TRX 1), in 1e-8 units. */
export const STEPS_E8 = [
  10_000n,
  20_000n,
  50_000n,
  100_000n,
  250_000n,
  500_000n,
  1_000_000n,
  5_000_000n,
  10_000_000n,
  25_000_000n,
  50_000_000n,
  100_000_000n,
];

/** Steps finer than any venue publishes, down to the kernel's 1e-8: 1e-8, 1e-7, 1e-6, 1e-5 (powers of ten). */
export const FINE_STEPS_E8 = [1n, 10n, 100n, 1_000n];

/** The kernel's largest quantity, 1e9 base units (kernel/ABI.md QTY_MAX_E8). */
export const QTY_MAX_E8 = 100_000_000_000_000_000n;

/** `units` of 1e-8 as decimal text ("100000.00005"), the way a venue writes it. */
export function text(units: bigint): string {
  const t = units.toString().padStart(9, "0");
  const fraction = t.slice(-8).replace(/0+$/, "");
  return fraction === "" ? t.slice(0, -8) : `${t.slice(0, -8)}.${fraction}`;
}

/** The double that decimal text parses to. */
export const num = (u: bigint) => Number(text(u));

/** Decimal text with at most 8 decimals back to exact 1e-8 units. */
export function units(decimal: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,8}))?$/.exec(decimal);
  if (m === null) throw new Error(`test: not a plain decimal with at most 8 decimals: ${decimal}`);
  return BigInt(m[1]!) * E8 + BigInt((m[2] ?? "").padEnd(8, "0"));
}

/**
 * The decimal a size of `u` units reaches the kernel as, in units: `u` itself when its double is the
 * nearest double to no other decimal of 8 places (always below 2^26 base units); else the decimal
 * that double prints as (`String`, as the clients read it), one of those it is nearest to.
 */
export function printedUnits(u: bigint): bigint {
  const x = num(u);
  if (num(u - 1n) !== x && num(u + 1n) !== x) return u;
  return units(String(x));
}

/** Runs `prop`; a failure throws with its seed and counterexample. */
export function check<T>(prop: fc.IProperty<T>, numRuns: number): void {
  const r = fc.check(prop, { numRuns });
  if (r.failed) throw new Error(`property failed: seed=${r.seed}\n${fc.defaultReportMessage(r)}`);
}
