/**
 * Replays a segmented journal directory: a snapshot, then every segment from that snapshot's index
 * on, to the state the journal's last entry left (`dita-v2 replay DIR`, the launcher's restart
 * belief, the projection's catch-up).
 *
 *  1. Start: the newest snapshot the kernel accepts (`from: "newest"`, the default), the oldest
 *     (`"oldest"`: the whole kept history), or the newest at or below an index (`{ atMost }`). A
 *     snapshot that is refused (corrupt, truncated, another format or ABI) costs one log line, and
 *     the previous one is tried; when none is left the replay stops with a `JournalError`.
 *  2. Segments are read in index order through a bounded buffer (`_segment_reader.ts`), their
 *     entries decoded straight into kernel records and applied 1024 at a time (or one at a time,
 *     with each outcome, for a `visitor`). Every journaled input was accepted live, so a refusal
 *     here means the replay diverged: it stops with a `JournalError` naming the segment.
 *  3. A segment's seqs continue its run's previous segment; a new run starts a new count. A later
 *     snapshot's recorded state hash is compared with the replayed one: a difference (a start that
 *     did not recover from the journal) is logged and the walk continues from it, or stops if the
 *     kernel refuses it; a missing segment needs the snapshot after it to bridge it, or stops the
 *     walk: no later segment is ever applied to an older or another state.
 *  4. A torn tail (an incomplete or failing frame, no intact frame after it: the reader refuses one
 *     with an intact frame after it, in any segment, as damage) is accepted only in the last segment
 *     of its run (where a crash mid-write leaves it), reported once, and with `cut` truncated (the
 *     launcher at start). Anywhere else it stops the replay.
 *  5. A segment header that will not parse is torn only in the directory's last segment and only in
 *     a file no longer than a header (the writer fsyncs the header before any frame:
 *     `isTornSegmentHeader`); that segment holds no entry and is reported, and with `cut` removed.
 *     Any other unreadable header (another format, a failing CRC with frames after it, segments
 *     after it) stops the walk with a `JournalError` naming the file and why, before anything is
 *     replayed or cut: no start deletes or truncates a file that holds entries.
 *  6. A walk that stops with a `JournalError` cuts nothing (cuts wait until every segment replayed).
 *
 * Entry points: `walkJournal(dir, options)`, `segmentOf(dir, run, seq)`, `listJournal` (re-exported).
 */

import { rmSync, truncateSync } from "node:fs";
import { basename } from "node:path";
import { BATCH_MAX } from "../contracts/abi.ts";
import type { KernelOutcome } from "../contracts/records.ts";
import { EntryDecoder, TAG_INPUT, TAG_RESTORE } from "./_segment_entries.ts";
import type { SegmentHeader } from "./_segment_format.ts";
import {
  type JournalListing,
  listJournal,
  loadSnapshot,
  readSnapshotHeader,
  type StartFrom,
  segmentOf,
  startSnapshot,
} from "./_segment_listing.ts";
import { type Frame, newReadBuffer, SegmentReader, segmentHeaders } from "./_segment_reader.ts";
import { INPUT_SIZE } from "./encoder.ts";
import type { ExecutionKernel } from "./execution_kernel.ts";
import { InputRecords } from "./input_records.ts";
import { JournalError } from "./journal.ts";
import type { JournalStep } from "./journal_outcomes.ts";

export { type JournalListing, listJournal, segmentOf };

export interface WalkVisitor {
  /** A run begins here (or the walk begins inside it): `seq` entries of it came before. */
  run(run: string, strategy: string, seq: number, kernel: ExecutionKernel): void;
  step(step: JournalStep, kernel: ExecutionKernel): void;
}

export interface WalkOptions {
  from?: StartFrom;
  cut?: boolean;
  log: (line: string) => void;
  visitor?: WalkVisitor;
}

export interface WalkResult {
  kernel: ExecutionKernel;
  /** The snapshot the replay started from. */
  snapshot: number;
  segments: number;
  entries: number;
  /** The run and seq of the last entry (the start snapshot's when no entry followed it). */
  run: string;
  seq: number;
  torn: Array<{ segment: number; offset: number; bytes: number }>;
  /** The index a new segment takes. */
  nextIndex: number;
  state_hash: string;
}

