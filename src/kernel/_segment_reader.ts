/**
 * Reads one journal segment frame by frame through a fixed 4 MiB buffer, so replay memory stays
 * bounded whatever the segment's length (`_segment_format.ts` has the layout). The buffer is the
 * caller's (`newReadBuffer()`, one for a whole replay) or made at the first frame: opening a
 * segment to read its header allocates nothing, and a replay of many segments reuses one buffer
 * (the garbage collector does not count buffers, so one per segment made peak memory grow with
 * the journal's length). No allocation per frame either: `next()` refills one `Frame`.
 *
 * A frame that is incomplete, whose header is not a frame header, or that fails its CRC ends the
 * segment, and only then the rest of the file is scanned for a frame that passes its checks (magic, a
 * sane length within the file, its CRC) at any later 8-byte aligned offset (every frame starts at
 * one: a 128-byte header, 24-byte frame headers, payloads of whole 8-byte words), read through the
 * same buffer in chunks. The writer only appends, one frame per write, so a crash can leave only its
 * last frame short, never a whole frame after it: an intact frame after the failure proves damage,
 * and the reader refuses with a `JournalError` naming the file, the failing byte and the intact
 * frame's ("corrupt, not a torn write; left as it is"). With none, `torn` says where and why, and no
 * byte from there on is read as an entry; whether that tail is a torn write (the segment was the
 * last its run wrote) or corruption is the walker's call (`segment_replay.ts`). A frame that passes
 * its CRC but holds a malformed entry, or whose first seq does not continue the segment, is refused
 * with a `JournalError`.
 *
 * `SegmentReader.header(path)` reads only the header; an unreadable one comes back with why and
 * whether it is torn (`isTornSegmentHeader`: a crash before the writer's header fsync).
 * `segmentHeaders` reads the headers a walk will replay and refuses, with a `JournalError` naming
 * the file and why, every unreadable one except a torn header of the directory's last segment: the
 * only one the walker may cut (it holds no entry).
 *
 * Entry points: `SegmentReader.open(path, buffer?)`, `SegmentReader.header(path)`, `next()`, `torn`,
 * `close()`, `newReadBuffer()`, `segmentHeaders(segments, from, last)`.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { checkFrame } from "./_segment_entries.ts";
import {
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_PAYLOAD_LIMIT,
  isTornSegmentHeader,
  parseSegmentHeader,
  SEGMENT_HEADER_BYTES,
  type SegmentHeader,
} from "./_segment_format.ts";
import { JournalError } from "./journal.ts";

/**
 * One checked frame: its entries are `u32[start, start + words)`. The reader hands out the same
 * object every time (no allocation per frame): valid until the next `next()`.
 */
export interface Frame {
  offset: number;
  firstSeq: number;
  entries: number;
  u32: Uint32Array;
  start: number;
  words: number;
}

export interface TornTail {
  offset: number;
  /** Bytes from `offset` to the end of the file. */
  bytes: number;
  reason: string;
}

/** A segment header that cannot be read: why, the file's length, and whether a crash tore it. */
export interface UnreadableHeader {
  reason: string;
  fileBytes: number;
  /** A crash before the header was complete and fsynced (the file is no longer than the header). */
  torn: boolean;
}

const BUFFER_BYTES = 4 << 20;
/** Every frame starts at a multiple of 8: the segment header, frame headers and payloads are. */
const FRAME_ALIGN = 8;
const EMPTY = new Uint8Array(0);

/** A read buffer for `SegmentReader.open`, to share among the segments of one replay. */
export function newReadBuffer(): Uint8Array {
  return new Uint8Array(BUFFER_BYTES);
}

export class SegmentReader {
  torn: TornTail | null = null;
  /** Entries read so far. */
  entries = 0;
  private buf: Uint8Array;
  private u32: Uint32Array;
  private bufStart = 0;
  private bufLen = 0;
  private pos = SEGMENT_HEADER_BYTES;
  private readonly frame: Frame;

