/**
 * Binary records of the control region (ffi/README.md "Control region"): the 64-byte snapshot,
 * the 256-byte mailbox command and the 256-byte command result. Decoding validates everything
 * read from shared memory (enum ranges, booleans, lengths, reserved bytes, UTF-8, JSON shape)
 * and throws `ControlError` naming the offending key; encoding asserts its own inputs.
 */

import {
  BACKENDS,
  ControlError,
  type ControlSnapshot,
  MODES,
  RISK_LIMIT_RANGES,
  type RiskLimits,
  VERBOSITIES,
} from "../contracts/control.ts";
import { TRADING_STATES } from "../contracts/enums.ts";

export const SNAPSHOT_BYTES = 64;
export const COMMAND_BYTES = 256;
export const RESULT_BYTES = 256;
export const COMMAND_JSON_MAX = 240;
export const COMMAND_KIND_JSON_CHANGE = 1;
const BOOLS = ["debug_clickhouse_enabled", "trace_transitions", "mirror_to_hazelcast", "reconcile_on_restart"] as const;

export function encodeSnapshot(s: ControlSnapshot): Uint8Array {
  const out = new Uint8Array(SNAPSHOT_BYTES);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(s.version), true);
  dv.setBigUint64(8, BigInt(s.updated_at_ms), true);
  dv.setUint32(16, s.active_slot_limit, true);
  dv.setUint8(20, MODES.indexOf(s.mode) + 1);
  dv.setUint8(21, VERBOSITIES.indexOf(s.verbosity) + 1);
  dv.setUint8(22, BACKENDS.indexOf(s.backend) + 1);
  for (const [i, k] of BOOLS.entries()) dv.setUint8(23 + i, s[k] ? 1 : 0);
  dv.setUint8(27, TRADING_STATES.indexOf(s.trading_state) + 1);
  dv.setFloat64(32, s.max_notional_per_trade, true);
  dv.setFloat64(40, s.max_gross_exposure, true);
  dv.setFloat64(48, s.max_drawdown_ratio, true);
  dv.setUint32(56, s.max_orders_per_minute, true);
  dv.setUint16(60, s.max_leverage, true);
  if ([20, 21, 22, 27].some((o) => dv.getUint8(o) === 0))
    throw new Error(`Invariant: snapshot enum not encodable: ${JSON.stringify(s)}`);
  return out;
}

/** The risk limits at their offsets, each checked against its range (0 = off). */
function limitsAt(dv: DataView): RiskLimits {
  const limits: RiskLimits = {
    max_notional_per_trade: dv.getFloat64(32, true),
    max_gross_exposure: dv.getFloat64(40, true),
    max_drawdown_ratio: dv.getFloat64(48, true),
    max_orders_per_minute: dv.getUint32(56, true),
    max_leverage: dv.getUint16(60, true),
  };
  for (const [key, v] of Object.entries(limits) as Array<[keyof RiskLimits, number]>) {
    const { max, integer } = RISK_LIMIT_RANGES[key];
    if (!(Number.isFinite(v) && v >= 0 && v <= max) || (integer && !Number.isInteger(v)))
      throw new ControlError(key, `Condition failed: control snapshot ${key} = ${v} is outside 0..${max}`);
  }
  return limits;
}

function enumAt<T extends string>(dv: DataView, off: number, key: string, values: readonly T[]): T {
  const v = dv.getUint8(off);
  const name = values[v - 1];
  if (name === undefined)
    throw new ControlError(key, `Condition failed: control snapshot ${key} = ${v} is outside 1..${values.length}`);
  return name;
}

