/**
 * The outcome of one intent as the kernel's process published it in the client's lane
 * (ffi/README.md §7, OutcomeRecord): refused at the edge (a RATE_LIMITED one, retryable with
 * `retryAfterMs`, means the venue adapter would not send an order now: nothing was sent and no
 * VENUE outcome follows), the kernel's answer, or the venue's later answer to the order the
 * intent made. `decodeOutcome` validates every byte (the lane is shared memory; `accepted` and
 * `retryable` are 0 or 1) and throws `CorruptRegionError` naming the field; what a newer kernel may
 * add decodes instead of failing: a diagnostic code as `CODE_<n>`, a diagnostic field as
 * `FIELD_<n>`, an input kind as `KIND_<n>`.
 *
 * Entry points: `Outcome`, `OutcomeDiagnostic`, `decodeOutcome`, `OUTCOME_BYTES`, the enum tables.
 */

import { CorruptRegionError } from "./errors.ts";
import { ORDER_STATUSES, type OrderStatus, STAGES, type Stage } from "./records.ts";

export const OUTCOME_BYTES = 256;
export const ORIGINS = ["EDGE", "KERNEL", "VENUE"] as const;
export type Origin = (typeof ORIGINS)[number];
/** kernel/ABI.md enums, value = index + 1 (FIELDS from 0); tests/unit/client_ts_outcome_tables.test.ts
 * holds each to the kernel's own tables (src/contracts, checked against the kernel at load) and ABI.md. */
export const INPUT_KINDS = [
  "ENTER",
  "EXIT",
  "CANCEL",
  "MARK_PRICE",
  "TICK",
  "RECONCILE",
  "VENUE_EVENT",
  "SEED_CAPITAL",
  "MARK_STALE",
  "CONFIGURE",
  "FLATTEN",
] as const;
export const EVENT_KINDS = ["ACK", "PARTIAL_FILL", "FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT"] as const;
export const SEVERITIES = ["INFO", "WARNING", "ERROR", "CRITICAL"] as const;
/** Diagnostic codes, value = index + 1. */
export const DIAGNOSTIC_CODES = [
  "INVALID_SLOT_ID",
  "SLOT_BUSY",
  "SLOT_LIMIT_REACHED",
  "INVALID_INTENT",
  "NO_ACTIVE_EXIT_ORDER",
  "INVALID_TRANSITION",
  "STALE_STATE_RECONCILE",
  "DUPLICATE_EVENT",
  "UNKNOWN_ORDER",
  "OVERFILL",
  "HUNG_ORDER",
  "VENUE_REJECTED",
  "RATE_LIMITED",
  "CANCEL_REJECTED",
  "STALE_EVENT",
  "RECONCILED",
  "KERNEL_FAULT",
  "CAPITAL_SEEDED",
  "INPUT_SOURCE_REFUSED",
  "ORPHAN_POSITION",
  "ZINC_REGION_CORRUPT",
  "TRADING_HALTED",
  "REDUCE_ONLY",
  "RISK_LIMIT",
  "DRAWDOWN_LIMIT",
  "VENUE_MISMATCH",
  "ORPHAN_ORDER",
  "EXIT_LEGS_LOW",
] as const;
/** Diagnostic fields, value = index (NONE = 0). */
export const FIELDS = [
  "NONE",
  "SLOT_ID",
  "NOW_MS",
  "SIZE",
  "PRICE",
  "LEVERAGE",
  "SIDE",
  "ORDER_TYPE",
  "EXIT_REASON",
  "EVENT_KIND",
  "REJECT_REASON",
  "ASSET",
  "TRADE_ID",
  "VENUE_ORDER_ID",
  "CLIENT_ORDER_ID",
  "EVENT_ID",
  "FEE",
  "AMOUNT",
  "STALE_REASON",
  "CONFIG_KEY",
  "VALUE",
  "KIND",
  "ORDER_ROLE",
  "LAST_SIZE",
  "LAST_PRICE",
  "RETRY_AFTER",
  "IMAGE",
  "TRADING_STATE",
  "MAX_NOTIONAL_PER_TRADE",
  "MAX_GROSS_EXPOSURE",
  "MAX_ORDERS_PER_MINUTE",
  "MAX_LEVERAGE",
  "MAX_DRAWDOWN_RATIO",
  "SNAPSHOT",
] as const;

