/**
 * Spool framing. A spool file is a 16-byte header followed by frames:
 *
 *   header: "DSPL" | u32 format (1) | u64 generation          (little-endian)
 *   frame:  u32 magic 0x31525344 ("DSR1") | u32 len | u32 crc32(json) | json bytes (UTF-8, len bytes)
 *
 * The length and CRC detect torn and corrupt frames; the per-frame magic lets a reader resync past a
 * corrupt region instead of losing everything after it. `scanFrames` is pure: it never throws on bad
 * bytes, it reports them as skipped ranges.
 */
import { crc32 } from "./_crc32.ts";

export const HEADER_BYTES = 16;
export const FRAME_HEAD_BYTES = 12;
export const FRAME_MAGIC = 0x31525344;
export const FILE_MAGIC = 0x4c505344; // "DSPL"
export const FORMAT_VERSION = 1;
/** A single record larger than this is refused at append (bounds every read window). */
export const FRAME_MAX_BYTES = 1 << 20;

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export function encodeHeader(generation: number): Uint8Array {
  const b = new Uint8Array(HEADER_BYTES);
  const v = new DataView(b.buffer);
  v.setUint32(0, FILE_MAGIC, true);
  v.setUint32(4, FORMAT_VERSION, true);
  v.setBigUint64(8, BigInt(generation), true);
  return b;
}

/** Returns the generation, or null when the bytes are not a spool header. */
export function decodeHeader(b: Uint8Array): number | null {
  if (b.length < HEADER_BYTES) return null;
  const v = new DataView(b.buffer, b.byteOffset, HEADER_BYTES);
  if (v.getUint32(0, true) !== FILE_MAGIC || v.getUint32(4, true) !== FORMAT_VERSION) return null;
  return Number(v.getBigUint64(8, true));
}

/** Encodes values into one contiguous buffer of frames. Values whose JSON exceeds the cap are returned in `refused`. */
export function encodeFrames(values: readonly unknown[]): { bytes: Uint8Array; count: number; refused: number } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let refused = 0;
  for (const value of values) {
    const json = enc.encode(JSON.stringify(value));
    if (json.length > FRAME_MAX_BYTES) {
      refused++;
      continue;
    }
    const f = new Uint8Array(FRAME_HEAD_BYTES + json.length);
    const v = new DataView(f.buffer);
    v.setUint32(0, FRAME_MAGIC, true);
    v.setUint32(4, json.length, true);
    v.setUint32(8, crc32(json), true);
    f.set(json, FRAME_HEAD_BYTES);
    parts.push(f);
    total += f.length;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, count: parts.length, refused };
}

export interface ScannedFrame {
  /** Offsets of the frame's first byte and of its end, relative to the scanned buffer. */
  start: number;
  end: number;
  value: unknown;
}
export interface SkippedRange {
  from: number;
  to: number;
  reason: "bad_magic" | "bad_length" | "bad_crc" | "bad_json" | "torn_tail";
}
export interface ScanResult {
  frames: ScannedFrame[];
  skipped: SkippedRange[];
  /** Bytes fully consumed (good frames plus skipped ranges); the next scan starts here. */
  consumed: number;
}

type Check =
  | { ok: true; end: number; value: unknown }
  | { ok: false; reason: SkippedRange["reason"]; incomplete: boolean };

function checkFrame(b: Uint8Array, v: DataView, at: number): Check {
  if (b.length - at < FRAME_HEAD_BYTES) return { ok: false, reason: "torn_tail", incomplete: true };
  if (v.getUint32(at, true) !== FRAME_MAGIC) return { ok: false, reason: "bad_magic", incomplete: false };
  const len = v.getUint32(at + 4, true);
  if (len > FRAME_MAX_BYTES) return { ok: false, reason: "bad_length", incomplete: false };
  const end = at + FRAME_HEAD_BYTES + len;
  if (end > b.length) return { ok: false, reason: "torn_tail", incomplete: true };
  if (crc32(b, at + FRAME_HEAD_BYTES, end) !== v.getUint32(at + 8, true))
    return { ok: false, reason: "bad_crc", incomplete: false };
  try {
    return { ok: true, end, value: JSON.parse(dec.decode(b.subarray(at + FRAME_HEAD_BYTES, end))) };
  } catch {
    return { ok: false, reason: "bad_json", incomplete: false };
  }
}

/**
 * Scans frames in `b`, at most `maxFrames`. `atEof` says whether `b` reaches the end of the file: an
 * incomplete frame there is a torn tail (skipped); otherwise the scan stops before it so the next
 * window can read it whole. A bad frame is skipped by searching for the next valid frame.
 */
export function scanFrames(b: Uint8Array, atEof: boolean, maxFrames: number): ScanResult {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const frames: ScannedFrame[] = [];
  const skipped: SkippedRange[] = [];
  let at = 0;
  while (at < b.length && frames.length < maxFrames) {
    const c = checkFrame(b, v, at);
    if (c.ok) {
      frames.push({ start: at, end: c.end, value: c.value });
      at = c.end;
      continue;
    }
    if (c.incomplete && !atEof) break;
    const next = resync(b, v, at + 1, atEof);
    skipped.push({ from: at, to: next, reason: c.reason });
    at = next;
  }
  return { frames, skipped, consumed: at };
}

/** Finds the next offset holding a valid frame (or one cut by the window); b.length at EOF if none. */
function resync(b: Uint8Array, v: DataView, from: number, atEof: boolean): number {
  for (let p = from; p + 4 <= b.length; p++) {
    if (v.getUint32(p, true) !== FRAME_MAGIC) continue;
    const c = checkFrame(b, v, p);
    if (c.ok) return p;
    if (c.incomplete && !atEof) return p; // might be valid once the next window holds it whole
  }
  return atEof ? b.length : Math.max(from, b.length - 4);
}