  private constructor(
    readonly path: string,
    private fd: number | null,
    readonly header: SegmentHeader,
    readonly size: number,
    buffer: Uint8Array | undefined,
  ) {
    this.buf = buffer ?? EMPTY;
    this.u32 = new Uint32Array(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength >> 2);
    this.frame = { offset: 0, firstSeq: 0, entries: 0, u32: this.u32, start: 0, words: 0 };
  }

  /** The segment at `path` (read through `buffer`, 4-byte aligned), or why its header cannot be read. */
  static open(path: string, buffer?: Uint8Array): SegmentReader | string {
    const fd = openSync(path, "r");
    const header = headerOf(fd, path);
    if ("reason" in header) {
      closeSync(fd);
      return header.reason;
    }
    if (buffer !== undefined && (buffer.byteOffset % 4 !== 0 || buffer.byteLength !== BUFFER_BYTES))
      throw new Error("Invariant: a segment read buffer comes from newReadBuffer()");
    return new SegmentReader(path, fd, header, fstatSync(fd).size, buffer);
  }

  /** The header of the segment at `path`, or why it cannot be read and whether that is a torn write. */
  static header(path: string): SegmentHeader | UnreadableHeader {
    const fd = openSync(path, "r");
    try {
      return headerOf(fd, path);
    } finally {
      closeSync(fd);
    }
  }

