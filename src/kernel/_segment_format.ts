/**
 * The on-disk layout of the segmented journal, `<state dir>/journal/`: file names, the segment
 * header, the frame header and the snapshot file header. Everything is little-endian; every
 * header carries a CRC-32 (the zlib polynomial, `Bun.hash.crc32`).
 *
 *   segment-<index, 12 digits>.bin     header (128 bytes), then frames until the file ends
 *   snapshot-<index, 12 digits>.bin    the kernel state just before segment <index>'s first entry
 *
 * Segment header (128 bytes):
 *    0 "DITAJSEG"   8 u32 format 1   12 u32 header bytes (128)   16 u64 segment index
 *   24 u64 first seq (of the run)    32 u32 slot_count   36 u32 active_slot_limit
 *   40 u64 hung_order_ms   48 run id (16 hex digits)   64 strategy (32 bytes, NUL-padded)
 *   96 reserved zero      124 u32 CRC-32 of bytes 0..124
 * The writer fsyncs a segment's header before it writes any frame, so a crash can leave an
 * unreadable header only in a file no longer than the header (`isTornSegmentHeader`).
 * Frame (one per journal write, at most FRAME_PAYLOAD_MAX payload bytes plus one entry):
 *    0 u32 CRC-32 of bytes 4..24+payload   4 u32 payload bytes   8 u32 entries
 *   12 u32 "FRAM"   16 u64 seq of the first entry   24 payload: entries (`_segment_entries.ts`)
 * Snapshot file header (64 bytes), then the kernel snapshot (kernel/ABI.md, SnapshotHeader):
 *    0 "DITAJSNP"   8 u32 format 1   12 u32 kernel snapshot bytes   16 u64 segment index
 *   24 u64 seq: entries of `run` before that segment   32 run id (16 hex digits)
 *   48 u64 the kernel snapshot's state hash   56 u32 reserved zero   60 u32 CRC-32 of bytes 0..60
 *
 * Entry points: `segmentName`, `snapshotName`, `parseJournalName`, `encodeSegmentHeader`,
 * `parseSegmentHeader`, `isTornSegmentHeader`, `encodeSnapshotFile`, `parseSnapshotFileHeader`,
 * the size constants.
 */

import { RUN_ID_RE } from "../contracts/records.ts";

export const SEGMENT_HEADER_BYTES = 128;
export const FRAME_HEADER_BYTES = 24;
export const SNAPSHOT_FILE_HEADER_BYTES = 64;
/** A frame is written once its payload reaches this (and at every flush before). */
export const FRAME_PAYLOAD_MAX = 1 << 20;
/** The largest payload a reader accepts: the cap plus one entry (a restore, 464 bytes, is the largest). */
export const FRAME_PAYLOAD_LIMIT = FRAME_PAYLOAD_MAX + 512;
export const FRAME_MAGIC = 0x4d415246; // "FRAM"
const FORMAT = 1;
const SEGMENT_MAGIC = "DITAJSEG";
const SNAPSHOT_MAGIC = "DITAJSNP";
const NAME_RE = /^(segment|snapshot)-(\d{12})\.bin$/;
const crc32 = (b: Uint8Array): number => Bun.hash.crc32(b) >>> 0;

export interface SegmentHeader {
  index: number;
  firstSeq: number;
  slotCount: number;
  activeSlotLimit: number;
  hungOrderMs: number;
  run: string;
  strategy: string;
}

export interface SnapshotFileHeader {
  index: number;
  /** Entries of `run` applied before segment `index` (its first seq is seq + 1). */
  seq: number;
  run: string;
  stateHash: string;
  kernelBytes: number;
}

const pad = (index: number) => String(index).padStart(12, "0");
export const segmentName = (index: number) => `segment-${pad(index)}.bin`;
export const snapshotName = (index: number) => `snapshot-${pad(index)}.bin`;

/** A journal file name's kind and index, or null for any other file. */
export function parseJournalName(name: string): { kind: "segment" | "snapshot"; index: number } | null {
  const m = NAME_RE.exec(name);
  if (m === null) return null;
  return { kind: m[1] as "segment" | "snapshot", index: Number(m[2]) };
}

function ascii(bytes: Uint8Array, at: number, text: string, width: number): void {
  if (text.length > width || !/^[\x21-\x7e]*$/.test(text))
    throw new Error(`Invariant: journal header text "${text}" is printable ASCII of at most ${width} bytes`);
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
}

