/**
 * The journal's files as the segment writer makes and deletes them (layout: `_segment_format.ts`):
 * `createSegment` writes snapshot `index` atomically (temporary file, fsync, rename) and opens
 * segment `index` with its header, fsynced with the directory. It either makes both or leaves
 * neither (a snapshot without its segment would make a recovery skip the entries the previous
 * segment still takes), and throws what failed. `pruneJournal` deletes every file older than the
 * `keep` newest snapshots, then fsyncs the directory; `settleJournal` (at a start) deletes `*.tmp`
 * files a crash left and fsyncs the newest segment older than the start's: a crashed run's last
 * segment was written and never fsynced (and a recovery may have cut a torn tail off it), and the
 * start's snapshot supersedes it, so its entries and its cut are durable first, as at a rotation.
 * All go through `fs` (`_journal_fs.ts`, node:fs by default).
 *
 * Entry points: `createSegment`, `pruneJournal`, `settleJournal`.
 */

import { join } from "node:path";
import { fsyncPath, type JournalFs, nodeJournalFs, writeAll } from "./_journal_fs.ts";
import {
  encodeSegmentHeader,
  encodeSnapshotFile,
  parseJournalName,
  type SegmentHeader,
  segmentName,
  snapshotName,
} from "./_segment_format.ts";

/** The kernel a snapshot is taken of. */
export interface SnapshotOf {
  snapshot(): Uint8Array;
  stateHashHex(): string;
}

/** Snapshot `index` of `source` at `seq`, then segment `index` (first seq `seq + 1`): its fd and size. */
export function createSegment(
  o: Omit<SegmentHeader, "index" | "firstSeq"> & { dir: string; fs?: JournalFs },
  index: number,
  seq: number,
  source: SnapshotOf,
): { fd: number; size: number } {
  const file = encodeSnapshotFile({ index, seq, run: o.run, stateHash: source.stateHashHex() }, source.snapshot());
  const path = join(o.dir, snapshotName(index));
  const segment = join(o.dir, segmentName(index));
  const tmp = `${path}.tmp`;
  const fs = o.fs ?? nodeJournalFs;
  let fd: number | null = null;
  let renamed = false;
  try {
    const t = fs.openSync(tmp, "w", 0o600);
    try {
      writeAll(fs, t, file);
      fs.fsyncSync(t);
    } finally {
      fs.closeSync(t);
    }
    fs.renameSync(tmp, path);
    renamed = true;
    fd = fs.openSync(segment, "wx", 0o600);
    const header = encodeSegmentHeader({ ...o, index, firstSeq: seq + 1 });
    writeAll(fs, fd, header);
    fs.fsyncSync(fd);
    fsyncPath(fs, o.dir); // the snapshot's rename and the segment's name are durable before anything is pruned
    return { fd, size: header.byteLength };
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    // Only what this call made: a file squatting on the snapshot's name stays as it was.
    for (const f of [tmp, ...(renamed ? [path] : []), ...(fd !== null ? [segment] : [])]) {
      try {
        fs.rmSync(f, { force: true });
      } catch {
        // Left behind: a tmp file is removed at the next start; the error thrown says what failed.
      }
    }
    throw e;
  }
}

/** Deletes every journal file older than the `keep` newest snapshots. */
export function pruneJournal(dir: string, keep: number, fs: JournalFs = nodeJournalFs): void {
  const files = fs.readdirSync(dir).flatMap((f) => {
    const n = parseJournalName(f);
    return n === null ? [] : [{ f, ...n }];
  });
  const snapshots = files
    .filter((x) => x.kind === "snapshot")
    .map((x) => x.index)
    .sort((a, b) => b - a);
  if (snapshots.length <= keep) return;
  const oldestKept = snapshots[keep - 1]!;
  const gone = files.filter((x) => x.index < oldestKept);
  for (const x of gone) fs.rmSync(join(dir, x.f), { force: true });
  if (gone.length > 0) fsyncPath(fs, dir);
}

/**
 * Before snapshot `index` of a start: deletes the temporary files (`*.tmp`: a snapshot being written)
 * a crash left in `dir`, and fsyncs the newest segment older than `index` (the segments before it were
 * fsynced when their run rotated past them or closed; a start fsyncs the one before its own).
 */
export function settleJournal(dir: string, index: number, fs: JournalFs = nodeJournalFs): void {
  let newest: { f: string; index: number } | null = null;
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith(".tmp")) fs.rmSync(join(dir, f), { force: true });
    const n = parseJournalName(f);
    if (n?.kind === "segment" && n.index < index && (newest === null || n.index > newest.index))
      newest = { f, index: n.index };
  }
  if (newest === null) return;
  const path = join(dir, newest.f);
  try {
    fsyncPath(fs, path);
  } catch (e) {
    throw new Error(`${path}: fsync refused (${(e as Error).message.split("\n")[0]}): no snapshot is made ahead of it`);
  }
}
