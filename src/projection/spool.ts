/**
 * Spool: an append-only, crash-safe file of framed JSON records for one sink
 * (`<stateDir>/spool/<sink>.spool`, framing in `_frame.ts`) plus an acknowledgement file
 * (`<sink>.spool.ack`: `{generation, offset}`, replaced atomically by write + rename).
 *
 * Invariants:
 *  1. A record is removed only after the sink acknowledged it: `ack(offset)` persists first, and a
 *     compaction copies the unacknowledged tail into a new generation file *before* renaming it in.
 *  2. A crash between compaction's rename and its ack write leaves an ack of the old generation;
 *     a generation mismatch means "start of this file", which holds only unacknowledged records.
 *     So a crash can cause a replay (the sinks dedupe by row id) but never a loss.
 *  3. A fresh file installed outside compaction (none at open, or one whose header is damaged, moved
 *     to `.corrupt-header`) starts again at generation 1: the ack is reset to its start *before* the
 *     file is installed, so an ack left by the old file never skips the new file's records.
 *  4. A torn tail found at open is truncated (so new appends stay reachable) and reported; corrupt
 *     frames in the middle are skipped by resync at read time and reported once.
 *  5. Size is bounded by `maxBytes`; beyond it appends are refused and reported (stats count them), as
 *     are those of a failed write (disk full; cut back to the last good size) and a record too large
 *     for a frame (alone, for good: `lostTotal`): `append` never throws for these, it returns how many it
 *     stored (`SPOOL_FULL`, `details.reason` says which). A value JSON cannot encode (a BigInt, a cycle)
 *     makes it throw before anything is written (the outbox's row guard drops and names that row).
 *  6. Compaction is linear: the acked prefix goes once it is at least the tail (`shouldCompact`).
 *  7. Owner-only: the directory 0700, every file 0600 (the ack's and a generation's tmp too), whatever the umask.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, readFileSync, readSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { Severity } from "../contracts/records.ts";
import {
  decodeHeader,
  encodeFrames,
  FRAME_HEAD_BYTES,
  FRAME_MAX_BYTES,
  HEADER_BYTES,
  type SkippedRange,
  scanFrames,
} from "./_frame.ts";
import {
  appendAt,
  defaultWrite,
  installFile,
  openOwnerOnly,
  ownerOnlyDir,
  readAll,
  type SpoolWrite,
  shouldCompact,
  writeOwnerOnly,
} from "./_spool_file.ts";
import { errorText, type ProjectionDiagnostic } from "./types.ts";

export interface SpoolOptions {
  maxBytes?: number;
  /** Rewrite the file once a drained prefix is at least this large. */
  compactBytes?: number;
  fsync?: boolean;
  /** The positional write call (default `fs.writeSync`); tests inject a failing one. */
  write?: SpoolWrite;
  onDiagnostic?: (d: ProjectionDiagnostic) => void;
}
export interface SpoolBatch {
  values: unknown[];
  /** Absolute end offset after each value: ack(ends[i]) acknowledges values[0..i]. */
  ends: number[];
  /** Offset after everything read, skipped corrupt bytes included. */
  next: number;
}

const WINDOW_BYTES = FRAME_MAX_BYTES + FRAME_HEAD_BYTES;

export class Spool {
  readonly path: string;
  private readonly ackPath: string;
  private fd = -1;
  private generation = 1;
  private size = HEADER_BYTES;
  private ackOffset = HEADER_BYTES;
  private records = 0;
  private reportedSkipTo = 0;
  private readonly maxBytes: number;
  private readonly compactBytes: number;
  private readonly diag: (d: ProjectionDiagnostic) => void;
  private readonly write: SpoolWrite;
  private compactFailing = false;
  refusedTotal = 0;
  /** Of `refusedTotal`, the records refused for good, each alone (too large for a frame): a retry is refused again. */
  lostTotal = 0;
  /** Bytes copied by compactions since open (bounded by the bytes appended: invariant 6). */
  compactedBytes = 0;

