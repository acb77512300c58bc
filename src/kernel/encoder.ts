/**
 * Encodes a wire input (`KernelInput`, but typed `unknown`: it may come straight from an HTTP
 * body or a journal line) into one 320-byte InputRecord at `off`. The kernel is the validator:
 * the encoder only refuses what the fixed layout cannot carry (a string too long for its field,
 * a slot id or `now_ms` that is not an integer) and returns that refusal as an `EncodeRefusal`.
 *
 * Invariant: the record bytes are zeroed before any field is written, so unused fields are 0.
 */

import { ABI, OFF, SLOT_ANY } from "../contracts/abi.ts";
import {
  CONFIG_KEYS, EVENT_KINDS, INPUT_KINDS, ORDER_ROLES, REJECT_REASONS, valueOf,
} from "../contracts/enums.ts";
import { EXIT_REASONS, SIDES, STALE_REASONS } from "../contracts/records.ts";
import { setI64, setU64, writeF64, writeNowMs, writeQty, writeString } from "./_encode_fields.ts";

const I = OFF.InputRecord;
export const INPUT_SIZE = ABI.InputRecord.size;

export interface EncodeRefusal {
  code: "INVALID_INTENT" | "INVALID_SLOT_ID";
  field: string;
  message: string;
  value?: number;
}

type Wire = Record<string, unknown>;

export function encodeInput(input: unknown, dv: DataView, bytes: Uint8Array, off: number): EncodeRefusal | null {
  bytes.fill(0, off, off + INPUT_SIZE);
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { code: "INVALID_INTENT", field: "KIND", message: "input must be a JSON object with a 'type'" };
  }
  const w = input as Wire;
  const kind = valueOf(INPUT_KINDS, w.type);
  dv.setUint16(off + I.kind!, kind, true);
  if (!writeNowMs(dv, off + I.now_ms!, w.now_ms)) {
    return { code: "INVALID_INTENT", field: "NOW_MS", message: `now_ms must be a non-negative integer, got ${show(w.now_ms)}` };
  }
  const slotRefusal = writeSlotId(dv, off, w, kind);
  if (slotRefusal) return slotRefusal;
  switch (w.type) {
    case "ENTER":
      return encodeEnter(w, dv, bytes, off);
    case "EXIT":
      writeQty(dv, off + I.qty_e8!, w.size);
      writeLimitPrice(dv, off, w.price);
      bytes[off + I.exit_reason!] = valueOf(EXIT_REASONS, w.reason);
      return null;
    case "MARK_PRICE":
      writeF64(dv, off + I.price!, w.price);
      return str(bytes, off + I.asset!, 24, w.asset, "ASSET");
    case "VENUE_EVENT":
      return encodeEvent(w.event, dv, bytes, off);
    case "RECONCILE":
      return encodeTruth(w.truth, dv, bytes, off);
    case "SEED_CAPITAL":
      writeF64(dv, off + I.amount!, w.capital);
      setU64(dv, off + I.value!, w.recovery === true ? 1 : 0);
      return null;
    case "MARK_STALE":
      bytes[off + I.stale_reason!] = valueOf(STALE_REASONS, w.reason);
      return null;
    case "CONFIGURE":
      bytes[off + I.config_key!] = valueOf(CONFIG_KEYS, w.key);
      if (typeof w.value !== "number" || !Number.isSafeInteger(w.value) || w.value < 0) {
        return { code: "INVALID_INTENT", field: "VALUE", message: `CONFIGURE value must be a non-negative integer, got ${show(w.value)}` };
      }
      setU64(dv, off + I.value!, w.value);
      return null;
    default:
      return null; // CANCEL, TICK carry nothing more; an unknown type is kind 0 for the kernel.
  }
}

function writeSlotId(dv: DataView, off: number, w: Wire, kind: number): EncodeRefusal | null {
  const routed = w.type === "VENUE_EVENT" && (w.slot_id === undefined || w.slot_id === null);
  const global = w.type === "MARK_PRICE" || w.type === "TICK" || w.type === "SEED_CAPITAL" || w.type === "CONFIGURE" || kind === 0;
  if (routed || global) {
    dv.setUint32(off + I.slot_id!, routed ? SLOT_ANY : 0, true);
    return null;
  }
  const id = w.slot_id;
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= SLOT_ANY) {
    return { code: "INVALID_SLOT_ID", field: "SLOT_ID", message: `slot_id must be a non-negative integer, got ${show(id)}`, value: typeof id === "number" ? id : undefined };
  }
  dv.setUint32(off + I.slot_id!, id, true);
  return null;
}