/** Returns null for a never-written snapshot (all zero), else a validated snapshot. */
export function decodeSnapshot(bytes: Uint8Array, slotCount: number): ControlSnapshot | null {
  if (bytes.byteLength !== SNAPSHOT_BYTES) throw new Error(`Invariant: snapshot is ${SNAPSHOT_BYTES} bytes`);
  if (bytes.every((b) => b === 0)) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = Number(dv.getBigUint64(0, true));
  const limit = dv.getUint32(16, true);
  if (version < 1 || !Number.isSafeInteger(version))
    throw new ControlError("version", `Condition failed: control snapshot version ${version} is invalid`);
  if (limit < 1 || limit > slotCount)
    throw new ControlError(
      "active_slot_limit",
      `Condition failed: control snapshot active_slot_limit ${limit} outside 1..${slotCount}`,
    );
  if (bytes.subarray(28, 32).some((b) => b !== 0) || bytes.subarray(62).some((b) => b !== 0))
    throw new ControlError("reserved", "Condition failed: control snapshot reserved bytes are not zero");
  const snap: ControlSnapshot = {
    version,
    mode: enumAt(dv, 20, "mode", MODES),
    verbosity: enumAt(dv, 21, "verbosity", VERBOSITIES),
    backend: enumAt(dv, 22, "backend", BACKENDS),
    debug_clickhouse_enabled: false,
    trace_transitions: false,
    mirror_to_hazelcast: false,
    reconcile_on_restart: false,
    active_slot_limit: limit,
    trading_state: enumAt(dv, 27, "trading_state", TRADING_STATES),
    ...limitsAt(dv),
    updated_at_ms: Number(dv.getBigUint64(8, true)),
  };
  BOOLS.forEach((k, i) => {
    const v = dv.getUint8(23 + i);
    if (v > 1) throw new ControlError(k, `Condition failed: control snapshot ${k} = ${v} is not 0 or 1`);
    snap[k] = v === 1;
  });
  return snap;
}

export function encodeCommand(change: Record<string, unknown>, requestId: number): Uint8Array {
  if (!Number.isInteger(requestId) || requestId < 0 || requestId > 0xffffffff)
    throw new Error(`Invariant: requestId must be a u32, got ${requestId}`);
  const json = new TextEncoder().encode(JSON.stringify(change));
  if (json.byteLength > COMMAND_JSON_MAX)
    throw new ControlError(
      "command",
      `control change is ${json.byteLength} bytes of JSON; the mailbox takes at most ${COMMAND_JSON_MAX}`,
    );
  const out = new Uint8Array(COMMAND_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, COMMAND_KIND_JSON_CHANGE, true);
  dv.setUint16(2, json.byteLength, true);
  dv.setUint32(4, requestId, true);
  out.set(json, 16);
  return out;
}

export interface DecodedCommand {
  requestId: number;
  change: Record<string, unknown>;
}

/**
 * The request id of a mailbox record whose header is a command's (256 bytes, kind JSON_CHANGE),
 * read before the body is validated: a malformed body is still answered under its poster's id.
 * 0 for anything else (not a command: its id bytes mean nothing).
 */
export function commandRequestId(bytes: Uint8Array): number {
  if (bytes.byteLength !== COMMAND_BYTES) return 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return dv.getUint16(0, true) === COMMAND_KIND_JSON_CHANGE ? dv.getUint32(4, true) : 0;
}

/** Validates a mailbox record; throws ControlError("mailbox", ...) describing what is wrong. */
export function decodeCommand(bytes: Uint8Array): DecodedCommand {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string): never => {
    throw new ControlError("mailbox", `malformed mailbox command: ${why}`);
  };
  if (bytes.byteLength !== COMMAND_BYTES) bad(`record is ${bytes.byteLength} bytes, expected ${COMMAND_BYTES}`);
  const kind = dv.getUint16(0, true);
  const len = dv.getUint16(2, true);
  if (kind !== COMMAND_KIND_JSON_CHANGE) bad(`kind ${kind} is not 1 (JSON_CHANGE)`);
  if (len < 2 || len > COMMAND_JSON_MAX) bad(`json_len ${len} outside 2..${COMMAND_JSON_MAX}`);
  if (dv.getBigUint64(8, true) !== 0n || bytes.subarray(16 + len).some((b) => b !== 0))
    bad("reserved or padding bytes are not zero");
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(16, 16 + len));
  } catch {
    bad("json is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    bad(`json does not parse: ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    bad("json is not an object of key/value changes");
  if (Object.keys(value as object).length === 0) bad("change has no keys");
  return { requestId: dv.getUint32(4, true), change: value as Record<string, unknown> };
}
