/**
 * A journal file-operations seam (`SegmentJournalOptions.fs`) over node:fs that records each write,
 * fsync, rename, truncate and unlink by file name ("dir": the journal directory), so a test can
 * assert the order crash safety depends on. `refuse` holds ops ("fsync segment-…") to fail once with
 * EIO; `open` maps the fds still open to their names (a test closes them to play a dead process).
 * Directory listings are sorted, so runs are deterministic.
 *
 * `recordedJournalsPerTest` opens kernels over small recorded journals and cleans up after each
 * test; `marker` makes the frames that fill them.
 */

import { afterEach } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type JournalFs, nodeJournalFs } from "../../src/kernel/_journal_fs.ts";
import { ExecutionKernel, SegmentJournal } from "../../src/kernel/index.ts";

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

/**
 * Recorded journals for one test file (call at the top level). `open(dir, run, o)`: a kernel of 2
 * slots over a small journal of run `run` in `dir` (4 KiB segments, so a few marks rotate it;
 * strategy pink; the `o.keep` newest snapshots kept, default 4) whose file operations are recorded
 * (`rec`; `o.refuse` fails those ops once). `tempDir()` makes a directory (name from `dirPrefix`),
 * `track(kernel)` hands over another kernel. After each test every directory is removed and every
 * kernel destroyed.
 */
export function recordedJournalsPerTest(dirPrefix: string) {
  const dirs: string[] = [];
  const kernels: ExecutionKernel[] = [];
  afterEach(() => {
    for (const k of kernels.splice(0)) k.destroy();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), dirPrefix));
    dirs.push(dir);
    return dir;
  };
  const track = (kernel: ExecutionKernel) => {
    kernels.push(kernel);
    return kernel;
  };
  const open = (dir: string, run: string, o: { keep?: number; refuse?: string[] } = {}) => {
    const rec = recordingFs(dir);
    for (const op of o.refuse ?? []) rec.refuse.add(op);
    const journal = new SegmentJournal({
      dir,
      segmentBytes: 4096,
      keep: o.keep ?? 4,
      run,
      strategy: "pink",
      slotCount: 2,
      activeSlotLimit: 2,
      hungOrderMs: 30_000,
      fs: rec.fs,
    });
    const kernel = track(ExecutionKernel.open({ slotCount: 2, journal }));
    return { rec, journal, kernel };
  };
  return { tempDir, track, open };
}

/** A MARK_PRICE of BTC-USDT per call, its clock one ms on each time from `from`: one frame for the next flush. */
export function marker(kernel: ExecutionKernel, from: number) {
  let now = from;
  return () => kernel.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 100 + (now % 7), now_ms: ++now });
}
