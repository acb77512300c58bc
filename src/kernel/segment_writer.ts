/**
 * The input journal as segments and snapshots under `<state dir>/journal/` (layout:
 * `_segment_format.ts`, entries: `_segment_entries.ts`). It is the kernel's `InputJournal` step:
 * every input the kernel accepted is appended, in the order applied; refused inputs changed
 * nothing and are only counted (no client can grow the journal without changing state).
 *
 *  - `begin(source, index)` writes snapshot `index` (the kernel's state now) and opens segment
 *    `index`, whose first entry is this run's next seq. A kernel lifetime (run) always starts a
 *    segment of its own, after whatever an earlier run left.
 *  - Entries collect in one frame, written with one write(2) per `flush()` (the launcher flushes
 *    after every kernel call, before answering) or as soon as it holds FRAME_PAYLOAD_MAX bytes.
 *  - `flush()` rotates once the segment reached `segmentBytes`: the segment is fsynced and closed,
 *    snapshot `index + 1` is written atomically (temporary file, fsync, rename, fsync of the
 *    directory), segment `index + 1` is opened, and files older than the `keep` newest snapshots are
 *    deleted (so at most `keep` segments and `keep` snapshots stay). A rotation happens only at a
 *    flush, where the kernel's state is exactly what the journal holds.
 *  - A snapshot restore of the kernel (`snapshotRestored`) starts a new segment from it the same way.
 *
 * Invariants: seqs count this run's entries from 1 across its segments (projected row ids carry
 * `<run>:<seq>`); a frame holds whole entries; a snapshot file is complete or absent.
 *
 * Entry point: `new SegmentJournal(options)`, `begin`, the `InputJournal` methods, `flush`, `close`.
 */

import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { KernelInput } from "../contracts/intents.ts";
import { FrameBuffer, TAG_INPUT, TAG_RECORD } from "./_segment_entries.ts";
import {
  encodeSegmentHeader,
  encodeSnapshotFile,
  FRAME_PAYLOAD_MAX,
  parseJournalName,
  segmentName,
  snapshotName,
} from "./_segment_format.ts";
import { INPUT_SIZE, RecordEncoder } from "./encoder.ts";
import type { InputJournal } from "./types.ts";

export interface SegmentJournalOptions {
  dir: string;
  /** A segment rotates at the first flush after it reached this size. */
  segmentBytes: number;
  /** Snapshots (and the segments from the oldest of them on) kept; at least 2. */
  keep: number;
  run: string;
  strategy: string;
  slotCount: number;
  activeSlotLimit: number;
  hungOrderMs: number;
  log?: (line: string) => void;
}

/** What the journal snapshots at a segment start: the kernel it journals. */
export interface SnapshotSource {
  snapshot(): Uint8Array;
  stateHashHex(): string;
}

export class SegmentJournal implements InputJournal {
  /** Inputs the kernel refused since start: counted, not journaled. */
  refused = 0;
  /** Segments this run rotated to after its first. */
  rotations = 0;
  private seq = 0;
  private index = 0;
  private fd: number | null = null;
  private size = 0;
  private source: SnapshotSource | null = null;
  private readonly frame = new FrameBuffer();
  private readonly clean = new Uint8Array(INPUT_SIZE);
  private readonly clean32 = new Uint32Array(this.clean.buffer);
  private readonly encoder = new RecordEncoder(this.clean);

  constructor(private readonly o: SegmentJournalOptions) {
    if (!(o.keep >= 2) || !(o.segmentBytes >= 4096))
      throw new Error(`Condition failed: keep ${o.keep} >= 2 and segmentBytes ${o.segmentBytes} >= 4096`);
  }

  /** The current segment's path (empty before `begin`). */
  get path(): string {
    return this.fd === null ? "" : join(this.o.dir, segmentName(this.index));
  }

  get segment(): number {
    return this.index;
  }

  /** This run's journal seq of its last entry. */
  get entries(): number {
    return this.seq;
  }

  /** Writes snapshot `index` of `source` and opens segment `index` (the run's first). */
  begin(source: SnapshotSource, index: number): void {
    if (this.source !== null) throw new Error("Invariant: a segment journal begins once");
    if (this.seq !== 0) throw new Error("Invariant: nothing is journaled before the journal begins");
    for (const f of readdirSync(this.o.dir)) if (f.endsWith(".tmp")) rmSync(join(this.o.dir, f), { force: true });
    this.source = source;
    this.open(index);
  }

