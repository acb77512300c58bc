/**
 * Exact decimals for money-edge property tests: quantities and prices as bigint units of 1e-8 (the kernel's
 * resolution), the venues' published steps, decimal text as a venue writes it, and a fast-check runner that names
 * the seed of a failure.
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

/** `units` of 1e-8 as decimal text ("100000.00005"), the way a venue writes it. */
export function text(units: bigint): string {
  const t = units.toString().padStart(9, "0");
  const fraction = t.slice(-8).replace(/0+$/, "");
  return fraction === "" ? t.slice(0, -8) : `${t.slice(0, -8)}.${fraction}`;
}

/** The double that decimal text parses to. */
export const num = (u: bigint) => Number(text(u));

/** Runs `prop`; a failure throws with its seed and counterexample. */
export function check<T>(prop: fc.IProperty<T>, numRuns: number): void {
  const r = fc.check(prop, { numRuns });
  if (r.failed) throw new Error(`property failed: seed=${r.seed}\n${fc.defaultReportMessage(r)}`);
}
