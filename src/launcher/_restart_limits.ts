/**
 * At start, per limit, the stricter of the kernel restored from the journal (the last run's
 * configuration, e.g. a limit the operator tightened at runtime) and the configured snapshot
 * (DITA_V2_ACTIVE_SLOT_LIMIT and the risk limits' variables, e.g. DITA_V2_MAX_LEVERAGE): a restart
 * never loosens a limit by itself.
 *
 * Stricter: `active_slot_limit` (1..slots, never off) the lower; a risk limit (0 = off, the
 * loosest of all) the lower of two that are on, else the one that is on. A fresh kernel (no
 * journal: limits off, the configured slot limit) so leaves every configured value.
 *
 * Entry point: `carriedLimits` (pure).
 */

import { type ControlSnapshot, RISK_LIMIT_RANGES, type RiskLimits } from "../contracts/control.ts";
import type { KernelConfig } from "../kernel/index.ts";

type LimitKey = keyof RiskLimits | "active_slot_limit";

/** The slot limit and every risk limit the control snapshot carries. */
const LIMITS: readonly LimitKey[] = ["active_slot_limit", ...(Object.keys(RISK_LIMIT_RANGES) as (keyof RiskLimits)[])];

/** True when `a` restricts more than `b` (a risk limit at 0 is off; the slot limit has no off). */
export function stricter(key: LimitKey, a: number, b: number): boolean {
  if (key === "active_slot_limit") return a < b;
  if (a === 0) return false;
  return b === 0 || a < b;
}

export interface CarriedLimit {
  key: LimitKey;
  restored: number;
  configured: number;
}

/** The limits whose restored value restricts more than the configured one (the change to apply). */
export function carriedLimits(restored: KernelConfig, configured: ControlSnapshot): CarriedLimit[] {
  return LIMITS.filter((key) => stricter(key, restored[key], configured[key])).map((key) => ({
    key,
    restored: restored[key],
    configured: configured[key],
  }));
}

/** One log line: the limit, both values and how to loosen it. */
export function carriedLine(c: CarriedLimit, version: number): string {
  const env = `DITA_V2_${c.key.toUpperCase()}=${c.configured}${c.configured === 0 ? " (off)" : ""}`;
  return `${c.key} ${c.restored} carried over from the last run (the journal), stricter than ${env}; control version ${version}: loosen it with dita-v2 control ${c.key}=${c.configured}`;
}