  /** The next checked frame, or null at the end of the segment (see `torn`). */
  next(): Frame | null {
    const at = this.pos;
    if (at >= this.size || this.torn !== null) return null;
    if (!this.ensure(at, FRAME_HEADER_BYTES)) return this.tear(at, "an incomplete frame header");
    const payload = this.payloadAt(at);
    if (payload < 0) return this.tear(at, "bytes that are no frame header");
    // Reading the payload may move the buffer: the frame's position is taken after it.
    if (!this.ensure(at, FRAME_HEADER_BYTES + payload))
      return this.tear(at, `a frame of ${payload} bytes that runs past the end of the file`);
    if (!this.crcHolds(at, payload)) return this.tear(at, "a frame that fails its CRC");
    const u = this.u32;
    const w = (at - this.bufStart) >> 2;
    const entries = u[w + 2]!;
    const firstSeq = u[w + 4]! + u[w + 5]! * 2 ** 32;
    const expected = this.header.firstSeq + this.entries;
    const where = () => `${this.path}: frame at byte ${at}`; // built only for an error
    if (firstSeq !== expected) throw new JournalError(`${where()}: first seq ${firstSeq}, expected ${expected}`);
    const problem = checkFrame(u, w + FRAME_HEADER_BYTES / 4, payload / 4, entries);
    if (problem !== null) throw new JournalError(`${where()}: ${problem}`);
    this.pos = at + FRAME_HEADER_BYTES + payload;
    this.entries += entries;
    const f = this.frame;
    f.offset = at;
    f.firstSeq = firstSeq;
    f.entries = entries;
    f.u32 = u;
    f.start = w + FRAME_HEADER_BYTES / 4;
    f.words = payload / 4;
    return f;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Ends the segment at a failing frame: a torn tail, or a `JournalError` when an intact frame follows. */
  private tear(offset: number, what: string): null {
    const reason = `${what} at byte ${offset}`;
    const intact = this.intactFrameAfter(offset);
    if (intact !== null)
      throw new JournalError(
        `${this.path}: ${reason}, and an intact frame follows at byte ${intact}: corrupt, not a torn write; left as it is`,
      );
    this.torn = { offset, bytes: this.size - offset, reason };
    return null;
  }

  /**
   * The first 8-byte aligned offset after `offset` where a frame passes its checks (magic, a sane
   * payload length that ends within the file, its CRC), or null. Runs only after a frame failed.
   */
  private intactFrameAfter(offset: number): number | null {
    for (let at = offset + FRAME_ALIGN; at + FRAME_HEADER_BYTES <= this.size; at += FRAME_ALIGN) {
      if (!this.ensure(at, FRAME_HEADER_BYTES)) return null;
      const payload = this.payloadAt(at);
      if (payload < 0 || at + FRAME_HEADER_BYTES + payload > this.size) continue;
      if (this.ensure(at, FRAME_HEADER_BYTES + payload) && this.crcHolds(at, payload)) return at;
    }
    return null;
  }

  /** The payload length of the frame header at file byte `at` (in the buffer), or -1 if it is none. */
  private payloadAt(at: number): number {
    const h = (at - this.bufStart) >> 2;
    const payload = this.u32[h + 1]!;
    const bad = this.u32[h + 3] !== FRAME_MAGIC || payload > FRAME_PAYLOAD_LIMIT || payload % 8 !== 0;
    return bad || this.u32[h + 2] === 0 ? -1 : payload;
  }

  /** Whether the frame at file byte `at` (header and `payload` bytes in the buffer) passes its CRC. */
  private crcHolds(at: number, payload: number): boolean {
    const b = at - this.bufStart;
    return Bun.hash.crc32(this.buf.subarray(b + 4, b + FRAME_HEADER_BYTES + payload)) >>> 0 === this.u32[b >> 2];
  }

  /** True when file bytes `[offset, offset + n)` are in the buffer (reading them if needed). */
  private ensure(offset: number, n: number): boolean {
    if (offset >= this.bufStart && offset + n <= this.bufStart + this.bufLen) return true;
    if (this.buf === EMPTY) {
      this.buf = newReadBuffer();
      this.u32 = new Uint32Array(this.buf.buffer);
    }
    const keep = offset - this.bufStart;
    if (keep >= 0 && keep < this.bufLen) {
      this.buf.copyWithin(0, keep, this.bufLen);
      this.bufLen -= keep;
    } else this.bufLen = 0;
    this.bufStart = offset;
    if (n > this.buf.byteLength) return false; // larger than any frame a writer writes
    const fd = this.fd;
    if (fd === null) throw new Error("Invariant: SegmentReader used after close()");
    while (this.bufLen < this.buf.byteLength) {
      const got = readSync(fd, this.buf, this.bufLen, this.buf.byteLength - this.bufLen, this.bufStart + this.bufLen);
      if (got === 0) break;
      this.bufLen += got;
    }
    return offset + n <= this.bufStart + this.bufLen;
  }
}

function headerOf(fd: number, path: string): SegmentHeader | UnreadableHeader {
  const head = new Uint8Array(SEGMENT_HEADER_BYTES);
  let n: number;
  try {
    n = readSync(fd, head, 0, SEGMENT_HEADER_BYTES, 0);
  } catch (e) {
    const why = (e as Error).message; // EISDIR, EIO: name the file, as open's errors do
    throw new Error(`${path}: ${why}`);
  }
  const header = parseSegmentHeader(head.subarray(0, n));
  if (typeof header !== "string") return header;
  const fileBytes = fstatSync(fd).size;
  return { reason: header, fileBytes, torn: isTornSegmentHeader(head.subarray(0, n), fileBytes) };
}

/**
 * The headers of `segments` from index `from` on (`last`: the directory's last index). An unreadable
 * one stops the walk here, before anything is replayed or cut, unless it is the torn last one.
 */
export function segmentHeaders(
  segments: Map<number, string>,
  from: number,
  last: number,
): Map<number, SegmentHeader | UnreadableHeader> {
  const headers = new Map<number, SegmentHeader | UnreadableHeader>();
  for (const [i, path] of segments) {
    if (i < from) continue;
    const h = SegmentReader.header(path);
    if ("reason" in h && !(h.torn && i === last)) throw new JournalError(untornHeader(path, h, i === last));
    headers.set(i, h);
  }
  return headers;
}

/** Why an unreadable header no crash tore stops the walk (one line); the file is left as it is. */
function untornHeader(path: string, h: UnreadableHeader, last: boolean): string {
  const frames = h.fileBytes - SEGMENT_HEADER_BYTES;
  const why = !last
    ? "later segments follow it"
    : frames > 0
      ? `${frames} bytes follow it`
      : "it is whole (its CRC holds)";
  return `${path}: its header is unreadable (${h.reason}) and ${why}, so no crash tore it: left as it is (written by another build, or damaged)`;
}
