/**
 * The 256-byte OutcomeRecord of the outcomes region (ffi/README.md §7, ffi/zinc.h): what the
 * launcher tells a ring producer about one of its intents — refused at the edge, applied or
 * refused by the kernel, or the venue's later answer to the order it made — with up to three
 * diagnostics, the slot's stage and version, and the first diagnostic's message.
 *
 * `OutcomeBatch` encodes records into one buffer for `ZincPlane.publishOutcomes` (the id's eight
 * bytes are copied from the intent record, so no BigInt on the hot path). `decodeOutcome` reads
 * one back and validates every field (a record in shared memory is untrusted): it throws
 * `ZincError("INVALID_IMAGE")` naming the field. Invariant: `encode ∘ decode` is the identity on
 * every field the record carries (tests/unit/zinc_outcome_record.test.ts).
 *
 * Entry points: `OutcomeBatch`, `decodeOutcome`, `clientIntentId`, the layout constants.
 */

import { EVENT_KINDS, FIELDS } from "../contracts/enums.ts";
import { DIAGNOSTIC_CODES, type DiagnosticRecord, ORDER_STATUSES, SEVERITIES, STAGES } from "../contracts/records.ts";
import { invariant, ZincError } from "./types.ts";

export const OUTCOME_RECORD_BYTES = 256;
export const OUTCOME_LANE_DEPTH = 256;
export const OUTCOME_LANES_MAX = 1024;
export const OUTCOME_DIAGNOSTICS_MAX = 3;
export const OUTCOME_MESSAGE_BYTES = 120;
export const OUTCOME_ORIGINS = ["EDGE", "KERNEL", "VENUE"] as const;
export type OutcomeOrigin = (typeof OUTCOME_ORIGINS)[number];

/** Byte offsets inside one record (ffi/zinc.h, "OutcomeRecord"). */
export const OUTCOME_OFF = {
  lock: 0,
  client_intent_id: 8,
  now_ms: 16,
  slot_version: 24,
  slot_id: 32,
  input_kind: 36,
  origin: 38,
  accepted: 39,
  stage: 40,
  diagnostic_count: 41,
  event_kind: 42,
  order_status: 43,
  diagnostics: 48,
  message: 120,
} as const;
export const OUTCOME_DIAG = { stride: 24, code: 0, severity: 2, field: 3, retryable: 4, retry_after_ms: 8, value: 16 };

const SLOT_NONE = 0xffff_ffff;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** What the launcher knows about one intent when it publishes its outcome. */
export interface OutcomeFacts {
  origin: OutcomeOrigin;
  now_ms: number;
  input_kind: number;
  slot_id: number | null;
  slot_version: number;
  accepted: boolean;
  stage: number;
  event_kind: number;
  order_status: number;
  diagnostics: readonly DiagnosticRecord[];
}

export interface DecodedOutcome extends Omit<OutcomeFacts, "diagnostics"> {
  client_intent_id: bigint;
  lane_position: number;
  diagnostic_count: number;
  diagnostics: Array<{
    code: string;
    severity: string;
    field: string;
    retryable: boolean;
    retry_after_ms: number | null;
    value: number | null;
  }>;
  message: string;
}

/** The parts of a client_intent_id: lane << 48 | generation << 32 | sequence. */
export function clientIntentId(id: bigint): { lane: number; generation: number; sequence: number } {
  return { lane: Number(id >> 48n), generation: Number((id >> 32n) & 0xffffn), sequence: Number(id & 0xffffffffn) };
}

export class OutcomeBatch {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  count = 0;

