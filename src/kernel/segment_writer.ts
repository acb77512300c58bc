/**
 * The input journal as segments and snapshots under `<state dir>/journal/` (layout:
 * `_segment_format.ts`, entries: `_segment_entries.ts`). It is the kernel's `InputJournal` step:
 * every input the kernel accepted is appended, in the order applied; refused inputs changed
 * nothing and are only counted (no client can grow the journal without changing state).
 *
 *  - `begin(source, index, prune?)` fsyncs the newest older segment (a crashed run's last, maybe cut
 *    by the recovery: never fsynced), writes snapshot `index` (the kernel's state now) and opens
 *    segment `index`, whose first entry is this run's next seq: a run starts a segment of its own.
 *    Then it prunes as a rotation does (a crash loop's starts stay within `keep` too), unless `prune`
 *    is false: the launcher calls `prune()` itself, once serve's catch-up read the older segments.
 *  - Entries collect in one frame, written with one write(2) per `flush()` (the launcher flushes
 *    after every kernel call, before answering) or as soon as it holds FRAME_PAYLOAD_MAX bytes.
 *    Not fsynced (`flush(true)` is, as `close` and a rotation): a process crash loses nothing
 *    written, a power loss or kernel panic can lose the last writes.
 *  - `flush()` rotates once the segment reached `segmentBytes`, in the order a power loss needs: the
 *    segment is fsynced (refused: `JournalWriteError`, nothing made), snapshot `index + 1` (temporary
 *    file, fsync, rename) and segment `index + 1` are written and fsynced, then the directory; only then
 *    go files older than the `keep` newest snapshots (and the directory is fsynced again). A rotation
 *    happens only at a flush, where the kernel's state is exactly what the journal holds.
 *  - A snapshot restore (`snapshotRestored`) starts a new segment the same way; until it is made (each
 *    flush tries, else throws `JournalWriteError`) `behind` is true and entries are only counted.
 *
 * A write the disk refuses (ENOSPC, EIO) throws `JournalWriteError` and loses nothing: the part of
 * the frame that was written is cut off again (the segment ends with a whole frame), the frame is
 * kept, sealed once full, and the next flush writes the kept frames in order at the same place. A
 * rotation that cannot make its snapshot or segment removes what it made; the current segment takes
 * the entries on (logged once), the next flush tries again. `behind`: no order may leave meanwhile.
 *
 * Invariants: seqs count this run's entries from 1 across its segments (projected row ids carry `<run>:<seq>`);
 * a frame holds whole entries; a snapshot file is complete or absent; a segment holds every entry from its
 * first seq up to the newest snapshot's successor (a snapshot exists only with its segment).
 *
 * Entry point: `new SegmentJournal(options)`, `begin`, the `InputJournal` methods, `flush`, `prune`, `close`.
 */

import { join } from "node:path";
import type { KernelInput } from "../contracts/intents.ts";
import { type JournalFs, nodeJournalFs, writeAll } from "./_journal_fs.ts";
import { FrameBuffer, TAG_INPUT, TAG_RECORD } from "./_segment_entries.ts";
import { createSegment, pruneJournal, type SnapshotOf, settleJournal } from "./_segment_files.ts";
import { FRAME_PAYLOAD_MAX, segmentName } from "./_segment_format.ts";
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
  fs?: JournalFs; // the file operations: node:fs by default (a test records their order)
}