function text(bytes: Uint8Array, at: number, width: number): string {
  let s = "";
  for (let i = at; i < at + width && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function encodeSegmentHeader(h: SegmentHeader): Uint8Array {
  const b = new Uint8Array(SEGMENT_HEADER_BYTES);
  const dv = new DataView(b.buffer);
  ascii(b, 0, SEGMENT_MAGIC, 8);
  dv.setUint32(8, FORMAT, true);
  dv.setUint32(12, SEGMENT_HEADER_BYTES, true);
  dv.setBigUint64(16, BigInt(h.index), true);
  dv.setBigUint64(24, BigInt(h.firstSeq), true);
  dv.setUint32(32, h.slotCount, true);
  dv.setUint32(36, h.activeSlotLimit, true);
  dv.setBigUint64(40, BigInt(h.hungOrderMs), true);
  ascii(b, 48, h.run, 16);
  ascii(b, 64, h.strategy, 32);
  dv.setUint32(124, crc32(b.subarray(0, 124)), true);
  return b;
}

/** The header of a segment, or why it is not one (wrong magic, format, CRC or values). */
export function parseSegmentHeader(b: Uint8Array): SegmentHeader | string {
  if (b.byteLength < SEGMENT_HEADER_BYTES) return `header is ${b.byteLength} bytes, not ${SEGMENT_HEADER_BYTES}`;
  const dv = new DataView(b.buffer, b.byteOffset, SEGMENT_HEADER_BYTES);
  if (text(b, 0, 8) !== SEGMENT_MAGIC) return "not a journal segment (magic)";
  if (dv.getUint32(124, true) !== crc32(b.subarray(0, 124))) return "segment header fails its CRC";
  if (dv.getUint32(8, true) !== FORMAT) return `segment format ${dv.getUint32(8, true)}, this build reads ${FORMAT}`;
  const h: SegmentHeader = {
    index: Number(dv.getBigUint64(16, true)),
    firstSeq: Number(dv.getBigUint64(24, true)),
    slotCount: dv.getUint32(32, true),
    activeSlotLimit: dv.getUint32(36, true),
    hungOrderMs: Number(dv.getBigUint64(40, true)),
    run: text(b, 48, 16),
    strategy: text(b, 64, 32),
  };
  if (!RUN_ID_RE.test(h.run) || h.firstSeq < 1 || h.slotCount < 1 || h.slotCount > 256) return "segment header values";
  return h;
}

/**
 * Whether a segment header `parseSegmentHeader` refused is torn: what a crash while the writer wrote
 * it can leave. The writer creates the file, writes the header and fsyncs it before any frame
 * (segment_writer.ts, `open`), so a torn header lies in a file of at most SEGMENT_HEADER_BYTES and
 * is not whole (short, or its magic or CRC wrong). Any other refused header — another format, or a
 * failing CRC with frames after it — was written whole and damaged or written by another build since.
 */
export function isTornSegmentHeader(head: Uint8Array, fileBytes: number): boolean {
  if (fileBytes > SEGMENT_HEADER_BYTES) return false;
  if (head.byteLength < SEGMENT_HEADER_BYTES || text(head, 0, 8) !== SEGMENT_MAGIC) return true;
  return new DataView(head.buffer, head.byteOffset).getUint32(124, true) !== crc32(head.subarray(0, 124));
}

export function encodeSnapshotFile(h: Omit<SnapshotFileHeader, "kernelBytes">, kernel: Uint8Array): Uint8Array {
  const b = new Uint8Array(SNAPSHOT_FILE_HEADER_BYTES + kernel.byteLength);
  const dv = new DataView(b.buffer);
  ascii(b, 0, SNAPSHOT_MAGIC, 8);
  dv.setUint32(8, FORMAT, true);
  dv.setUint32(12, kernel.byteLength, true);
  dv.setBigUint64(16, BigInt(h.index), true);
  dv.setBigUint64(24, BigInt(h.seq), true);
  ascii(b, 32, h.run, 16);
  dv.setBigUint64(48, BigInt(`0x${h.stateHash}`), true);
  dv.setUint32(60, crc32(b.subarray(0, 60)), true);
  b.set(kernel, SNAPSHOT_FILE_HEADER_BYTES);
  return b;
}

/**
 * A snapshot file's header, or why it is not one; the kernel checks the snapshot it holds.
 * `fileBytes`: the whole file's length when `b` holds only its header.
 */
export function parseSnapshotFileHeader(b: Uint8Array, fileBytes = b.byteLength): SnapshotFileHeader | string {
  if (b.byteLength < SNAPSHOT_FILE_HEADER_BYTES) return `${b.byteLength} bytes, shorter than its header`;
  const dv = new DataView(b.buffer, b.byteOffset, SNAPSHOT_FILE_HEADER_BYTES);
  if (text(b, 0, 8) !== SNAPSHOT_MAGIC) return "not a journal snapshot (magic)";
  if (dv.getUint32(60, true) !== crc32(b.subarray(0, 60))) return "snapshot file header fails its CRC";
  if (dv.getUint32(8, true) !== FORMAT)
    return `snapshot file format ${dv.getUint32(8, true)}, this build reads ${FORMAT}`;
  const h: SnapshotFileHeader = {
    index: Number(dv.getBigUint64(16, true)),
    seq: Number(dv.getBigUint64(24, true)),
    run: text(b, 32, 16),
    stateHash: dv.getBigUint64(48, true).toString(16).padStart(16, "0"),
    kernelBytes: dv.getUint32(12, true),
  };
  if (!RUN_ID_RE.test(h.run)) return "snapshot file header names no run";
  if (fileBytes !== SNAPSHOT_FILE_HEADER_BYTES + h.kernelBytes)
    return `${fileBytes} bytes, its header says ${SNAPSHOT_FILE_HEADER_BYTES + h.kernelBytes} (truncated)`;
  return h;
}
