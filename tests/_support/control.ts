/** A control snapshot for tests: every switch at its default, no risk limit on; `o` overrides fields. */

import { type ControlSnapshot, RISK_LIMITS_OFF } from "../../src/contracts/control.ts";

export function controlSnapshot(o: Partial<ControlSnapshot> = {}): ControlSnapshot {
  return {
    version: 3,
    updated_at_ms: 1_700_000_000_000,
    mode: "NORMAL",
    verbosity: "QUIET",
    backend: "MOCK",
    debug_clickhouse_enabled: false,
    trace_transitions: false,
    mirror_to_hazelcast: false,
    reconcile_on_restart: true,
    active_slot_limit: 4,
    trading_state: "ACTIVE",
    ...RISK_LIMITS_OFF,
    ...o,
  };
}
