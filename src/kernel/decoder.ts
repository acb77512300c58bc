/**
 * Decodes kernel records (slot, order, account, transition, diagnostic images) from views of
 * kernel memory into wire records, on demand. Nothing decoded here is cached: every call reads
 * the kernel's current bytes, so TypeScript never holds a second copy of execution state. A
 * quantity decodes to the double nearest its exact count of 1e-8 units (rounded once, also above
 * 2^53 units: `qty`), the double the decimal it is parses to.
 *
 * Invariant (pair assertion with the kernel): a decoded stage, side and status are always valid
 * enum values; a slot image that decodes otherwise is reported as an Invariant failure.
 */

import { OFF, QTY_SCALE } from "../contracts/abi.ts";
import { FIELDS, INPUT_KINDS, nameOf } from "../contracts/enums.ts";
import { fromE8 } from "../contracts/qty_e8.ts";
import {
  type AccountRecord,
  DIAGNOSTIC_CODES,
  type DiagnosticRecord,
  EXIT_REASONS,
  ORDER_STATUSES,
  type OrderRecord,
  SEVERITIES,
  SIDES,
  type SlotRecord,
  STAGES,
  STALE_REASONS,
  TRIGGERS,
  type TransitionRecord,
} from "../contracts/records.ts";

const S = OFF.SlotImage;
const O = OFF.OrderImage;
const A = OFF.AccountImage;
const T = OFF.TransitionRecord;
const D = OFF.DiagnosticRecord;
const TWO_32 = 4294967296;
/** A high word in [-2^21, 2^21): the i64 is within ±2^53, exact in a double. */
const SAFE_HIGH_WORD = 2 ** 21;
const utf8 = new TextDecoder();

export function u64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * TWO_32;
}

export function i64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getInt32(off + 4, true) * TWO_32;
}

/**
 * A quantity as the double nearest its exact count of 1e-8 units. Below 2^53 units (high word within
 * ±2^21) the count is exact in a double and one division rounds once; above it (about 9e7 base
 * units) `(lo + hi × 2^32) / 1e8` would round twice, so the count goes through `fromE8`.
 */
export function qty(dv: DataView, off: number): number {
  const hi = dv.getInt32(off + 4, true);
  if (hi >= -SAFE_HIGH_WORD && hi < SAFE_HIGH_WORD) return (dv.getUint32(off, true) + hi * TWO_32) / QTY_SCALE;
  return fromE8(dv.getBigInt64(off, true));
}

