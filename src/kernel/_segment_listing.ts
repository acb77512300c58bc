/**
 * What a journal directory holds, and loading one of its snapshots into a fresh kernel.
 *
 * `listJournal(dir)` names the segments and snapshots by index and the older single-file JSON-lines
 * journals (`*.jsonl`, one per run, written before segments). `loadSnapshot(path)` reads a snapshot
 * file, checks its header (the index it names must be its file name's), and restores the kernel
 * snapshot it holds into a fresh kernel of its slot count; the kernel checks every byte
 * (kernel/ABI.md), so a corrupt, misnamed or incompatible snapshot comes back as one line saying why.
 * `startSnapshot` picks where a walk starts: the first snapshot the kernel accepts, newest first (or
 * oldest first, or newest at or below an index), one log line per refused one. `segmentOf` names the
 * segment that holds a run's seq.
 *
 * Entry points: `listJournal`, `loadSnapshot`, `readSnapshotHeader`, `startSnapshot`, `segmentOf`.
 */

import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { basename, join } from "node:path";
import {
  parseJournalName,
  parseSnapshotFileHeader,
  SNAPSHOT_FILE_HEADER_BYTES,
  type SnapshotFileHeader,
} from "./_segment_format.ts";
import { SegmentReader } from "./_segment_reader.ts";
import { snapshotSlotCount } from "./_snapshot.ts";
import { ExecutionKernel } from "./execution_kernel.ts";
import { JournalError } from "./journal.ts";

export interface JournalListing {
  dir: string;
  /** index → path, ascending. */
  segments: Map<number, string>;
  snapshots: Map<number, string>;
  /** Single-file JSON-lines journals of runs before segments (`<start ms>-<pid>.jsonl`). */
  legacy: string[];
  /** The highest segment or snapshot index (0 when none). */
  lastIndex: number;
}

export function listJournal(dir: string): JournalListing {
  const segments = new Map<number, string>();
  const snapshots = new Map<number, string>();
  const legacy: string[] = [];
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  for (const f of files) {
    const n = parseJournalName(f);
    if (n?.kind === "segment") segments.set(n.index, join(dir, f));
    else if (n?.kind === "snapshot") snapshots.set(n.index, join(dir, f));
    else if (f.endsWith(".jsonl")) legacy.push(join(dir, f));
  }
  const lastIndex = Math.max(0, ...segments.keys(), ...snapshots.keys());
  return { dir, segments: sorted(segments), snapshots: sorted(snapshots), legacy, lastIndex };
}

function sorted(m: Map<number, string>): Map<number, string> {
  return new Map([...m].sort((a, b) => a[0] - b[0]));
}

/** A snapshot file's header (its first 64 bytes only), or why it is not one. */
export function readSnapshotHeader(path: string): SnapshotFileHeader | string {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(SNAPSHOT_FILE_HEADER_BYTES);
    const n = readSync(fd, head, 0, head.byteLength, 0);
    return named(path, parseSnapshotFileHeader(head.subarray(0, n), fstatSync(fd).size));
  } finally {
    closeSync(fd);
  }
}

/**
 * The header, or why not, when it names another snapshot than its file's name: a snapshot copied or
 * renamed over another would make the walk apply the segments after the name to an older state.
 */
function named(path: string, header: SnapshotFileHeader | string): SnapshotFileHeader | string {
  if (typeof header === "string") return header;
  const index = parseJournalName(basename(path))?.index;
  return index === undefined || header.index === index ? header : `its header names snapshot ${header.index}`;
}

export interface LoadedSnapshot {
  header: SnapshotFileHeader;
  kernel: ExecutionKernel;
}

/** The snapshot at `path` in a fresh kernel (the caller destroys it), or why it was refused. */
export function loadSnapshot(path: string): LoadedSnapshot | string {
  let file: Uint8Array;
  try {
    file = new Uint8Array(readFileSync(path));
  } catch (e) {
    return `cannot read it: ${(e as Error).message.split("\n")[0]}`;
  }
  const header = named(path, parseSnapshotFileHeader(file));
  if (typeof header === "string") return header;
  const bytes = file.subarray(SNAPSHOT_FILE_HEADER_BYTES);
  const slots = snapshotSlotCount(bytes);
  if (slots === null || slots < 1 || slots > 256) return "it holds no kernel snapshot (magic or slot count)";
  const kernel = ExecutionKernel.open({ slotCount: slots, activeSlotLimit: 1, applyThread: false });
  const r = kernel.restoreSnapshot(bytes);
  if (!r.ok) {
    kernel.destroy();
    return r.reason;
  }
  if (kernel.stateHashHex() !== header.stateHash) {
    kernel.destroy();
    return `its state hash ${header.stateHash} is not the kernel snapshot's`;
  }
  return { header, kernel };
}

/** Where a walk starts: the newest snapshot the kernel accepts, the oldest, or the newest at or below an index. */
export type StartFrom = "newest" | "oldest" | { atMost: number };

/** The first snapshot in `from`'s order the kernel accepts (one log line per refused one), or a `JournalError`. */
export function startSnapshot(
  list: JournalListing,
  from: StartFrom,
  log: (line: string) => void,
): { index: number; loaded: LoadedSnapshot } {
  let indices = [...list.snapshots.keys()];
  if (typeof from === "object") indices = indices.filter((i) => i <= from.atMost);
  if (from !== "oldest") indices.reverse();
  for (const [n, index] of indices.entries()) {
    const path = list.snapshots.get(index)!;
    const loaded = loadSnapshot(path);
    if (typeof loaded !== "string") return { index, loaded };
    const next = n + 1 < indices.length ? `trying ${basename(list.snapshots.get(indices[n + 1]!)!)}` : "none left";
    log(`journal: ${basename(path)} refused: ${loaded}; ${next}`);
  }
  throw new JournalError(`journal ${list.dir}: no usable snapshot (${indices.length} refused)`);
}

/** The index of the segment that holds entry `seq` of `run` (or would: the run's last one), or null. */
export function segmentOf(dir: string, run: string, seq: number): number | null {
  let found: number | null = null;
  for (const [index, path] of listJournal(dir).segments) {
    const r = SegmentReader.open(path);
    if (typeof r === "string") continue;
    r.close();
    if (r.header.run === run && r.header.firstSeq <= seq) found = index;
  }
  return found;
}