  input(input: KernelInput, accepted: boolean): void {
    if (!accepted) {
      this.refused++;
      return;
    }
    this.clean.fill(0);
    this.encoder.zeroed();
    const refusal = this.encoder.encode(input, 0);
    if (refusal !== null) throw new Error(`Invariant: an input the kernel accepted encodes: ${refusal.message}`);
    this.next();
    this.frame.addWords(TAG_INPUT, this.clean32, 0);
    this.added();
  }

  records(records: Uint8Array, accepted: Uint8Array): void {
    // One word view over the whole batch (the ring's buffers are aligned); else a copy per record.
    const words =
      records.byteOffset % 4 === 0
        ? new Uint32Array(records.buffer, records.byteOffset, records.byteLength >> 2)
        : null;
    for (let i = 0; i < accepted.length; i++) {
      if (accepted[i] !== 1) {
        this.refused++;
        continue;
      }
      this.next();
      if (words !== null) this.frame.addWords(TAG_RECORD, words, i * (INPUT_SIZE / 4));
      else this.frame.addRecord(TAG_RECORD, records, i * INPUT_SIZE);
      this.added();
    }
  }

  restore(image: Uint8Array, nowMs: number, accepted: boolean): void {
    if (!accepted) {
      this.refused++;
      return;
    }
    this.next();
    this.frame.addRestore(image, nowMs);
    this.added();
  }

  snapshotRestored(): void {
    if (this.source === null) return; // `begin` snapshots the restored state
    this.emit();
    this.rotate();
  }

  /** Writes the pending frame (fsynced when `durable`); rotates once the segment is full. */
  flush(durable = false): void {
    this.emit();
    const fd = this.live();
    if (durable) fsyncSync(fd);
    if (this.size >= this.o.segmentBytes) this.rotate();
  }

  close(): void {
    if (this.fd === null) return;
    this.flush(true);
    closeSync(this.fd);
    this.fd = null;
  }

  /** Counts the entry about to be appended (the frame's first one fixes the frame's first seq). */
  private next(): void {
    if (this.frame.entries === 0) this.frame.start(this.seq + 1);
    this.seq++;
  }

  private added(): void {
    if (this.frame.payload >= FRAME_PAYLOAD_MAX) this.emit();
  }

  private emit(): void {
    if (this.frame.entries === 0) return;
    const bytes = this.frame.finish();
    writeAll(this.live(), bytes);
    this.size += bytes.byteLength;
    this.frame.start(this.seq + 1);
  }

  private rotate(): void {
    const fd = this.live();
    fsyncSync(fd);
    closeSync(fd);
    this.fd = null;
    this.rotations++;
    this.open(this.index + 1);
    this.prune();
  }

  /** Snapshot `index` (atomically), then segment `index` with its header. */
  private open(index: number): void {
    const source = this.source;
    if (source === null) throw new Error("Invariant: the journal began");
    const o = this.o;
    const kernel = source.snapshot();
    const file = encodeSnapshotFile({ index, seq: this.seq, run: o.run, stateHash: source.stateHashHex() }, kernel);
    const path = join(o.dir, snapshotName(index));
    const tmp = `${path}.tmp`;
    const t = openSync(tmp, "w", 0o600);
    try {
      writeAll(t, file);
      fsyncSync(t);
    } finally {
      closeSync(t);
    }
    renameSync(tmp, path);
    this.fd = openSync(join(o.dir, segmentName(index)), "wx", 0o600);
    const header = encodeSegmentHeader({ ...o, index, firstSeq: this.seq + 1 });
    writeAll(this.fd, header);
    fsyncSync(this.fd);
    syncDir(o.dir);
    this.index = index;
    this.size = header.byteLength;
  }

  /** Deletes every file older than the `keep` newest snapshots. */
  private prune(): void {
    const files = readdirSync(this.o.dir).flatMap((f) => {
      const n = parseJournalName(f);
      return n === null ? [] : [{ f, ...n }];
    });
    const snapshots = files
      .filter((x) => x.kind === "snapshot")
      .map((x) => x.index)
      .sort((a, b) => b - a);
    if (snapshots.length <= this.o.keep) return;
    const oldestKept = snapshots[this.o.keep - 1]!;
    const gone = files.filter((x) => x.index < oldestKept);
    for (const x of gone) rmSync(join(this.o.dir, x.f), { force: true });
    if (gone.length > 0) syncDir(this.o.dir);
  }

  private live(): number {
    if (this.fd === null) throw new Error("Invariant: the segment journal is open (begun, not closed)");
    return this.fd;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, bytes.byteLength - at);
}

function syncDir(dir: string): void {
  const d = openSync(dir, "r");
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}