/** Replays `dir`; null when it holds no snapshot (nothing to recover). The caller destroys the kernel. */
export function walkJournal(dir: string, o: WalkOptions): WalkResult | null {
  const list = listJournal(dir);
  if (list.snapshots.size === 0) return null;
  const start = startSnapshot(list, o.from ?? "newest", o.log);
  const w = new Walk(list, o, start.index, start.loaded.kernel, start.loaded.header.run, start.loaded.header.seq);
  try {
    w.segments();
    return w.result();
  } catch (e) {
    w.kernel.destroy(); // the walk's kernel, the one it continued from included
    throw e;
  }
}

class Walk {
  applied = 0;
  entries = 0;
  readonly torn: WalkResult["torn"] = [];
  private readonly decoder = new EntryDecoder(BATCH_MAX);
  private readonly buffer = newReadBuffer(); // one for every segment of the walk
  private pending = 0;
  private where = "";
  private readonly cuts: Array<() => void> = []; // made once every segment replayed: a stopped walk changes no file
  /** A missing segment the next snapshot must bridge (null: none). */
  private gap: number | null = null;
  /** The run the visitor was last told about (null: tell it at the next segment). */
  private told: string | null = null;

  constructor(
    private readonly list: JournalListing,
    private readonly o: WalkOptions,
    readonly start: number,
    public kernel: ExecutionKernel,
    public run: string,
    public seq: number,
  ) {}

  segments(): void {
    const last = Math.max(this.start - 1, ...this.list.segments.keys());
    const headers = segmentHeaders(this.list.segments, this.start, last);
    for (let i = this.start; i <= last; i++) {
      if (i > this.start) this.checkpoint(i);
      const path = this.list.segments.get(i);
      const h = headers.get(i);
      if (path === undefined || h === undefined) {
        if (!this.list.snapshots.has(i + 1) && i !== last)
          throw new JournalError(`journal ${this.list.dir}: segment ${i} is missing`);
        this.gap = i; // a start that died before its segment, or a lost one: snapshot i + 1 must bridge it
        continue;
      }
      if ("reason" in h) {
        this.tornTail(i, path, { offset: 0, bytes: -1, reason: h.reason }); // `headers` passed only a torn last one
        continue;
      }
      const nextRun = [...headers].find(([j]) => j > i)?.[1];
      const lastOfRun = nextRun === undefined || "reason" in nextRun || nextRun.run !== h.run;
      this.segment(i, path, h, lastOfRun);
    }
    this.flush();
    for (const cut of this.cuts) cut();
  }

  /**
   * Where snapshot `i` exists: continue from it when the replayed state is not the state it holds, or
   * segment `i - 1` is missing (`gap`). One whose header is unreadable is passed by, never over a gap;
   * one refused that records another state stops the walk (the segments after it follow that state).
   */
  private checkpoint(i: number): void {
    const gap = this.gap;
    this.gap = null;
    const path = this.list.snapshots.get(i);
    if (path === undefined) return;
    const h = readSnapshotHeader(path);
    if (typeof h !== "string") this.flush();
    const same = typeof h !== "string" && h.stateHash === this.kernel.stateHashHex();
    if (same && gap === null) return;
    const loaded = typeof h === "string" ? h : same ? null : loadSnapshot(path);
    if (typeof h === "string" && gap === null) return; // nothing says the replayed state is not its state
    if (typeof loaded === "string" || typeof h === "string") {
      const [name, older] = [basename(path), gap !== null];
      const what = older ? `segment ${gap} is missing and ${name} after it` : `${name} records another state, and it`;
      throw new JournalError(
        `journal ${this.list.dir}: ${what} is refused (${loaded}): the segments after it are not replayed onto ${older ? "an older" : "that other"} state`,
      );
    }
    if (loaded !== null) {
      this.o.log(
        `journal: ${basename(path)} holds state ${h.stateHash}, the replay reached ${this.kernel.stateHashHex()}: continuing from the snapshot (${gap === null ? "a start that did not recover from the journal" : `segment ${gap} is missing`})`,
      );
      this.kernel.destroy();
      this.kernel = loaded.kernel;
    }
    this.run = h.run;
    this.seq = h.seq;
    this.told = null;
  }

