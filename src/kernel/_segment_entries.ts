/**
 * Journal entries inside a segment frame (`_segment_format.ts`): one per input the kernel
 * accepted, 8-byte aligned, so a reader copies 32-bit words and never parses text.
 *
 *   input or ring record   u32 mask bits 0..31, u32 tag | mask bits 32..39 << 8, then one 8-byte
 *                          word for each set mask bit: the record's non-zero words (a 320-byte
 *                          InputRecord is 40 words; an absent word is zero). A mark is 40 bytes.
 *   slot restore           u32 0, u32 TAG_RESTORE, u64 now_ms, the 448-byte slot image.
 *
 * Tag INPUT is a typed input as this process's encoder writes it into a zeroed record (fields its
 * kind does not read are zero); tag RECORD is a raw ring record, verbatim. Replay decodes entries
 * straight into the kernel's batch buffer: `EntryDecoder` writes the set words and zeroes only the
 * words the previous record in that buffer slot had set, so each decoded record equals the
 * journaled one byte for byte.
 *
 * Invariants: a frame's entries are checked whole before any is applied (`checkFrame`: tags, sizes,
 * kinds; a ring record must be a STRATEGY kind) — a frame that passed its CRC but holds a bad entry
 * is refused, never half applied.
 *
 * Entry points: `FrameBuffer` (writer), `checkFrame`, `EntryDecoder` (reader), the tags.
 */

import { ABI } from "../contracts/abi.ts";
import { FRAME_HEADER_BYTES, FRAME_MAGIC, FRAME_PAYLOAD_MAX } from "./_segment_format.ts";
import { INPUT_SIZE } from "./encoder.ts";
import { isStrategyKind, kindName } from "./input_records.ts";

export const TAG_INPUT = 1;
export const TAG_RECORD = 2;
export const TAG_RESTORE = 3;
const WORDS = INPUT_SIZE / 8; // 40
const IMAGE = ABI.SlotImage.size;
const RESTORE_BYTES = 16 + IMAGE;

/** The pending frame of a writer: entries appended, then `finish` seals it with its header and CRC. */
export class FrameBuffer {
  private buf = new Uint8Array(FRAME_PAYLOAD_MAX + 4096);
  private u32 = new Uint32Array(this.buf.buffer);
  private at = FRAME_HEADER_BYTES;
  entries = 0;
  private firstSeq = 1;
  private readonly scratch = new Uint32Array(INPUT_SIZE / 4);

  /** Payload bytes so far. */
  get payload(): number {
    return this.at - FRAME_HEADER_BYTES;
  }

  /** Starts an empty frame whose first entry will be `seq`. */
  start(seq: number): void {
    this.at = FRAME_HEADER_BYTES;
    this.entries = 0;
    this.firstSeq = seq;
  }

  /** Appends the record at `bytes[offset, offset + 320)` as a sparse entry. */
  addRecord(tag: number, bytes: Uint8Array, offset: number): void {
    if ((bytes.byteOffset + offset) % 4 === 0) {
      this.addWords(tag, new Uint32Array(bytes.buffer, bytes.byteOffset + offset, INPUT_SIZE / 4), 0);
    } else {
      new Uint8Array(this.scratch.buffer).set(bytes.subarray(offset, offset + INPUT_SIZE));
      this.addWords(tag, this.scratch, 0);
    }
  }

  /** Appends the record at 32-bit word `s` of `src` as a sparse entry. */
  addWords(tag: number, src: Uint32Array, s: number): void {
    if (this.at + 8 + INPUT_SIZE > this.buf.byteLength) this.grow();
    const out = this.u32;
    const head = this.at >> 2;
    let w = head + 2;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < WORDS; k++, s += 2) {
      const a = src[s]!;
      const b = src[s + 1]!;
      if ((a | b) === 0) continue;
      out[w] = a;
      out[w + 1] = b;
      w += 2;
      if (k < 32) lo |= 1 << k;
      else hi |= 1 << (k - 32);
    }
    out[head] = lo >>> 0;
    out[head + 1] = tag | (hi << 8);
    this.at = w << 2;
    this.entries++;
  }

  addRestore(image: Uint8Array, nowMs: number): void {
    if (image.byteLength !== IMAGE) throw new Error(`Invariant: a journaled slot image is ${IMAGE} bytes`);
    if (this.at + RESTORE_BYTES > this.buf.byteLength) this.grow();
    const dv = new DataView(this.buf.buffer, this.at, RESTORE_BYTES);
    dv.setUint32(0, 0, true);
    dv.setUint32(4, TAG_RESTORE, true);
    dv.setBigUint64(8, BigInt(nowMs), true);
    this.buf.set(image, this.at + 16);
    this.at += RESTORE_BYTES;
    this.entries++;
  }

  /** The sealed frame (a view into the buffer, valid until the next `start`). */
  finish(): Uint8Array {
    const dv = new DataView(this.buf.buffer, 0, FRAME_HEADER_BYTES);
    dv.setUint32(4, this.payload, true);
    dv.setUint32(8, this.entries, true);
    dv.setUint32(12, FRAME_MAGIC, true);
    dv.setBigUint64(16, BigInt(this.firstSeq), true);
    dv.setUint32(0, Bun.hash.crc32(this.buf.subarray(4, this.at)) >>> 0, true);
    return this.buf.subarray(0, this.at);
  }

  private grow(): void {
    const grown = new Uint8Array(this.buf.byteLength * 2);
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
    this.u32 = new Uint32Array(grown.buffer);
  }
}

