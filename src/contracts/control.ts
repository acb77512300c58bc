/**
 * Control plane contract (docs/architecture.md §6): the runtime switches an operator may change without a
 * restart. Every accepted change yields a new snapshot with `version + 1`; a refused change
 * (unknown key, bad value) throws `ControlError` naming the key and changes nothing.
 */

export const MODES = ["NORMAL", "DEBUG"] as const;
export const VERBOSITIES = ["QUIET", "VERBOSE", "TRACE"] as const;
export const BACKENDS = ["MOCK", "BINGX"] as const;

export type Mode = (typeof MODES)[number];
export type Verbosity = (typeof VERBOSITIES)[number];
export type Backend = (typeof BACKENDS)[number];

export interface ControlSnapshot {
  version: number;
  mode: Mode;
  verbosity: Verbosity;
  backend: Backend;
  debug_clickhouse_enabled: boolean;
  trace_transitions: boolean;
  mirror_to_hazelcast: boolean;
  reconcile_on_restart: boolean;
  active_slot_limit: number;
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

export const CONTROL_BOOLEAN_KEYS = [
  "debug_clickhouse_enabled",
  "trace_transitions",
  "mirror_to_hazelcast",
  "reconcile_on_restart",
] as const;

/** Validates a change against the slot count; returns the next snapshot or throws ControlError. */
export function nextControlSnapshot(
  current: ControlSnapshot,
  change: Record<string, unknown>,
  slotCount: number,
  nowMs: number,
): ControlSnapshot {
  const next: ControlSnapshot = { ...current };
  for (const [key, value] of Object.entries(change)) {
    switch (key) {
      case "mode":
        next.mode = oneOf(key, value, MODES);
        break;
      case "verbosity":
        next.verbosity = oneOf(key, value, VERBOSITIES);
        break;
      case "backend":
        next.backend = oneOf(key, value, BACKENDS);
        break;
      case "active_slot_limit":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > slotCount) {
          throw new ControlError(
            key,
            `active_slot_limit must be an integer 1..${slotCount}, got ${JSON.stringify(value)}`,
          );
        }
        next.active_slot_limit = value;
        break;
      default:
        if ((CONTROL_BOOLEAN_KEYS as readonly string[]).includes(key)) {
          if (typeof value !== "boolean")
            throw new ControlError(key, `${key} must be true or false, got ${JSON.stringify(value)}`);
          (next as unknown as Record<string, boolean>)[key] = value;
          break;
        }
        throw new ControlError(key, `unknown control key '${key}'`);
    }
  }
  next.version = current.version + 1;
  next.updated_at_ms = nowMs;
  return next;
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
