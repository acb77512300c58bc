/**
 * The journal's files as the segment writer makes and deletes them (layout: `_segment_format.ts`):
 * `createSegment` writes snapshot `index` atomically (temporary file, fsync, rename) and opens
 * segment `index` with its header, fsynced with the directory. It either makes both or leaves
 * neither (a snapshot without its segment would make a recovery skip the entries the previous
 * segment still takes), and throws what failed. `pruneJournal` deletes every file older than the
 * `keep` newest snapshots.
 *
 * Entry points: `createSegment`, `pruneJournal`.
 */

import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
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
  o: Omit<SegmentHeader, "index" | "firstSeq"> & { dir: string },
  index: number,
  seq: number,
  source: SnapshotOf,
): { fd: number; size: number } {
  const file = encodeSnapshotFile({ index, seq, run: o.run, stateHash: source.stateHashHex() }, source.snapshot());
  const path = join(o.dir, snapshotName(index));
  const segment = join(o.dir, segmentName(index));
  const tmp = `${path}.tmp`;
  let fd: number | null = null;
  let renamed = false;
  try {
    const t = openSync(tmp, "w", 0o600);
    try {
      writeAll(t, file);
      fsyncSync(t);
    } finally {
      closeSync(t);
    }
    renameSync(tmp, path);
    renamed = true;
    fd = openSync(segment, "wx", 0o600);
    const header = encodeSegmentHeader({ ...o, index, firstSeq: seq + 1 });
    writeAll(fd, header);
    fsyncSync(fd);
    syncDir(o.dir);
    return { fd, size: header.byteLength };
  } catch (e) {
    if (fd !== null) closeSync(fd);
    // Only what this call made: a file squatting on the snapshot's name stays as it was.
    for (const f of [tmp, ...(renamed ? [path] : []), ...(fd !== null ? [segment] : [])]) {
      try {
        rmSync(f, { force: true });
      } catch {
        // Left behind: a tmp file is removed at the next start; the error thrown says what failed.
      }
    }
    throw e;
  }
}

/** Deletes every journal file older than the `keep` newest snapshots. */
export function pruneJournal(dir: string, keep: number): void {
  const files = readdirSync(dir).flatMap((f) => {
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
  for (const x of gone) rmSync(join(dir, x.f), { force: true });
  if (gone.length > 0) syncDir(dir);
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
