/**
 * Field writers for the kernel's records. Every writer accepts `unknown` (wire input is hostile)
 * and never throws: a value the kernel must refuse is encoded so that the kernel recognises it
 * (NaN for prices, sentinels for quantities, 0 for enums). Strings that do not fit their fixed
 * width are the one thing the kernel cannot see, so the string writers report them.
 *
 * Two families: word writers over 32-bit views (`putU64`, `putQty`: the InputRecord hot path;
 * its strings are written by `_string_fields.ts`) and DataView writers (`setI64`, `setU64`,
 * `writeString`: slot images, written into a zeroed buffer).
 */

import { qtyE8 } from "../contracts/qty_e8.ts";

const TWO_32 = 4294967296;
/** High word of i64::MIN; the sentinels are i64::MIN + k (kernel/ABI.md). */
const SENTINEL_HIGH = 0x8000_0000;
const utf8 = new TextEncoder();
let scratch = new Uint8Array(256);

/** Writes a safe integer as little-endian i64 without BigInt. */
export function setI64(dv: DataView, off: number, n: number): void {
  dv.setUint32(off, n >>> 0, true);
  dv.setInt32(off + 4, Math.floor(n / TWO_32), true);
}

/** Writes a non-negative safe integer as little-endian u64 without BigInt. */
export function setU64(dv: DataView, off: number, n: number): void {
  dv.setUint32(off, n >>> 0, true);
  dv.setUint32(off + 4, Math.floor(n / TWO_32) >>> 0, true);
}

/**
 * Writes a string into a fixed-width NUL-padded field (the field is already zeroed).
 * Returns the encoded byte length, or -1 when it does not fit. Non-strings write nothing
 * (the kernel then refuses the empty field by name).
 */
export function writeString(bytes: Uint8Array, off: number, width: number, s: unknown): number {
  if (typeof s !== "string") return 0;
  const n = s.length;
  // UTF-8 never needs fewer bytes than UTF-16 code units, so a longer string cannot fit.
  if (n > width) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return writeUtf8(bytes, off, width, s);
    bytes[off + i] = c;
  }
  return n;
}

function writeUtf8(bytes: Uint8Array, off: number, width: number, s: string): number {
  const written = encodeUtf8(s);
  if (written > width) return -1;
  bytes.set(scratch.subarray(0, written), off);
  return written;
}

/** A non-negative safe integer as little-endian u64 at 32-bit word `w`. */
export function putU64(u32: Uint32Array, w: number, n: number): void {
  u32[w] = n >>> 0;
  u32[w + 1] = Math.floor(n / TWO_32) >>> 0;
}

/**
 * A size in base units as i64 1e-8 units at 32-bit word `w`, counted exactly as the decimal it names
 * (`qtyE8`, src/contracts/qty_e8.ts: not `size * 1e8`, one unit high from 2^25 base units up); bad
 * numbers become the ABI's sentinels: QTY_NOT_FINITE (+0), QTY_OUT_OF_RANGE (+1, beyond 1e9 base
 * units), QTY_TOO_PRECISE (+2, a ninth decimal). `nonZero`: the field must not be 0 (an ENTER's or
 * EXIT's size), so a non-zero size rounding to 0 units is too precise. Where 0 is a valid value (a
 * venue's last fill size or position), sub-1e-12 noise stays 0.
 */
export function putQty(u32: Uint32Array, i32: Int32Array, w: number, size: unknown, nonZero = false): void {
  if (size === 0) {
    // The common "nothing" (last fill size, an order's first events): no scaling needed.
    u32[w] = 0;
    u32[w + 1] = 0;
    return;
  }
  let sentinel = 0;
  if (typeof size === "number" && Number.isFinite(size)) {
    const units = qtyE8(size);
    if (typeof units === "bigint") {
      // 2^53 units or more (about 9e7 base units): exact, through BigInt (rare).
      u32[w] = Number(BigInt.asUintN(32, units));
      i32[w + 1] = Number(units >> 32n);
      return;
    }
    if (Number.isNaN(units) || (nonZero && units === 0)) sentinel = 2;
    else if (!Number.isFinite(units)) sentinel = 1;
    else {
      u32[w] = units >>> 0;
      i32[w + 1] = Math.floor(units / TWO_32);
      return;
    }
  }
  u32[w] = sentinel;
  u32[w + 1] = SENTINEL_HIGH;
}

/** UTF-8 of `s` into a scratch buffer (`utf8Scratch()`); returns the byte length. */
export function encodeUtf8(s: string): number {
  if (s.length * 3 > scratch.length) scratch = new Uint8Array(s.length * 3);
  return utf8.encodeInto(s, scratch).written;
}

export function utf8Scratch(): Uint8Array {
  return scratch;
}