function encodeEnter(w: Wire, dv: DataView, bytes: Uint8Array, off: number): EncodeRefusal | null {
  writeQty(dv, off + I.qty_e8!, w.size);
  writeLimitPrice(dv, off, w.price);
  const lev = w.leverage;
  dv.setUint16(off + I.leverage!, typeof lev === "number" && Number.isInteger(lev) && lev > 0 && lev <= 0xffff ? lev : 0, true);
  bytes[off + I.side!] = valueOf(SIDES, w.side);
  return str(bytes, off + I.asset!, 24, w.asset, "ASSET") ?? str(bytes, off + I.trade_id!, 32, w.trade_id, "TRADE_ID");
}

function writeLimitPrice(dv: DataView, off: number, price: unknown): void {
  const market = price === undefined || price === null || price === 0;
  dv.setUint8(off + I.order_type!, market ? 1 : 2);
  writeF64(dv, off + I.price!, market ? 0 : price);
}

function encodeEvent(e: unknown, dv: DataView, bytes: Uint8Array, off: number): EncodeRefusal | null {
  if (typeof e !== "object" || e === null) {
    return { code: "INVALID_INTENT", field: "EVENT_KIND", message: "VENUE_EVENT needs an 'event' object" };
  }
  const v = e as Wire;
  bytes[off + I.event_kind!] = valueOf(EVENT_KINDS, v.kind);
  bytes[off + I.reject_reason!] = v.reject_reason === undefined ? 0 : valueOf(REJECT_REASONS, v.reject_reason);
  writeQty(dv, off + I.qty_e8!, v.filled_size_cumulative);
  writeQty(dv, off + I.last_qty_e8!, v.last_fill_size ?? 0);
  writeF64(dv, off + I.price!, v.avg_price);
  writeF64(dv, off + I.last_price!, v.last_fill_price ?? 0);
  writeF64(dv, off + I.fee!, v.fee_cumulative ?? 0);
  const hint = v.retry_after_ms;
  setI64(dv, off + I.retry_after_ms!, typeof hint === "number" && Number.isSafeInteger(hint) && hint >= 0 ? hint : -1);
  return (
    str(bytes, off + I.event_id!, 64, v.event_id, "EVENT_ID") ??
    str(bytes, off + I.venue_order_id!, 32, v.venue_order_id, "VENUE_ORDER_ID") ??
    str(bytes, off + I.client_order_id!, 40, v.client_order_id, "CLIENT_ORDER_ID")
  );
}

function encodeTruth(t: unknown, dv: DataView, bytes: Uint8Array, off: number): EncodeRefusal | null {
  if (typeof t !== "object" || t === null) {
    return { code: "INVALID_INTENT", field: "SIZE", message: "RECONCILE needs a 'truth' object" };
  }
  const v = t as Wire;
  bytes[off + I.side!] = v.side === null ? 0 : valueOf(SIDES, v.side);
  writeQty(dv, off + I.qty_e8!, v.size);
  writeF64(dv, off + I.price!, v.avg_price);
  const o = v.open_order;
  if (typeof o !== "object" || o === null) return null;
  const order = o as Wire;
  bytes[off + I.order_role!] = valueOf(ORDER_ROLES, order.role);
  writeQty(dv, off + I.order_qty_e8!, order.size);
  writeQty(dv, off + I.order_filled_e8!, order.filled_size);
  writeF64(dv, off + I.last_price!, order.avg_price);
  return (
    str(bytes, off + I.venue_order_id!, 32, order.venue_order_id, "VENUE_ORDER_ID") ??
    str(bytes, off + I.client_order_id!, 40, order.client_order_id, "CLIENT_ORDER_ID")
  );
}

function str(bytes: Uint8Array, at: number, width: number, s: unknown, field: string): EncodeRefusal | null {
  if (writeString(bytes, at, width, s) >= 0) return null;
  const name = field.toLowerCase();
  return { code: "INVALID_INTENT", field, message: `${name} does not fit its ${width}-byte field` };
}

function show(x: unknown): string {
  if (typeof x === "number") return String(x);
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
