/**
 * Field writers for InputRecord encoding. Every writer accepts `unknown` (wire input is hostile)
 * and never throws: a value the kernel must refuse is encoded so that the kernel recognises it
 * (NaN for prices, sentinels for quantities, 0 for enums). Strings that do not fit their fixed
 * width are the one thing the kernel cannot see, so `writeString` reports them to the caller.
 */

const TWO_32 = 4294967296;
const SAFE_E8_MAX = Number.MAX_SAFE_INTEGER;
const utf8 = new TextEncoder();
const scratch = new Uint8Array(256);

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

/** i64::MIN + k: the three quantity sentinels of kernel/ABI.md. */
function setQtySentinel(dv: DataView, off: number, k: 0 | 1 | 2): void {
  dv.setUint32(off, k, true);
  dv.setUint32(off + 4, 0x8000_0000, true);
}

/** Converts a size in base units to i64 1e-8 units; bad numbers become the ABI sentinels. */
export function writeQty(dv: DataView, off: number, size: unknown): void {
  if (typeof size !== "number" || !Number.isFinite(size)) return setQtySentinel(dv, off, 0);
  const scaled = size * 1e8;
  const rounded = Math.round(scaled);
  if (Math.abs(rounded) > SAFE_E8_MAX) return setQtySentinel(dv, off, 1);
  // Allow binary-float noise (0.07 * 1e8 = 7000000.000000001), refuse a 9th decimal.
  if (Math.abs(scaled - rounded) > 1e-4 + Math.abs(rounded) * 1e-15) return setQtySentinel(dv, off, 2);
  setI64(dv, off, rounded);
}

export function writeF64(dv: DataView, off: number, x: unknown): void {
  dv.setFloat64(off, typeof x === "number" ? x : Number.NaN, true);
}

/** now_ms must be a non-negative safe integer; returns false when it is not. */
export function writeNowMs(dv: DataView, off: number, x: unknown): boolean {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) return false;
  setU64(dv, off, x);
  return true;
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
  const encoded = s.length * 3 <= scratch.length ? scratch : new Uint8Array(s.length * 3);
  const { written } = utf8.encodeInto(s, encoded);
  if (written > width) return -1;
  bytes.set(encoded.subarray(0, written), off);
  return written;
}

export function byteLength(s: unknown): number {
  return typeof s === "string" ? utf8.encode(s).length : 0;
}
