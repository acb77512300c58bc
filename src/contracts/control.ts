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
 *
 * One source: `controlChangeSchema(slotCount)` (TypeBox) says what each key accepts; the parser
 * checks every value against it and the OpenAPI document publishes it. `ControlSnapshotSchema` is
 * pinned equal to `ControlSnapshot` at compile time.
 *
 * Entry points: `nextControlSnapshot`, `controlChangeSchema`, `ControlSnapshotSchema`, `ControlError`.
 */

import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { TRADING_STATES, type TradingState } from "./enums.ts";
import { show } from "./intent_parse.ts";
import { literals, type Same } from "./record_schemas.ts";

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

const oneOf = <const T extends readonly string[]>(values: T) =>
  literals(values, { description: `one of ${values.join("|")}` });
const riskLimitSchema = (key: keyof RiskLimits) => {
  const { max, integer } = RISK_LIMIT_RANGES[key];
  const description = `${integer ? "an integer" : "a number"} 0..${max} (0 = off)`;
  return integer
    ? Type.Integer({ minimum: 0, maximum: max, description })
    : Type.Number({ minimum: 0, maximum: max, description });
};
const flag = () => Type.Boolean({ description: "true or false" });

/**
 * The keys POST /control (and the control mailbox) may change, with what each accepts. The parser
 * below checks every value against this schema and says `<key> must be <description>`; the OpenAPI
 * document publishes the same object. `active_slot_limit` ends at the slot count of this process.
 */
export function controlChangeSchema(slotCount: number) {
  return Type.Object(
    {
      mode: Type.Optional(oneOf(MODES)),
      verbosity: Type.Optional(oneOf(VERBOSITIES)),
      debug_clickhouse_enabled: Type.Optional(flag()),
      trace_transitions: Type.Optional(flag()),
      mirror_to_hazelcast: Type.Optional(flag()),
      active_slot_limit: Type.Optional(
        Type.Integer({ minimum: 1, maximum: slotCount, description: `an integer 1..${slotCount}` }),
      ),
      trading_state: Type.Optional(oneOf(TRADING_STATES)),
      max_notional_per_trade: Type.Optional(riskLimitSchema("max_notional_per_trade")),
      max_gross_exposure: Type.Optional(riskLimitSchema("max_gross_exposure")),
      max_orders_per_minute: Type.Optional(riskLimitSchema("max_orders_per_minute")),
      max_leverage: Type.Optional(riskLimitSchema("max_leverage")),
      max_drawdown_ratio: Type.Optional(riskLimitSchema("max_drawdown_ratio")),
    },
    {
      additionalProperties: false,
      title: "ControlChange",
      description: `Any subset of these keys; ${Object.keys(FIXED_AT_START).join(" and ")} are fixed at start (shown in the snapshot, refused as a change)`,
    },
  );
}

/** The snapshot every reader sees (`GET /control`, `/status` → control). */
export const ControlSnapshotSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 0, description: "goes up by one per accepted change" }),
    mode: literals(MODES),
    verbosity: literals(VERBOSITIES),
    backend: literals(BACKENDS),
    debug_clickhouse_enabled: Type.Boolean(),
    trace_transitions: Type.Boolean(),
    mirror_to_hazelcast: Type.Boolean(),
    reconcile_on_restart: Type.Boolean(),
    active_slot_limit: Type.Integer({ minimum: 1 }),
    trading_state: literals(TRADING_STATES),
    max_notional_per_trade: Type.Number({ minimum: 0 }),
    max_gross_exposure: Type.Number({ minimum: 0 }),
    max_orders_per_minute: Type.Integer({ minimum: 0 }),
    max_leverage: Type.Integer({ minimum: 0 }),
    max_drawdown_ratio: Type.Number({ minimum: 0 }),
    updated_at_ms: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, title: "ControlSnapshot" },
);
export const _sameSnapshot: Same<Static<typeof ControlSnapshotSchema>, ControlSnapshot> = true;

const changeSchemas = new Map<number, ReturnType<typeof controlChangeSchema>>();

/** Validates a change against the slot count; returns the next snapshot or throws ControlError. */
export function nextControlSnapshot(
  current: ControlSnapshot,
  change: Record<string, unknown>,
  slotCount: number,
  nowMs: number,
): ControlSnapshot {
  let schema = changeSchemas.get(slotCount);
  if (schema === undefined) {
    schema = controlChangeSchema(slotCount);
    changeSchemas.set(slotCount, schema);
  }
  const next: ControlSnapshot = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (Object.hasOwn(FIXED_AT_START, key))
      throw new ControlError(key, `${key} cannot change while serving: ${FIXED_AT_START[key]}`);
    const property = Object.hasOwn(schema.properties, key)
      ? (schema.properties as Record<string, TSchema>)[key]
      : undefined;
    // An unknown key is the client's text: shown cut to 40 characters (as POST /intents does), never 15 000.
    if (property === undefined) throw new ControlError(key.slice(0, 40), `unknown control key '${key.slice(0, 40)}'`);
    if (!Value.Check(property, value))
      throw new ControlError(key, `${key} must be ${property.description}, got ${show(value)}`); // 1e999 is Infinity, not null
    (next as unknown as Record<string, unknown>)[key] = value;
  }
  next.version = current.version + 1;
  next.updated_at_ms = nowMs;
  return next;
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
