/**
 * A journal file-operations seam (`SegmentJournalOptions.fs`) over node:fs that records each write,
 * fsync, rename, truncate and unlink by file name ("dir": the journal directory), so a test can
 * assert the order crash safety depends on. `refuse` holds ops ("fsync segment-…") to fail once with
 * EIO; `open` maps the fds still open to their names (a test closes them to play a dead process).
 * Directory listings are sorted, so runs are deterministic.
 */

import { basename } from "node:path";
import { type JournalFs, nodeJournalFs } from "../../src/kernel/_journal_fs.ts";

export const segmentFile = (i: number) => `segment-${String(i).padStart(12, "0")}.bin`;
export const snapshotFile = (i: number) => `snapshot-${String(i).padStart(12, "0")}.bin`;

export function recordingFs(dir: string) {
  const ops: string[] = [];
  const names = new Map<number, string>();
  const name = (p: string) => (p === dir ? "dir" : basename(p));
  const refuse = new Set<string>();
  const fs: JournalFs = {
    ...nodeJournalFs,
    readdirSync: (d) => nodeJournalFs.readdirSync(d).sort(),
    openSync: (p, flags, mode) => {
      const fd = nodeJournalFs.openSync(p, flags, mode);
      names.set(fd, name(p));
      return fd;
    },
    closeSync: (fd) => {
      nodeJournalFs.closeSync(fd);
      names.delete(fd);
    },
    writeSync: (fd, bytes, offset, length, position) => {
      ops.push(`write ${names.get(fd)}`);
      return nodeJournalFs.writeSync(fd, bytes, offset, length, position);
    },
    fsyncSync: (fd) => {
      if (refuse.delete(`fsync ${names.get(fd)}`)) throw new Error("EIO: i/o error, fsync");
      nodeJournalFs.fsyncSync(fd);
      ops.push(`fsync ${names.get(fd)}`);
    },
    ftruncateSync: (fd, length) => {
      nodeJournalFs.ftruncateSync(fd, length);
      ops.push(`truncate ${names.get(fd)}`);
    },
    renameSync: (from, to) => {
      nodeJournalFs.renameSync(from, to);
      ops.push(`rename ${name(from)} -> ${name(to)}`);
    },
    rmSync: (p, o) => {
      nodeJournalFs.rmSync(p, o);
      ops.push(`unlink ${name(p)}`);
    },
  };
  return { fs, ops, open: names, refuse };
}