/** What the journal snapshots at a segment start: the kernel it journals. */
export type SnapshotSource = SnapshotOf;

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
  /** A rotation was refused and not yet made since (logged once). */
  private rotationRefused = false;
  /** A snapshot restore whose segment is not made yet (entries since go in no segment). */
  private restored = false;
  /** Whole frames a refused write left to write, oldest first (copies). */
  private readonly kept: Uint8Array[] = [];
  private readonly clean = new Uint8Array(INPUT_SIZE);
  private readonly clean32 = new Uint32Array(this.clean.buffer);
  private readonly encoder = new RecordEncoder(this.clean);
  private readonly fs: JournalFs;

  constructor(private readonly o: SegmentJournalOptions) {
    this.fs = o.fs ?? nodeJournalFs;
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

  /** Entries are waiting for a write the disk refused: nothing journaled since is durable. */
  get behind(): boolean {
    return this.kept.length > 0 || this.restored;
  }

  /** This run's journal seq of its last entry. */
  get entries(): number {
    return this.seq;
  }

  /** Writes snapshot `index` of `source` and opens segment `index` (the run's first); `prune`: then prunes. */
  begin(source: SnapshotSource, index: number, prune = true): void {
    if (this.source !== null) throw new Error("Invariant: a segment journal begins once");
    if (this.seq !== 0) throw new Error("Invariant: nothing is journaled before the journal begins");
    settleJournal(this.o.dir, index, this.fs); // durable before the snapshot that supersedes it, as at a rotation
    this.source = source;
    this.open(index);
    if (prune) this.prune(); // as at a rotation: a crash loop's starts, each a snapshot and a segment, stay bounded
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
    if (!this.next()) return;
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
      if (!this.next()) continue;
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
    if (!this.next()) return;
    this.frame.addRestore(image, nowMs);
    this.added();
  }

  /** The pending entries (from before) end the current segment; a refusal leaves `behind` for the next flush. */
  snapshotRestored(): void {
    if (this.source === null) return; // `begin` snapshots the restored state
    this.restored = true;
    try {
      this.flush();
    } catch (e) {
      if (!(e instanceof JournalWriteError)) throw e;
    }
  }

  /** Writes the pending frame (fsynced when `durable`); rotates once due. `JournalWriteError`: the disk refused. */
  flush(durable = false): void {
    this.emit();
    const fd = this.live();
    if (durable) refusedAs("fsync", this.path, () => this.fs.fsyncSync(fd));
    if (this.restored || this.size >= this.o.segmentBytes) this.rotate();
  }

  close(): void {
    if (this.fd === null) return;
    this.flush(true);
    this.fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Counts the entry about to be appended (and starts a frame); false: not appended (`restored`). */
  private next(): boolean {
    this.seq++;
    if (this.restored) return false;
    if (this.frame.entries === 0) this.frame.start(this.seq);
    return true;
  }

  /** A full frame is written (or kept, sealed, when the disk refuses: the next flush reports it). */
  private added(): void {
    if (this.frame.payload < FRAME_PAYLOAD_MAX) return;
    try {
      this.emit();
    } catch (e) {
      if (!(e instanceof JournalWriteError)) throw e;
    }
  }

  /** Writes the kept frames, then the pending one; a refused write keeps them all (sealed). */
  private emit(): void {
    if (this.frame.entries > 0) {
      const bytes = this.frame.finish();
      // Behind kept frames, or refused now: kept (sealed), and written in order below.
      if (this.kept.length > 0 || this.append(bytes) !== null) this.kept.push(bytes.slice());
      this.frame.start(this.seq + 1);
    }
    while (this.kept.length > 0) {
      const refused = this.append(this.kept[0]!);
      if (refused !== null) throw refused;
      this.kept.shift();
    }
  }

  /** Writes a whole frame at the segment's end, or cuts off the part written and says why not. */
  private append(bytes: Uint8Array): JournalWriteError | null {
    const fd = this.live();
    try {
      writeAll(this.fs, fd, bytes, this.size);
    } catch (e) {
      try {
        this.fs.ftruncateSync(fd, this.size);
      } catch {
        // The torn tail stays; the next write at the same offset overwrites it.
      }
      return new JournalWriteError(`${this.path}: write refused (${(e as Error).message.split("\n")[0]})`);
    }
    this.size += bytes.byteLength;
    return null;
  }

  /** Segment `index + 1` from a snapshot of now, once the current one is fsynced; refused, that one goes on. */
  private rotate(): void {
    const old = this.live();
    const oldPath = this.path;
    refusedAs("fsync", oldPath, () => this.fs.fsyncSync(old));
    try {
      this.open(this.index + 1);
    } catch (e) {
      const why = (e as Error).message.split("\n")[0];
      if (this.restored) throw new JournalWriteError(`${oldPath}: no segment for a snapshot restore (${why})`);
      if (!this.rotationRefused)
        this.o.log?.(
          `journal: rotation to segment ${this.index + 1} refused (${why}); ${oldPath} takes the entries on, rotation tried again at every flush`,
        );
      this.rotationRefused = true;
      return;
    }
    if (this.rotationRefused) this.o.log?.(`journal: rotated to segment ${this.index} after refused rotations`);
    this.rotationRefused = false;
    this.restored = false;
    this.rotations++;
    this.fs.closeSync(old);
    this.prune(); // after the new snapshot and segment and their names are durable (`createSegment`)
  }

  /** Files older than the `keep` newest snapshots go; one the disk refuses to delete is logged, tried again later. */
  prune(): void {
    try {
      pruneJournal(this.o.dir, this.o.keep, this.fs);
    } catch (e) {
      const why = (e as Error).message.split("\n")[0];
      this.o.log?.(`journal: pruning ${this.o.dir} refused (${why}); tried again at the next rotation`);
    }
  }

  /** Snapshot `index` and segment `index` (`createSegment`); the journal moves to it once both exist. */
  private open(index: number): void {
    const source = this.source;
    if (source === null) throw new Error("Invariant: the journal began");
    const made = createSegment(this.o, index, this.seq, source);
    this.fd = made.fd;
    this.index = index;
    this.size = made.size;
  }

  private live(): number {
    if (this.fd === null) throw new Error("Invariant: the segment journal is open (begun, not closed)");
    return this.fd;
  }
}

/** A journal write, fsync or rotation the disk refused; the entries are kept for the next flush. */
export class JournalWriteError extends Error {}

function refusedAs(what: string, path: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    throw new JournalWriteError(`${path}: ${what} refused (${(e as Error).message.split("\n")[0]})`);
  }
}