  constructor(readonly capacity: number) {
    invariant(Number.isInteger(capacity) && capacity >= 1 && capacity <= 65536, `outcome batch of ${capacity}`);
    this.bytes = new Uint8Array(capacity * OUTCOME_RECORD_BYTES);
    this.dv = new DataView(this.bytes.buffer);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  clear(): void {
    this.count = 0;
  }

  /** Appends one record for the intent whose 8 id bytes are `id` (little-endian u64). */
  add(id: Uint8Array, f: OutcomeFacts): void {
    invariant(this.count < this.capacity, "outcome batch is full");
    invariant(id.byteLength === 8, "client_intent_id is 8 bytes");
    const at = this.count * OUTCOME_RECORD_BYTES;
    const O = OUTCOME_OFF;
    this.bytes.fill(0, at, at + OUTCOME_RECORD_BYTES);
    this.bytes.set(id, at + O.client_intent_id);
    const dv = this.dv;
    setU64(dv, at + O.now_ms, f.now_ms);
    setU64(dv, at + O.slot_version, f.slot_version);
    dv.setUint32(at + O.slot_id, f.slot_id ?? SLOT_NONE, true);
    dv.setUint16(at + O.input_kind, f.input_kind, true);
    dv.setUint8(at + O.origin, OUTCOME_ORIGINS.indexOf(f.origin) + 1);
    dv.setUint8(at + O.accepted, f.accepted ? 1 : 0);
    dv.setUint8(at + O.stage, f.stage);
    dv.setUint8(at + O.diagnostic_count, Math.min(255, f.diagnostics.length));
    dv.setUint8(at + O.event_kind, f.event_kind);
    dv.setUint8(at + O.order_status, f.order_status);
    const n = Math.min(OUTCOME_DIAGNOSTICS_MAX, f.diagnostics.length);
    for (let i = 0; i < n; i++) this.diagnostic(at + O.diagnostics + i * OUTCOME_DIAG.stride, f.diagnostics[i]!);
    const first = f.diagnostics[0];
    if (first !== undefined) {
      encoder.encodeInto(first.message, this.bytes.subarray(at + O.message, at + O.message + OUTCOME_MESSAGE_BYTES));
    }
    this.count++;
  }

  private diagnostic(at: number, d: DiagnosticRecord): void {
    const dv = this.dv;
    const D = OUTCOME_DIAG;
    dv.setUint16(at + D.code, DIAGNOSTIC_CODES.indexOf(d.code as (typeof DIAGNOSTIC_CODES)[number]) + 1, true);
    dv.setUint8(at + D.severity, SEVERITIES.indexOf(d.severity) + 1);
    dv.setUint8(at + D.field, Math.max(0, FIELDS.indexOf((d.details.field ?? "NONE") as (typeof FIELDS)[number])));
    dv.setUint8(at + D.retryable, d.details.retryable === true ? 1 : 0);
    const after = d.details.retry_after_ms;
    dv.setBigInt64(at + D.retry_after_ms, typeof after === "number" ? BigInt(Math.trunc(after)) : -1n, true);
    const value = d.details.value;
    dv.setFloat64(at + D.value, typeof value === "number" ? value : Number.NaN, true);
  }
}

function setU64(dv: DataView, at: number, v: number): void {
  invariant(Number.isSafeInteger(v) && v >= 0, `u64 field out of range: ${v}`);
  dv.setUint32(at, v >>> 0, true);
  dv.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
}

function bad(field: string, why: string): never {
  throw new ZincError("INVALID_IMAGE", `Condition failed: outcome record ${field} ${why}`);
}

function enumName(list: readonly string[], v: number, field: string, zeroOk: boolean): string {
  if (v === 0 && zeroOk) return "";
  return list[v - 1] ?? bad(field, `= ${v} is outside 1..${list.length}`);
}

/** A boolean byte: 0 or 1; anything else is a broken writer, never read as false. */
function flag(v: number, field: string): boolean {
  return v <= 1 ? v === 1 : bad(field, `= ${v} is not 0 or 1`);
}

/** Decodes and validates one record read from a lane (its lock word names its lane position). */
export function decodeOutcome(bytes: Uint8Array): DecodedOutcome {
  if (bytes.byteLength !== OUTCOME_RECORD_BYTES) bad("size", `is ${bytes.byteLength} bytes, not 256`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const O = OUTCOME_OFF;
  const lock = dv.getBigUint64(O.lock, true);
  if (lock === 0n || lock % 2n === 1n) bad("lock", `= ${lock} is not a stable lane position`);
  const origin = dv.getUint8(O.origin);
  const stage = dv.getUint8(O.stage);
  enumName(STAGES, stage, "stage", true);
  const count = dv.getUint8(O.diagnostic_count);
  const diagnostics: DecodedOutcome["diagnostics"] = [];
  for (let i = 0; i < Math.min(count, OUTCOME_DIAGNOSTICS_MAX); i++) {
    const at = O.diagnostics + i * OUTCOME_DIAG.stride;
    const after = dv.getBigInt64(at + OUTCOME_DIAG.retry_after_ms, true);
    const value = dv.getFloat64(at + OUTCOME_DIAG.value, true);
    const code = dv.getUint16(at + OUTCOME_DIAG.code, true);
    diagnostics.push({
      code: DIAGNOSTIC_CODES[code - 1] ?? `CODE_${code}`,
      severity: enumName(SEVERITIES, dv.getUint8(at + OUTCOME_DIAG.severity), "severity", false),
      field: FIELDS[dv.getUint8(at + OUTCOME_DIAG.field)] ?? bad("field", "is outside the Field enum"),
      retryable: flag(dv.getUint8(at + OUTCOME_DIAG.retryable), "retryable"),
      retry_after_ms: after >= 0n && after <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(after) : null,
      value: Number.isNaN(value) ? null : value,
    });
  }
  let message = "";
  try {
    const raw = bytes.subarray(O.message, O.message + OUTCOME_MESSAGE_BYTES);
    const end = raw.indexOf(0);
    message = decoder.decode(end < 0 ? raw : raw.subarray(0, end));
  } catch {
    bad("message", "is not UTF-8");
  }
  const slot = dv.getUint32(O.slot_id, true);
  const inputKind = dv.getUint16(O.input_kind, true);
  const eventKind = dv.getUint8(O.event_kind);
  const orderStatus = dv.getUint8(O.order_status);
  // input_kind is the ring record's own kind, any u16: a record of an unknown kind is answered too (EDGE).
  enumName(EVENT_KINDS, eventKind, "event_kind", true);
  enumName(ORDER_STATUSES, orderStatus, "order_status", true);
  return {
    client_intent_id: dv.getBigUint64(O.client_intent_id, true),
    lane_position: Number(lock / 2n - 1n),
    origin: enumName(OUTCOME_ORIGINS, origin, "origin", false) as OutcomeOrigin,
    now_ms: Number(dv.getBigUint64(O.now_ms, true)),
    input_kind: inputKind,
    slot_id: slot === SLOT_NONE ? null : slot,
    slot_version: Number(dv.getBigUint64(O.slot_version, true)),
    accepted: flag(dv.getUint8(O.accepted), "accepted"),
    stage,
    event_kind: eventKind,
    order_status: orderStatus,
    diagnostic_count: count,
    diagnostics,
    message,
  };
}