  constructor(
    dir: string,
    readonly name: string,
    private readonly opts: SpoolOptions = {},
  ) {
    ownerOnlyDir(dir); // 0700, whatever the umask: the records are the desk's trading history
    this.path = join(dir, `${name}.spool`);
    this.ackPath = `${this.path}.ack`;
    this.maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
    this.compactBytes = opts.compactBytes ?? 4 * 1024 * 1024;
    this.diag = opts.onDiagnostic ?? (() => {});
    this.write = opts.write ?? defaultWrite;
    this.openFile();
    this.recover();
  }

  get backlogRecords(): number {
    return this.records;
  }
  get backlogBytes(): number {
    return this.size - this.ackOffset;
  }

  /** Appends all values in one write; returns how many it stored: all but those too large for a frame, or none (cap,
   *  failed write); the rest are refused and reported. Throws, storing nothing, on a value JSON cannot encode. */
  append(values: readonly unknown[]): number {
    if (values.length === 0) return 0;
    const { bytes, count, refused } = encodeFrames(values);
    const tooLarge = `spool ${this.name}: ${refused} record(s) larger than ${FRAME_MAX_BYTES} bytes refused`;
    if (refused > 0) this.refuse(refused, tooLarge, "too_large");
    if (count === 0) return 0;
    if (this.backlogBytes + bytes.length > this.maxBytes) {
      const full = `spool ${this.name} is full (${this.backlogBytes} bytes backlog, cap ${this.maxBytes})`;
      this.refuse(count, full, "cap");
      return 0;
    }
    const failure = appendAt(this.write, this.fd, bytes, this.size, this.opts.fsync === true);
    if (failure !== null) {
      this.refuse(count, `spool ${this.path}: ${failure}`, "write_failed");
      return 0;
    }
    this.size += bytes.length;
    this.records += count;
    return count;
  }

  /** Reads up to maxRecords unacknowledged records from the acknowledged offset. */
  read(maxRecords: number): SpoolBatch {
    if (this.ackOffset >= this.size) return { values: [], ends: [], next: this.ackOffset };
    const len = Math.min(WINDOW_BYTES, this.size - this.ackOffset);
    const buf = new Uint8Array(len);
    readAll(this.fd, buf, this.ackOffset);
    const scan = scanFrames(buf, this.ackOffset + len >= this.size, maxRecords);
    this.reportSkips(scan.skipped, this.ackOffset);
    return {
      values: scan.frames.map((f) => f.value),
      ends: scan.frames.map((f) => this.ackOffset + f.end),
      next: this.ackOffset + scan.consumed,
    };
  }