export function fixedString(bytes: Uint8Array, off: number, width: number): string {
  let end = off;
  const limit = off + width;
  let ascii = true;
  while (end < limit && bytes[end] !== 0) {
    if (bytes[end]! > 0x7f) ascii = false;
    end++;
  }
  if (!ascii) return utf8.decode(bytes.subarray(off, end));
  let s = "";
  for (let i = off; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function must<T>(value: T | undefined, what: string, raw: number): T {
  if (value === undefined) throw new Error(`Invariant: kernel image has invalid ${what} ${raw}`);
  return value;
}

function decodeOrder(dv: DataView, bytes: Uint8Array, at: number, tradeId: string): OrderRecord | null {
  if (dv.getUint8(at + O.present) === 0) return null;
  const limit = dv.getFloat64(at + O.limit_price, true);
  return {
    trade_id: tradeId,
    venue_order_id: fixedString(bytes, at + O.venue_order_id, 32),
    client_order_id: fixedString(bytes, at + O.client_order_id, 40),
    role: dv.getUint8(at + O.role) === 2 ? "EXIT" : "ENTRY",
    side: dv.getUint8(at + O.side) === 2 ? "SELL" : "BUY",
    order_type: dv.getUint8(at + O.order_type) === 2 ? "LIMIT" : "MARKET",
    status: must(nameOf(ORDER_STATUSES, dv.getUint8(at + O.status)), "order status", dv.getUint8(at + O.status)),
    leg: dv.getUint8(at + O.leg_lo) + 256 * dv.getUint8(at + O.leg_hi),
    intended_size: qty(dv, at + O.intended_e8),
    filled_size: qty(dv, at + O.filled_e8),
    avg_fill_price: dv.getFloat64(at + O.avg_fill_price, true),
    limit_price: limit === 0 ? null : limit,
    fee: dv.getFloat64(at + O.fee, true),
    hung: dv.getUint8(at + O.hung) === 1,
    created_at_ms: u64(dv, at + O.created_at_ms),
    last_update_ms: u64(dv, at + O.last_update_ms),
  };
}

export function decodeSlot(dv: DataView, bytes: Uint8Array, at: number): SlotRecord {
  const stageRaw = dv.getUint8(at + S.stage);
  const tradeId = fixedString(bytes, at + S.trade_id, 32);
  return {
    slot_id: dv.getUint32(at + S.slot_id, true),
    stage: must(nameOf(STAGES, stageRaw), "stage", stageRaw),
    trade_id: tradeId,
    asset: fixedString(bytes, at + S.asset, 24),
    side: nameOf(SIDES, dv.getUint8(at + S.side)) ?? null,
    entry_price: dv.getFloat64(at + S.entry_price, true),
    size: qty(dv, at + S.size_e8),
    leverage: dv.getUint16(at + S.leverage, true),
    is_open: dv.getUint8(at + S.is_open) === 1,
    leg: dv.getUint8(at + S.leg_lo) + 256 * dv.getUint8(at + S.leg_hi),
    realized_pnl: dv.getFloat64(at + S.realized_pnl, true),
    unrealized_pnl: dv.getFloat64(at + S.unrealized_pnl, true),
    mark_price: dv.getFloat64(at + S.mark_price, true),
    fees: dv.getFloat64(at + S.fees, true),
    exit_reason: nameOf(EXIT_REASONS, dv.getUint8(at + S.exit_reason)) ?? null,
    stale_reason: nameOf(STALE_REASONS, dv.getUint8(at + S.stale_reason)) ?? null,
    entry_order: decodeOrder(dv, bytes, at + S.entry_order, tradeId),
    exit_order: decodeOrder(dv, bytes, at + S.exit_order, tradeId),
    version: u64(dv, at + S.version),
    updated_at_ms: u64(dv, at + S.updated_at_ms),
  };
}

/** Only the fields a mark changes (and the trade id): the projection's hot path on marks. */
export function decodeSlotMark(dv: DataView, bytes: Uint8Array, at: number): SlotMarkRecord {
  return {
    trade_id: fixedString(bytes, at + S.trade_id, 32),
    mark_price: dv.getFloat64(at + S.mark_price, true),
    unrealized_pnl: dv.getFloat64(at + S.unrealized_pnl, true),
    version: u64(dv, at + S.version),
    updated_at_ms: u64(dv, at + S.updated_at_ms),
  };
}

export type SlotMarkRecord = Pick<
  SlotRecord,
  "trade_id" | "mark_price" | "unrealized_pnl" | "version" | "updated_at_ms"
>;

export function decodeAccount(dv: DataView): AccountRecord {
  const f = (name: keyof typeof A) => dv.getFloat64(A[name], true);
  return {
    capital: f("capital"),
    peak_capital: f("peak_capital"),
    drawdown: f("drawdown"),
    drawdown_ratio: f("drawdown_ratio"),
    fees_paid: f("fees_paid"),
    realized_pnl_total: f("realized_pnl_total"),
    unrealized_pnl: f("unrealized_pnl"),
    equity: f("equity"),
    trade_seq: u64(dv, A.trade_seq),
    version: u64(dv, A.version),
    seeded: dv.getUint8(A.seeded) === 1,
  };
}

export function decodeTransition(dv: DataView, at: number, indexBase: number): TransitionRecord {
  const row = dv.getUint8(at + T.row);
  return {
    input_index: indexBase + dv.getUint32(at + T.input_index, true),
    slot_id: dv.getUint32(at + T.slot_id, true),
    from: must(nameOf(STAGES, dv.getUint8(at + T.from)), "from stage", dv.getUint8(at + T.from)),
    to: must(nameOf(STAGES, dv.getUint8(at + T.to)), "to stage", dv.getUint8(at + T.to)),
    trigger: must(nameOf(TRIGGERS, dv.getUint8(at + T.trigger)), "trigger", dv.getUint8(at + T.trigger)),
    row: row === 255 ? null : row,
    version: u64(dv, at + T.version),
    now_ms: u64(dv, at + T.now_ms),
  };
}

export function decodeDiagnostic(dv: DataView, bytes: Uint8Array, at: number, indexBase: number): DiagnosticRecord {
  const code = must(
    nameOf(DIAGNOSTIC_CODES, dv.getUint16(at + D.code, true)),
    "diagnostic code",
    dv.getUint16(at + D.code, true),
  );
  const slot = dv.getUint32(at + D.slot_id, true);
  const retryAfter = i64(dv, at + D.retry_after_ms);
  const value = dv.getFloat64(at + D.value, true);
  const stage = nameOf(STAGES, dv.getUint8(at + D.stage));
  const field = FIELDS[dv.getUint8(at + D.field)];
  const details: DiagnosticRecord["details"] = {};
  const kind = nameOf(INPUT_KINDS, dv.getUint8(at + D.input_kind));
  if (kind) details.input_kind = kind;
  if (stage) details.stage = stage;
  if (field && field !== "NONE") details.field = field;
  // A refusal by a limit names the limit the way the control key spells it.
  if ((code === "RISK_LIMIT" || code === "DRAWDOWN_LIMIT") && field) details.limit = field.toLowerCase();
  if (!Number.isNaN(value)) details.value = value;
  if (dv.getUint8(at + D.retryable) === 1) {
    details.retryable = true;
    if (retryAfter >= 0) details.retry_after_ms = retryAfter;
    else details.release_eta = "few minutes";
  }
  return {
    code,
    severity: must(nameOf(SEVERITIES, dv.getUint8(at + D.severity)), "severity", dv.getUint8(at + D.severity)),
    slot_id: slot === 0xffff_ffff ? null : slot,
    message: fixedString(bytes, at + D.message, 120),
    details,
    input_index: indexBase + dv.getUint32(at + D.input_index, true),
    now_ms: u64(dv, at + D.now_ms),
  };
}
