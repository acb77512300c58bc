/**
 * The four STRATEGY intents a client sends (docs/architecture.md §4) and their encoding into the
 * kernel's 320-byte InputRecord (kernel/ABI.md): every unused byte zero, `now_ms` from the
 * caller's clock, the client_intent_id at bytes 304..312. The encoder refuses only what the
 * record cannot carry (an unknown type or enum name, a clock answer that is not a u64 of ms
 * (NOW_MS), a string longer than its field, a size that is not a finite number with at most 8 decimals — exactly: the decimal the number prints as, so
 * 1234567.123456781 and 0.1 + 0.2 are refused, never rounded — a size above the kernel's 10^9 units, a slot id
 * or leverage outside its integer width) with `InvalidIntentError` naming the field; an exact `sizeE8`
 * (1e-8 units, a bigint) is encoded as it is, in place of `size`; values (size > 0, leverage 1..125, a known
 * asset, the slot's stage) are the kernel's to judge, and its answer comes back as an outcome. A price
 * of -0 is 0 (market) and is written as +0 (the kernel reads a MARKET price's bits).
 *
 * Entry points: the intent types, `encodeIntent`, `INTENT_BYTES`.
 */

import { exactE8 } from "./_decimal.ts";
import { InvalidIntentError } from "./errors.ts";
import type { ExitReason, Side } from "./records.ts";

export interface EnterIntent {
  type: "ENTER";
  slotId: number;
  tradeId: string;
  asset: string;
  side: Side;
  size: number;
  /** The size exactly, in 1e-8 units: when given it is what is encoded (a size a double cannot hold). */
  sizeE8?: bigint;
  /** Limit price; null, undefined or 0 = market. */
  price?: number | null;
  leverage: number;
}

export interface ExitIntent {
  type: "EXIT";
  slotId: number;
  size: number;
  /** The size exactly, in 1e-8 units: when given it is what is encoded (the seam's whole-position exits above 2^53 units). */
  sizeE8?: bigint;
  price?: number | null;
  reason: ExitReason;
}

export interface CancelIntent {
  type: "CANCEL";
  slotId: number;
}

export interface MarkPriceIntent {
  type: "MARK_PRICE";
  asset: string;
  price: number;
}

export type Intent = EnterIntent | ExitIntent | CancelIntent | MarkPriceIntent;

export const INTENT_BYTES = 320;
const KIND = { ENTER: 1, EXIT: 2, CANCEL: 3, MARK_PRICE: 4 } as const;
const SIDE = { LONG: 1, SHORT: 2 } as const;
const REASON = { SIGNAL: 1, TP: 2, SL: 3, MANUAL: 4 } as const;
const SLOT_ANY = 0xffff_ffff;
/** The kernel's bound, 10^9 units (kernel/ABI.md QTY_MAX_E8 = 10^17): qty_e8 is a bigint, exact up to it. */
const QTY_MAX = 1e9;
const QTY_MAX_E8 = 10n ** 17n;
const utf8 = new TextEncoder();

function slotId(v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= SLOT_ANY)
    throw new InvalidIntentError("SLOT_ID", `slotId must be an integer 0..4294967294, got ${String(v)}`);
  return v;
}

function qtyE8(v: unknown, e8?: unknown): bigint {
  if (e8 !== undefined) {
    if (typeof e8 !== "bigint" || e8 > QTY_MAX_E8 || e8 < -QTY_MAX_E8)
      throw new InvalidIntentError("SIZE", `sizeE8 must be a bigint within ±10^17 (QTY_MAX_E8), got ${String(e8)}`);
    return e8;
  }
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new InvalidIntentError("SIZE", `size must be a finite number, got ${String(v)}`);
  if (Math.abs(v) > QTY_MAX)
    throw new InvalidIntentError(
      "SIZE",
      `size ${v} is out of range: the kernel carries at most 1e9 units (QTY_MAX_E8)`,
    );
  const units = exactE8(v);
  if (units === null) throw new InvalidIntentError("SIZE", `size ${v} has more than 8 decimals`);
  return units;
}

