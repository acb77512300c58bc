/**
 * Namespace names. The strategy (DITA_V2_STRATEGY, default "pink") is lower-case in rows and
 * upper-cased in Hazelcast object names: DOLPHIN_STATE_PINK, DOLPHIN_PNL_PINK,
 * DITA_V2_ACTIVE_SLOTS_PINK, DITA_V2_CONTROL_PINK, topic DITA_V2_TRADE_EVENTS_PINK. ClickHouse tables
 * are shared by all strategies and every row carries `strategy`; every row id starts with
 * `<strategy>:`, which is what verify-isolation checks.
 */
import type { RecordKind } from "./types.ts";

export const DEFAULT_STRATEGY = "pink";
export const STRATEGY_RE = /^[a-z][a-z0-9_]{0,31}$/;

/** Validates a strategy name; throws one clear line naming DITA_V2_STRATEGY. */
export function checkStrategy(strategy: string): string {
  if (!STRATEGY_RE.test(strategy)) {
    throw new Error(
      `Condition failed: DITA_V2_STRATEGY must match ${STRATEGY_RE.source}, got ${JSON.stringify(strategy)}`,
    );
  }
  return strategy;
}

export interface NamespaceNames {
  state: string;
  pnl: string;
  active: string;
  control: string;
  topic: string;
}

export function namespaceNames(strategy: string): NamespaceNames {
  const ns = checkStrategy(strategy).toUpperCase();
  return {
    state: `DOLPHIN_STATE_${ns}`,
    pnl: `DOLPHIN_PNL_${ns}`,
    active: `DITA_V2_ACTIVE_SLOTS_${ns}`,
    control: `DITA_V2_CONTROL_${ns}`,
    topic: `DITA_V2_TRADE_EVENTS_${ns}`,
  };
}

/** Keys of the single-row maps. Slot maps are keyed by the slot id as a decimal string. */
export const PNL_KEY = "account";
export const CONTROL_KEY = "control";

export const TABLE_OF: Record<Exclude<RecordKind, "topic_event">, string> = {
  trade_event: "trade_events",
  transition: "dita_v2_transitions",
  diagnostic: "dita_v2_diagnostics",
  control_change: "dita_v2_control",
};
export const TABLES = Object.values(TABLE_OF);