  /** Acknowledges everything before `offset` (covering `count` records); compacts when worthwhile. */
  ack(offset: number, count: number): void {
    if (!(offset >= this.ackOffset && offset <= this.size)) {
      throw new Error(`Invariant: spool ${this.name} ack ${offset} outside [${this.ackOffset}, ${this.size}]`);
    }
    if (offset === this.ackOffset) return;
    this.ackOffset = offset;
    this.records = Math.max(0, this.records - count);
    this.writeAck();
    if (shouldCompact(this.ackOffset - HEADER_BYTES, this.size - this.ackOffset, this.compactBytes)) this.compact();
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private openFile(): void {
    if (!existsSync(this.path)) this.installFresh();
    this.fd = openOwnerOnly(this.path, "r+");
    const head = new Uint8Array(HEADER_BYTES);
    const got = readSync(this.fd, head, 0, HEADER_BYTES, 0);
    const gen = got === HEADER_BYTES ? decodeHeader(head) : null;
    this.size = fstatSync(this.fd).size;
    if (gen === null) {
      closeSync(this.fd);
      const aside = `${this.path}.corrupt-header`;
      renameSync(this.path, aside);
      this.report("SPOOL_CORRUPT", "ERROR", `spool ${this.path} has no valid header; moved to ${aside}`, {
        bytes: this.size,
      });
      this.installFresh();
      this.fd = openOwnerOnly(this.path, "r+");
      this.size = HEADER_BYTES;
      return;
    }
    this.generation = gen;
  }

  /** Reads the ack, counts backlog records, truncates a torn tail. */
  private recover(): void {
    this.ackOffset = HEADER_BYTES;
    try {
      const a = JSON.parse(readFileSync(this.ackPath, "utf8")) as { generation: number; offset: number };
      if (a.generation === this.generation && a.offset >= HEADER_BYTES && a.offset <= this.size)
        this.ackOffset = a.offset;
    } catch {
      // No ack yet (or unreadable): replay from the start of this generation; sinks dedupe.
    }
    let at = this.ackOffset;
    for (let guard = 0; at < this.size && guard < 1_000_000; guard++) {
      const len = Math.min(WINDOW_BYTES, this.size - at);
      const buf = new Uint8Array(len);
      readAll(this.fd, buf, at);
      const atEof = at + len >= this.size;
      const scan = scanFrames(buf, atEof, Number.MAX_SAFE_INTEGER);
      this.records += scan.frames.length;
      const torn = scan.skipped.at(-1);
      if (atEof && torn && torn.to === len && (scan.frames.at(-1)?.end ?? 0) <= torn.from) {
        this.truncateTail(at + torn.from, torn.reason);
        scan.skipped.pop();
      }
      this.reportSkips(scan.skipped, at);
      if (scan.consumed === 0) break;
      at += scan.consumed;
    }
  }

  private truncateTail(at: number, reason: string): void {
    const what = `${reason} of ${this.size - at} bytes at offset ${at} skipped and truncated`;
    this.report("SPOOL_CORRUPT", "WARNING", `spool ${this.path}: ${what}`, {
      offset: at,
      bytes: this.size - at,
      reason,
    });
    ftruncateSync(this.fd, at);
    this.size = at;
  }

  private reportSkips(skipped: SkippedRange[], base: number): void {
    for (const s of skipped) {
      if (base + s.to <= this.reportedSkipTo) continue;
      this.reportedSkipTo = base + s.to;
      const what = `${s.reason}, ${s.to - s.from} bytes at offset ${base + s.from} skipped`;
      this.report("SPOOL_CORRUPT", "ERROR", `spool ${this.path}: ${what}`, {
        offset: base + s.from,
        bytes: s.to - s.from,
        reason: s.reason,
      });
    }
  }

  private refuse(n: number, message: string, reason: "cap" | "write_failed" | "too_large"): void {
    this.refusedTotal += n;
    if (reason === "too_large") this.lostTotal += n;
    this.report("SPOOL_FULL", "CRITICAL", message, { refused: n, reason });
  }

  private report(
    code: ProjectionDiagnostic["code"],
    severity: Severity,
    message: string,
    details: Record<string, unknown>,
  ): void {
    this.diag({ code, severity, sink: this.name, message, details });
  }

  private writeAck(): void {
    const tmp = `${this.ackPath}.tmp`;
    writeOwnerOnly(tmp, JSON.stringify({ generation: this.generation, offset: this.ackOffset }));
    renameSync(tmp, this.ackPath);
  }

  /** Installs an empty generation-1 file, resetting the ack to its start first (invariant 3). */
  private installFresh(): void {
    this.generation = 1;
    this.ackOffset = HEADER_BYTES;
    this.writeAck();
    installFile(this.write, this.path, 1, new Uint8Array(0));
  }

  /** Copies the unacknowledged tail into generation+1, renames it in, then acks its start. */
  private compact(): void {
    const tail = new Uint8Array(this.size - this.ackOffset);
    readAll(this.fd, tail, this.ackOffset);
    try {
      installFile(this.write, this.path, this.generation + 1, tail);
    } catch (e) {
      this.reportCompactFailure(e); // the current file stays as it is: its ack already covers the prefix
      return;
    }
    this.compactFailing = false;
    closeSync(this.fd);
    this.generation += 1;
    this.fd = openOwnerOnly(this.path, "r+");
    this.size = HEADER_BYTES + tail.length;
    this.ackOffset = HEADER_BYTES;
    this.reportedSkipTo = 0;
    this.compactedBytes += tail.length;
    this.writeAck();
  }

  private reportCompactFailure(e: unknown): void {
    if (this.compactFailing) return;
    this.compactFailing = true;
    const why = `compaction failed (${errorText(e)}); the file keeps its acknowledged prefix until a later one succeeds`;
    this.report("SPOOL_FULL", "WARNING", `spool ${this.path}: ${why}`, { refused: 0, reason: "compact_failed" });
  }
}
