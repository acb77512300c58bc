/**
 * The file operations the segment journal makes durable with (`segment_writer.ts`,
 * `_segment_files.ts`): node:fs by default (`nodeJournalFs`). A test passes its own
 * (`SegmentJournalOptions.fs`) to record the order of writes, fsyncs, renames and unlinks, which
 * crash safety depends on and no file on disk shows. `writeAll` writes all of a buffer (at `position`,
 * else at the file's offset); `fsyncPath` makes a file's bytes, or a directory's entries, durable.
 *
 * Entry points: `JournalFs`, `nodeJournalFs`, `writeAll`, `fsyncPath`.
 */

import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";

export interface JournalFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, bytes: Uint8Array, offset: number, length: number, position?: number | null): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, options: { force: boolean; recursive?: boolean }): void;
  readdirSync(dir: string): string[];
}

export const nodeJournalFs: JournalFs = {
  openSync,
  writeSync,
  fsyncSync,
  ftruncateSync,
  closeSync,
  renameSync,
  rmSync,
  readdirSync: (dir) => readdirSync(dir),
};

/** Writes all of `bytes` to `fd`, at `position` when given (else at the file's offset). */
export function writeAll(fs: JournalFs, fd: number, bytes: Uint8Array, position: number | null = null): void {
  for (let at = 0; at < bytes.byteLength; )
    at += fs.writeSync(fd, bytes, at, bytes.byteLength - at, position === null ? null : position + at);
}

/** fsyncs the file or directory at `path` (a directory: its entries, a rename, a new file, an unlink). */
export function fsyncPath(fs: JournalFs, path: string): void {
  const d = fs.openSync(path, "r");
  try {
    fs.fsyncSync(d);
  } finally {
    fs.closeSync(d);
  }
}
