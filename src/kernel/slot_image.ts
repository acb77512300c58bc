/**
 * SlotRecord (wire JSON) → 448-byte SlotImage: the inverse of `decodeSlot`, used to hand a
 * belief that lives outside the Zinc state region (a Hazelcast DOLPHIN_STATE_<NS> row) to
 * `restore_slot`. Quantities become exact i64 counts of 1e-8 units (the decimal each names, `qtyE8`,
 * up to the kernel's 1e9), strings fixed-width NUL-padded, enums their ABI numbers; reserved bytes
 * stay zero.
 *
 * Two image fields are not in a SlotRecord and are derived from the kernel's own invariants
 * (kernel/src/slot.rs, `recompute_pnl`), with the kernel's float operations in the same order:
 *   fees_closed_orders   = fees         - fee of each working (non-terminal) order
 *   realized_closed_legs = realized_pnl - PnL of the working exit leg
 * With no working order (IDLE, POSITION_OPEN, CLOSED) they are exact. With one, a part can differ
 * from the lost original by one rounding, while the totals the kernel recomputes on restore
 * (`fees`, `realized_pnl`) come back equal to the record's (fl(fl(fl(a+w)-w)+w) = fl(a+w): held for
 * 2M random pairs; tests/unit/kernel_slot_image.test.ts checks the restored totals).
 * Lost on the way (not in the record, not derivable): an order's `reject_reason` (VENUE or
 * RATE_LIMITED, informational only; encoded 0, which the kernel accepts for every status).
 *
 * Input may be hostile (read from a server): anything the fixed layout cannot carry, or that is
 * not the right JSON type, throws `SlotImageError` naming the field. Range and consistency checks
 * are left to the kernel's own image validation (one validator).
 *
 * Entry point: `encodeSlotImage(record)`.
 */

import { ABI, EXIT_LEGS_MAX, OFF, QTY_SCALE } from "../contracts/abi.ts";
import { enumValue, ORDER_ROLES, ORDER_SIDES, ORDER_TYPES } from "../contracts/enums.ts";
import { isWorkingOrder } from "../contracts/order_status.ts";
import { qtyE8 } from "../contracts/qty_e8.ts";
import {
  EXIT_REASONS,
  ORDER_STATUSES,
  type OrderRecord,
  SIDES,
  type SlotRecord,
  STAGES,
  STALE_REASONS,
} from "../contracts/records.ts";
import { setI64, setU64, writeString } from "./_encode_fields.ts";

const S = OFF.SlotImage;
const O = OFF.OrderImage;

export class SlotImageError extends Error {
  override name = "SlotImageError";
}

type Wire = Record<string, unknown>;

function fail(field: string, why: string, value: unknown): never {
  throw new SlotImageError(`slot record ${field} ${why}, got ${JSON.stringify(value) ?? String(value)}`);
}

function num(w: Wire, field: string, prefix = ""): number {
  const x = w[field];
  if (typeof x !== "number" || !Number.isFinite(x)) fail(prefix + field, "must be a finite number", x);
  return x;
}

function count(w: Wire, field: string, prefix = ""): number {
  const x = w[field];
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0)
    fail(prefix + field, "must be a non-negative integer", x);
  return x;
}

/**
 * Size in base units → i64 count of 1e-8 units, the decimal it names (`qtyE8`; `x * 1e8` is a unit
 * high from 2^25 base units up); refuses what is not such a count, or is beyond the kernel's 1e9.
 */
function e8(w: Wire, field: string, prefix = ""): number | bigint {
  const x = num(w, field, prefix);
  const n = qtyE8(x);
  if (typeof n === "bigint") return n;
  if (Number.isNaN(n)) fail(prefix + field, "is not a multiple of 1e-8", x);
  if (!Number.isFinite(n)) fail(prefix + field, "is beyond the kernel's largest quantity (1e9)", x);
  // A non-zero size that rounds to 0 units (4e-13) is not a multiple of 1e-8 either.
  if (n === 0 && x !== 0) fail(prefix + field, "is not a multiple of 1e-8", x);
  return n;
}

/** An i64 count of units: a safe integer without BigInt, a larger count (above 2^53) through it. */
function setE8(dv: DataView, off: number, n: number | bigint): void {
  if (typeof n === "bigint") dv.setBigInt64(off, n, true);
  else setI64(dv, off, n);
}

/** A 1-based enum name (or null where `nullable`) → its ABI value. */
function enumOf(w: Wire, field: string, list: readonly string[], nullable: boolean, prefix = ""): number {
  const x = w[field];
  if (x === null && nullable) return 0;
  const v = enumValue(list, x);
  if (v === 0) fail(prefix + field, `must be one of ${list.join("|")}${nullable ? " or null" : ""}`, x);
  return v;
}

function text(bytes: Uint8Array, off: number, width: number, w: Wire, field: string, prefix = ""): void {
  const x = w[field];
  // A lone surrogate has no UTF-8: it would be written as U+FFFD, another id.
  if (typeof x !== "string" || x.includes("\0") || !x.isWellFormed())
    fail(prefix + field, "must be a string without NUL or a lone surrogate", x);
  if (writeString(bytes, off, width, x) < 0) fail(prefix + field, `does not fit ${width} bytes`, x);
}

function bool(w: Wire, field: string, prefix = ""): number {
  const x = w[field];
  if (typeof x !== "boolean") fail(prefix + field, "must be a boolean", x);
  return x ? 1 : 0;
}