/** A price as the record carries it; -0 is 0 (market), written as +0: the kernel's MARKET rule is on the bits. */
function price(v: unknown, field = "PRICE"): number {
  if (v === null || v === undefined) return 0;
  if (typeof v !== "number") throw new InvalidIntentError(field, `price must be a number or null, got ${typeof v}`);
  return v === 0 ? 0 : v;
}

function text(bytes: Uint8Array, at: number, width: number, v: unknown, field: string): void {
  if (typeof v !== "string") throw new InvalidIntentError(field, `${field.toLowerCase()} must be a string`);
  // A NUL is the field's padding ("T1\0" would be read back as "T1"); a lone surrogate has no UTF-8.
  if (v.includes("\0"))
    throw new InvalidIntentError(field, `${field.toLowerCase()} holds a NUL byte, which the field cannot carry`);
  if (!v.isWellFormed())
    throw new InvalidIntentError(field, `${field.toLowerCase()} holds a lone surrogate (not valid UTF-8)`);
  const encoded = utf8.encode(v);
  if (encoded.byteLength > width)
    throw new InvalidIntentError(
      field,
      `${field.toLowerCase()} '${v}' is ${encoded.byteLength} bytes; the field holds ${width}`,
    );
  bytes.set(encoded, at);
}

function named<T extends Record<string, number>>(map: T, v: unknown, field: string): number {
  const n = typeof v === "string" ? map[v] : undefined;
  if (n === undefined)
    throw new InvalidIntentError(
      field,
      `${field.toLowerCase()} must be one of ${Object.keys(map).join("|")}, got ${String(v)}`,
    );
  return n;
}

/**
 * Writes `intent` as one clean InputRecord into `out` (320 bytes, zeroed first). `idBytes` are the
 * eight little-endian bytes of the client_intent_id (all zero: no outcome wanted).
 */
export function encodeIntent(intent: Intent, nowMs: number, idBytes: Uint8Array, out: Uint8Array): void {
  if (out.byteLength !== INTENT_BYTES) throw new InvalidIntentError("NONE", "record buffer must be 320 bytes");
  if (typeof intent !== "object" || intent === null)
    throw new InvalidIntentError("KIND", "an intent must be an object");
  const kind = named(KIND, (intent as { type?: unknown }).type, "KIND");
  const now = typeof nowMs === "number" ? Math.trunc(nowMs) : Number.NaN; // the clock's answer, u64 ms
  if (!(now >= 0 && now < 2 ** 64))
    throw new InvalidIntentError("NOW_MS", `now_ms (the client's clock) must be a finite number >= 0, got ${nowMs}`);
  out.fill(0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint16(0, kind, true);
  dv.setBigUint64(8, BigInt(now), true);
  out.set(idBytes, 304);
  switch (intent.type) {
    case "ENTER": {
      dv.setUint32(4, slotId(intent.slotId), true);
      dv.setBigInt64(16, qtyE8(intent.size, intent.sizeE8), true);
      const p = price(intent.price);
      dv.setFloat64(32, p, true);
      if (!Number.isInteger(intent.leverage) || intent.leverage < 0 || intent.leverage > 0xffff)
        throw new InvalidIntentError("LEVERAGE", `leverage must be an integer, got ${String(intent.leverage)}`);
      dv.setUint16(80, intent.leverage, true);
      dv.setUint8(82, named(SIDE, intent.side, "SIDE"));
      dv.setUint8(83, p === 0 ? 1 : 2);
      text(out, 112, 24, intent.asset, "ASSET");
      text(out, 136, 32, intent.tradeId, "TRADE_ID");
      return;
    }
    case "EXIT": {
      dv.setUint32(4, slotId(intent.slotId), true);
      dv.setBigInt64(16, qtyE8(intent.size, intent.sizeE8), true);
      const p = price(intent.price);
      dv.setFloat64(32, p, true);
      dv.setUint8(83, p === 0 ? 1 : 2);
      dv.setUint8(84, named(REASON, intent.reason, "EXIT_REASON"));
      return;
    }
    case "CANCEL":
      dv.setUint32(4, slotId(intent.slotId), true);
      return;
    case "MARK_PRICE":
      dv.setUint32(4, SLOT_ANY, true);
      dv.setFloat64(32, price(intent.price), true);
      text(out, 112, 24, intent.asset, "ASSET");
      return;
  }
}