  private segment(i: number, path: string, h: SegmentHeader, lastOfRun: boolean): void {
    if (h.index !== i) throw new JournalError(`${path}: its header names segment ${h.index}`);
    if (h.slotCount !== this.kernel.slotCount)
      throw new JournalError(`${path}: ${h.slotCount} slots, the replayed kernel has ${this.kernel.slotCount}`);
    if (h.run !== this.run) {
      this.flush();
      this.run = h.run;
      this.seq = 0;
    }
    if (h.run !== this.told) this.o.visitor?.run(h.run, h.strategy, this.seq, this.kernel);
    this.told = h.run;
    if (h.firstSeq !== this.seq + 1)
      throw new JournalError(`${path}: first seq ${h.firstSeq}, run ${h.run} is at seq ${this.seq}`);
    const r = SegmentReader.open(path, this.buffer);
    if (typeof r === "string") throw new JournalError(`${path}: ${r}`);
    this.where = path;
    try {
      for (let f = r.next(); f !== null; f = r.next()) this.frame(f);
    } finally {
      r.close();
    }
    this.seq += r.entries;
    this.applied++;
    if (r.torn === null) return;
    if (!lastOfRun) throw new JournalError(`${path}: ${r.torn.reason}, and run ${h.run} wrote on after it (corrupt)`);
    this.tornTail(i, path, r.torn);
  }

  /** A torn tail (`bytes` -1: the whole segment, whose header is torn): reported, cut with `cut` at the end. */
  private tornTail(i: number, path: string, t: { offset: number; bytes: number; reason: string }): void {
    const header = t.bytes < 0;
    const offset = t.offset;
    const what = header ? `its header is torn (${t.reason})` : `a torn tail of ${t.bytes} bytes (${t.reason})`;
    this.torn.push({ segment: i, offset, bytes: t.bytes });
    if (!this.o.cut) {
      this.o.log(`journal: ${basename(path)}: ${what}: ignored (a crash mid-write)`);
      return;
    }
    this.cuts.push(() => {
      if (header) rmSync(path, { force: true });
      else truncateSync(path, offset);
      this.o.log(
        `journal: ${basename(path)}: ${what}: ${header ? "removed" : `cut at byte ${offset}`} (a crash mid-write)`,
      );
    });
  }

  private frame(f: Frame): void {
    const { u32 } = f;
    let p = f.start;
    for (let e = 0; e < f.entries; e++) {
      const tag = EntryDecoder.tag(u32, p);
      const seq = f.firstSeq + e;
      if (tag === TAG_RESTORE) {
        this.flush();
        const r = EntryDecoder.restore(u32, p);
        const outcome = this.kernel.restoreSlot(r.image, r.nowMs);
        this.check(outcome.accepted ? 1 : 0, 1, seq);
        this.o.visitor?.step({ seq, kind: "restore", outcome, restore: r }, this.kernel);
        p = r.next;
      } else if (this.o.visitor !== undefined) {
        p = this.decoder.record(u32, p, 0);
        const outcome = this.one(seq);
        const record = this.decoder.bytes.subarray(0, INPUT_SIZE);
        this.o.visitor.step({ seq, kind: tag === TAG_INPUT ? "input" : "record", outcome, record }, this.kernel);
      } else {
        p = this.decoder.record(u32, p, this.pending++);
        if (this.pending === BATCH_MAX) this.flush();
      }
      this.entries++;
    }
  }

  /** Applies the decoded records in the batch buffer; every one must be accepted, as it was live. */
  private flush(): void {
    const n = this.pending;
    if (n === 0) return;
    this.pending = 0;
    this.check(this.kernel.applyRecords(InputRecords.fromJournal(this.decoder.bytes, n)), n, 0);
  }

  private one(seq: number): KernelOutcome {
    let outcome: KernelOutcome | null = null;
    const accepted = this.kernel.applyRecords(InputRecords.fromJournal(this.decoder.bytes, 1), {
      outcome: ({ accepted_flags: _f, ...o }) => {
        outcome = o;
      },
      refused: () => {},
    });
    this.check(accepted, 1, seq);
    if (outcome === null) throw new Error("Invariant: a journal entry gave no outcome");
    return outcome;
  }

  private check(accepted: number, n: number, seq: number): void {
    if (accepted === n) return;
    const at = seq > 0 ? ` (seq ${seq})` : "";
    throw new JournalError(
      `${this.where}: the replay diverged: the kernel refused ${n - accepted} of ${n} journaled input(s)${at}, which were accepted live`,
    );
  }

  result(): WalkResult {
    return {
      kernel: this.kernel,
      snapshot: this.start,
      segments: this.applied,
      entries: this.entries,
      run: this.run,
      seq: this.seq,
      torn: this.torn,
      nextIndex: this.list.lastIndex + 1,
      state_hash: this.kernel.stateHashHex(),
    };
  }
}
