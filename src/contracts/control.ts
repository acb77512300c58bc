/**
 * Control plane contract (docs/architecture.md §6): the runtime switches an operator may change
 * without a restart. Every accepted change yields a new snapshot with `version + 1`; a refused
 * change (unknown key, bad value, a key fixed at start) throws `ControlError` naming the key and
 * changes nothing. No key is accepted that changes nothing:
 *
 * - `mode` + `debug_clickhouse_enabled`: the transition journal to ClickHouse (both on);
 * - `verbosity`: QUIET; VERBOSE logs venue requests and answers (secrets masked); TRACE also
 *   every transition; `trace_transitions` logs every transition at any verbosity;
 * - `mirror_to_hazelcast`: the Hazelcast map mirror; `active_slot_limit`, `trading_state` and
 *   the risk limits (0 = off): enforced by the kernel, which the runtime keeps equal to them;
 * - `backend` and `reconcile_on_restart` are fixed at start (DITA_V2_VENUE,
 *   DITA_V2_RECONCILE_ON_RESTART): shown in the snapshot, refused as a change.
 */

import { TRADING_STATES, type TradingState } from "./enums.ts";

export const MODES = ["NORMAL", "DEBUG"] as const;
export const VERBOSITIES = ["QUIET", "VERBOSE", "TRACE"] as const;
export const BACKENDS = ["MOCK", "BINGX"] as const;

export type Mode = (typeof MODES)[number];
export type Verbosity = (typeof VERBOSITIES)[number];
export type Backend = (typeof BACKENDS)[number];

/** The risk limits as control keys (0 = off), each also `DITA_V2_<KEY>` at start. */
export interface RiskLimits {
  max_notional_per_trade: number;
  max_gross_exposure: number;
  max_orders_per_minute: number;
  max_leverage: number;
  max_drawdown_ratio: number;
}

export interface ControlSnapshot extends RiskLimits {
  version: number;
  mode: Mode;
  verbosity: Verbosity;
  backend: Backend;
  debug_clickhouse_enabled: boolean;
  trace_transitions: boolean;
  mirror_to_hazelcast: boolean;
  reconcile_on_restart: boolean;
  active_slot_limit: number;
  trading_state: TradingState;
  updated_at_ms: number;
}

export type ControlChange = Partial<Omit<ControlSnapshot, "version" | "updated_at_ms">>;

export class ControlError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = "ControlError";
  }
}

export const CONTROL_BOOLEAN_KEYS = ["debug_clickhouse_enabled", "trace_transitions", "mirror_to_hazelcast"] as const;

/** The risk limits: their ranges (the kernel refuses the same outside them). */
export const RISK_LIMIT_RANGES: Readonly<Record<keyof RiskLimits, { max: number; integer: boolean }>> = {
  max_notional_per_trade: { max: 1e15, integer: false },
  max_gross_exposure: { max: 1e15, integer: false },
  max_orders_per_minute: { max: 1200, integer: true },
  max_leverage: { max: 125, integer: true },
  max_drawdown_ratio: { max: 1, integer: false },
};

/** No risk limit on. */
export const RISK_LIMITS_OFF: RiskLimits = Object.freeze({
  max_notional_per_trade: 0,
  max_gross_exposure: 0,
  max_orders_per_minute: 0,
  max_leverage: 0,
  max_drawdown_ratio: 0,
});

/** Keys the snapshot shows but a running serve cannot change, with where they are set. */
const FIXED_AT_START: Readonly<Record<string, string>> = {
  backend: "the venue is chosen at start (DITA_V2_VENUE): restart serve to change it",
  reconcile_on_restart: "it is read at start (DITA_V2_RECONCILE_ON_RESTART): set it there for the next start",
};

/** Validates a change against the slot count; returns the next snapshot or throws ControlError. */
export function nextControlSnapshot(
  current: ControlSnapshot,
  change: Record<string, unknown>,
  slotCount: number,
  nowMs: number,
): ControlSnapshot {
  const next: ControlSnapshot = { ...current };
  for (const [key, value] of Object.entries(change)) applyKey(next, key, value, slotCount);
  next.version = current.version + 1;
  next.updated_at_ms = nowMs;
  return next;
}

function applyKey(next: ControlSnapshot, key: string, value: unknown, slotCount: number): void {
  if (key in FIXED_AT_START) throw new ControlError(key, `${key} cannot change while serving: ${FIXED_AT_START[key]}`);
  if (key in RISK_LIMIT_RANGES) {
    next[key as keyof RiskLimits] = riskLimit(key as keyof RiskLimits, value);
    return;
  }
  switch (key) {
    case "mode":
      next.mode = oneOf(key, value, MODES);
      return;
    case "verbosity":
      next.verbosity = oneOf(key, value, VERBOSITIES);
      return;
    case "trading_state":
      next.trading_state = oneOf(key, value, TRADING_STATES);
      return;
    case "active_slot_limit":
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > slotCount) {
        throw new ControlError(
          key,
          `active_slot_limit must be an integer 1..${slotCount}, got ${JSON.stringify(value)}`,
        );
      }
      next.active_slot_limit = value;
      return;
  }
  if ((CONTROL_BOOLEAN_KEYS as readonly string[]).includes(key)) {
    if (typeof value !== "boolean")
      throw new ControlError(key, `${key} must be true or false, got ${JSON.stringify(value)}`);
    next[key as (typeof CONTROL_BOOLEAN_KEYS)[number]] = value;
    return;
  }
  throw new ControlError(key, `unknown control key '${key}'`);
}

function riskLimit(key: keyof RiskLimits, value: unknown): number {
  const { max, integer } = RISK_LIMIT_RANGES[key];
  const ok = typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= max;
  if (!ok || (integer && !Number.isInteger(value))) {
    const what = integer ? `an integer 0..${max}` : `a number 0..${max}`;
    throw new ControlError(key, `${key} must be ${what} (0 = off), got ${JSON.stringify(value)}`);
  }
  return value as number;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ControlError(key, `${key} must be one of ${allowed.join("|")}, got ${JSON.stringify(value)}`);
}

/** A control plane: the InMemory and RealZinc implementations share this contract and suite. */
export interface ControlPlane {
  snapshot(): ControlSnapshot;
  /** Applies a validated change, publishes the new snapshot, notifies waiters. */
  apply(change: Record<string, unknown>, nowMs: number): ControlSnapshot;
  /** Resolves with the snapshot once its version differs from `lastVersion`, or null on timeout. */
  wait(lastVersion: number, timeoutMs: number): Promise<ControlSnapshot | null>;
  close(): void;
}