export interface OutcomeDiagnostic {
  code: string;
  severity: (typeof SEVERITIES)[number];
  field: string;
  retryable: boolean;
  /** A rate limit's hint in ms (the venue's, or the order-rate window's); null when none. */
  retryAfterMs: number | null;
  value: number | null;
}

export interface Outcome {
  clientIntentId: bigint;
  /** Position of this record in the client's lane. */
  lanePosition: number;
  origin: Origin;
  accepted: boolean;
  nowMs: number;
  inputKind: string;
  slotId: number | null;
  slotVersion: number;
  /** The slot's stage right after the intent (null: no slot, e.g. MARK_PRICE). */
  stage: Stage | null;
  /** Origin VENUE: the venue event (ACK, fills, CANCEL_ACK, CANCEL_REJECT, REJECT). */
  eventKind: (typeof EVENT_KINDS)[number] | null;
  orderStatus: OrderStatus | null;
  /** All of the intent's diagnostics; `diagnostics` carries at most three of them. */
  diagnosticCount: number;
  diagnostics: OutcomeDiagnostic[];
  /** The first diagnostic's code (null when there is none), as Python's `Outcome.code`. */
  code: string | null;
  /** The first diagnostic's message. */
  message: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function name<T extends string>(list: readonly T[], v: number, field: string, zeroIsNull: boolean): T | null {
  if (v === 0 && zeroIsNull) return null;
  const n = list[v - 1];
  if (n === undefined) throw new CorruptRegionError(`outcome ${field} = ${v} is outside 1..${list.length}`);
  return n;
}

/** A boolean byte: 0 or 1; anything else is a broken writer, never read as false. */
function flag(v: number, field: string): boolean {
  if (v > 1) throw new CorruptRegionError(`outcome ${field} = ${v} is not 0 or 1`);
  return v === 1;
}

export function decodeOutcome(bytes: Uint8Array): Outcome {
  if (bytes.byteLength !== OUTCOME_BYTES) throw new CorruptRegionError(`outcome record is ${bytes.byteLength} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lock = dv.getBigUint64(0, true);
  if (lock === 0n || (lock & 1n) === 1n) throw new CorruptRegionError(`outcome lock ${lock} is not a stable position`);
  const count = bytes[41]!;
  const diagnostics: OutcomeDiagnostic[] = [];
  for (let i = 0; i < Math.min(3, count); i++) {
    const at = 48 + i * 24;
    const code = dv.getUint16(at, true);
    const after = dv.getBigInt64(at + 8, true);
    const value = dv.getFloat64(at + 16, true);
    diagnostics.push({
      code: DIAGNOSTIC_CODES[code - 1] ?? `CODE_${code}`,
      severity: name(SEVERITIES, bytes[at + 2]!, "severity", false)!,
      field: FIELDS[bytes[at + 3]!] ?? `FIELD_${bytes[at + 3]}`,
      retryable: flag(bytes[at + 4]!, "diagnostic retryable"),
      retryAfterMs: after >= 0n && after <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(after) : null,
      value: Number.isNaN(value) ? null : value,
    });
  }
  let message: string;
  try {
    const raw = bytes.subarray(120, 240);
    const end = raw.indexOf(0);
    message = utf8.decode(end < 0 ? raw : raw.subarray(0, end));
  } catch {
    throw new CorruptRegionError("outcome message is not UTF-8");
  }
  const slot = dv.getUint32(32, true);
  const kind = dv.getUint16(36, true);
  return {
    clientIntentId: dv.getBigUint64(8, true),
    lanePosition: Number(lock / 2n - 1n),
    origin: name(ORIGINS, bytes[38]!, "origin", false)!,
    accepted: flag(bytes[39]!, "accepted"),
    nowMs: Number(dv.getBigUint64(16, true)),
    inputKind: INPUT_KINDS[kind - 1] ?? `KIND_${kind}`,
    slotId: slot === 0xffff_ffff ? null : slot,
    slotVersion: Number(dv.getBigUint64(24, true)),
    stage: name(STAGES, bytes[40]!, "stage", true),
    eventKind: name(EVENT_KINDS, bytes[42]!, "event_kind", true),
    orderStatus: name(ORDER_STATUSES, bytes[43]!, "order_status", true),
    diagnosticCount: count,
    diagnostics,
    code: diagnostics[0]?.code ?? null,
    message,
  };
}
