/**
 * The chaos matrix's case list (cases_core.ts, cases_slots.ts, cases_faults.ts) and the lookups the CLI and the
 * tests use: by name, and the live-safe subset.
 *
 * Entry points: `MATRIX`, `matrixCase(name)`, `liveSafeCases()`.
 */

import { CORE_CASES } from "./cases_core.ts";
import { FAULT_CASES } from "./cases_faults.ts";
import { SLOT_CASES } from "./cases_slots.ts";
import type { MatrixCase } from "./matrix.ts";

export const MATRIX: readonly MatrixCase[] = [...CORE_CASES, ...SLOT_CASES, ...FAULT_CASES];

const BY_NAME = new Map(MATRIX.map((c) => [c.name, c]));
if (BY_NAME.size !== MATRIX.length) throw new Error("Invariant: two matrix cases share a name");

/** The case of that name, or undefined. */
export function matrixCase(name: string): MatrixCase | undefined {
  return BY_NAME.get(name);
}

export function liveSafeCases(): MatrixCase[] {
  return MATRIX.filter((c) => c.liveSafe);
}