/**
 * Checks every entry of a frame payload (`p` 32-bit words from `start`, `words` long) and counts
 * them; returns null when all are well-formed, else what is wrong with which entry.
 */
export function checkFrame(u32: Uint32Array, start: number, words: number, entries: number): string | null {
  let p = start;
  const end = start + words;
  for (let e = 0; e < entries; e++) {
    if (p + 2 > end) return `entry ${e} starts past the frame's payload`;
    const lo = u32[p]!;
    const b = u32[p + 1]!;
    const tag = b & 0xff;
    if (tag === TAG_RESTORE) {
      if (lo !== 0 || b !== TAG_RESTORE || p + RESTORE_BYTES / 4 > end) return `entry ${e}: a malformed slot restore`;
      p += RESTORE_BYTES / 4;
      continue;
    }
    if ((tag !== TAG_INPUT && tag !== TAG_RECORD) || b >>> 16 !== 0) return `entry ${e}: unknown tag ${tag}`;
    const n = popcount(lo) + popcount((b >>> 8) & 0xff);
    if (p + 2 + 2 * n > end) return `entry ${e}: its words run past the frame's payload`;
    const kind = lo & 1 ? u32[p + 2]! & 0xffff : 0;
    if (kindName(kind) === null) return `entry ${e}: record kind ${kind} is no input kind`;
    if (tag === TAG_RECORD && !isStrategyKind(kind))
      return `entry ${e}: ring record of kind ${kind} is not a strategy input`;
    p += 2 + 2 * n;
  }
  return p === end ? null : `the frame has ${4 * (end - p)} bytes after its ${entries} entries`;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Decodes checked entries into a batch buffer of `capacity` records. */
export class EntryDecoder {
  readonly bytes: Uint8Array;
  private readonly dst: Uint32Array;
  private readonly prevLo: Uint32Array;
  private readonly prevHi: Uint32Array;

  constructor(readonly capacity: number) {
    this.bytes = new Uint8Array(capacity * INPUT_SIZE);
    this.dst = new Uint32Array(this.bytes.buffer);
    this.prevLo = new Uint32Array(capacity);
    this.prevHi = new Uint32Array(capacity);
  }

  /** The tag of the entry at word `p`. */
  static tag(u32: Uint32Array, p: number): number {
    return u32[p + 1]! & 0xff;
  }

  /** Decodes the record entry at word `p` into buffer slot `slot`; returns the next entry's word. */
  record(u32: Uint32Array, p: number, slot: number): number {
    const lo = u32[p]!;
    const hi = (u32[p + 1]! >>> 8) & 0xff;
    const dst = this.dst;
    const base = slot * (INPUT_SIZE / 4);
    let clear = this.prevLo[slot]! & ~lo;
    while (clear !== 0) {
      const k = 31 - Math.clz32(clear & -clear);
      dst[base + 2 * k] = 0;
      dst[base + 2 * k + 1] = 0;
      clear &= clear - 1;
    }
    clear = this.prevHi[slot]! & ~hi;
    while (clear !== 0) {
      const k = 63 - Math.clz32(clear & -clear);
      dst[base + 2 * k] = 0;
      dst[base + 2 * k + 1] = 0;
      clear &= clear - 1;
    }
    let q = p + 2;
    for (let m = lo; m !== 0; m &= m - 1, q += 2) {
      const k = 31 - Math.clz32(m & -m);
      dst[base + 2 * k] = u32[q]!;
      dst[base + 2 * k + 1] = u32[q + 1]!;
    }
    for (let m = hi; m !== 0; m &= m - 1, q += 2) {
      const k = 63 - Math.clz32(m & -m);
      dst[base + 2 * k] = u32[q]!;
      dst[base + 2 * k + 1] = u32[q + 1]!;
    }
    this.prevLo[slot] = lo;
    this.prevHi[slot] = hi;
    return q;
  }

  /** The slot restore at word `p`: its image (a copy) and time; and the next entry's word. */
  static restore(u32: Uint32Array, p: number): { image: Uint8Array; nowMs: number; next: number } {
    const bytes = new Uint8Array(u32.buffer, u32.byteOffset + 4 * p, RESTORE_BYTES);
    const nowMs = Number(new DataView(bytes.buffer, bytes.byteOffset + 8, 8).getBigUint64(0, true));
    return { image: bytes.slice(16), nowMs, next: p + RESTORE_BYTES / 4 };
  }

  /** Bytes of a record entry at word `p` (tags INPUT and RECORD). */
  static size(u32: Uint32Array, p: number): number {
    if (EntryDecoder.tag(u32, p) === TAG_RESTORE) return RESTORE_BYTES;
    return 8 + 8 * (popcount(u32[p]!) + popcount((u32[p + 1]! >>> 8) & 0xff));
  }
}