function encodeOrder(dv: DataView, bytes: Uint8Array, at: number, order: unknown, name: string): void {
  if (order === null) return; // absent: all zero
  if (typeof order !== "object" || Array.isArray(order) || order === undefined)
    fail(name, "must be an object or null", order);
  const w = order as Wire;
  const p = `${name}.`;
  dv.setUint8(at + O.present, 1);
  dv.setUint8(at + O.side, enumOf(w, "side", ORDER_SIDES, false, p));
  dv.setUint8(at + O.status, enumOf(w, "status", ORDER_STATUSES, false, p));
  dv.setUint8(at + O.order_type, enumOf(w, "order_type", ORDER_TYPES, false, p));
  dv.setUint8(at + O.role, enumOf(w, "role", ORDER_ROLES, false, p));
  const leg = count(w, "leg", p);
  if (leg > EXIT_LEGS_MAX) fail(`${p}leg`, `must be 0..${EXIT_LEGS_MAX}`, leg);
  dv.setUint8(at + O.leg_lo, leg & 0xff);
  dv.setUint8(at + O.leg_hi, leg >> 8);
  dv.setUint8(at + O.hung, bool(w, "hung", p));
  setE8(dv, at + O.intended_e8, e8(w, "intended_size", p));
  setE8(dv, at + O.filled_e8, e8(w, "filled_size", p));
  dv.setFloat64(at + O.avg_fill_price, num(w, "avg_fill_price", p), true);
  dv.setFloat64(at + O.limit_price, w.limit_price === null ? 0 : num(w, "limit_price", p), true);
  dv.setFloat64(at + O.fee, num(w, "fee", p), true);
  setU64(dv, at + O.last_update_ms, count(w, "last_update_ms", p));
  setU64(dv, at + O.created_at_ms, count(w, "created_at_ms", p));
  text(bytes, at + O.venue_order_id, 32, w, "venue_order_id", p);
  text(bytes, at + O.client_order_id, 40, w, "client_order_id", p);
}

function working(o: OrderRecord | null): o is OrderRecord {
  return o !== null && isWorkingOrder(o.status);
}

/** The closed-part money fields, from `recompute_pnl`'s invariants (see the module comment). */
function closedParts(r: SlotRecord): { fees: number; realized: number } {
  let fees = r.fees;
  for (const o of [r.entry_order, r.exit_order]) if (working(o)) fees -= o.fee;
  let realized = r.realized_pnl;
  const exit = r.exit_order;
  if (working(exit) && exit.filled_size !== 0) {
    const dir = r.side === "LONG" ? 1 : r.side === "SHORT" ? -1 : 0;
    // As the kernel's `units`: the exact count (validated by `encodeOrder`) as f64, then / 1e8.
    const units = Number(qtyE8(exit.filled_size)) / QTY_SCALE;
    realized -= units * (exit.avg_fill_price - r.entry_price) * dir;
  }
  return { fees, realized };
}

function encodeHead(dv: DataView, w: Wire): void {
  const slotId = count(w, "slot_id");
  if (slotId > 0xffff_fffe) fail("slot_id", "must be a u32 slot index", slotId);
  dv.setUint32(S.slot_id, slotId, true);
  dv.setUint8(S.stage, enumOf(w, "stage", STAGES, false));
  dv.setUint8(S.side, enumOf(w, "side", SIDES, true));
  dv.setUint8(S.exit_reason, enumOf(w, "exit_reason", EXIT_REASONS, true));
  dv.setUint8(S.stale_reason, enumOf(w, "stale_reason", STALE_REASONS, true));
  setU64(dv, S.version, count(w, "version"));
  setU64(dv, S.updated_at_ms, count(w, "updated_at_ms"));
  setE8(dv, S.size_e8, e8(w, "size"));
  dv.setFloat64(S.entry_price, num(w, "entry_price"), true);
  const leverage = count(w, "leverage");
  if (leverage > 0xffff) fail("leverage", "must be a u16", leverage);
  dv.setUint16(S.leverage, leverage, true);
  dv.setUint8(S.is_open, bool(w, "is_open"));
  const leg = count(w, "leg");
  if (leg > EXIT_LEGS_MAX) fail("leg", `must be 0..${EXIT_LEGS_MAX}`, leg);
  dv.setUint8(S.leg_lo, leg & 0xff);
  dv.setUint8(S.leg_hi, leg >> 8);
  for (const f of ["realized_pnl", "unrealized_pnl", "mark_price", "fees"] as const)
    dv.setFloat64(S[f], num(w, f), true);
}

/** Encodes one SlotRecord into a fresh 448-byte SlotImage; throws SlotImageError on a bad record. */
export function encodeSlotImage(record: SlotRecord): Uint8Array {
  if (typeof record !== "object" || record === null || Array.isArray(record)) fail("", "must be an object", record);
  const bytes = new Uint8Array(ABI.SlotImage.size);
  const dv = new DataView(bytes.buffer);
  const w = record as unknown as Wire;
  encodeHead(dv, w);
  encodeOrder(dv, bytes, S.entry_order, w.entry_order, "entry_order");
  encodeOrder(dv, bytes, S.exit_order, w.exit_order, "exit_order");
  text(bytes, S.asset, 24, w, "asset");
  text(bytes, S.trade_id, 32, w, "trade_id");
  const closed = closedParts(record);
  dv.setFloat64(S.realized_closed_legs, closed.realized, true);
  dv.setFloat64(S.fees_closed_orders, closed.fees, true);
  return bytes;
}
