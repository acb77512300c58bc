/**
 * Reading the local sink back (`dita-v2 spool`, tests): its sealed files in order, then `local.spool`.
 * Records come once each, in order across the files; for each (map, key) its latest write comes last.
 *
 * A serve may be writing while this reads. The snapshot is taken so that no record is missed or read
 * twice: `local.spool` is read whole first (its bytes cannot change under the read: a compaction or a
 * seal renames a new file in, never rewrites this one), then the sealed files are listed. A seal moves
 * the active file itself into the sealed directory, so a sealed file that is the file just read (same
 * inode) means a seal happened after the read (its records would be read twice, or the new active
 * file's missed): the snapshot is taken again. A file appended to while being
 * read ends at a torn frame, which is skipped and counted like any unreadable range (`skippedBytes`).
 * A sealed file deleted by retention between the listing and its read is reported in `vanished`.
 *
 * Memory: the active file and one sealed file at a time (each at most a segment plus the carried-over
 * map writes); values are decoded a window of frames at a time.
 */

import { closeSync, existsSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { HEADER_BYTES, scanFrames } from "./_frame.ts";
import { sealedPaths } from "./_local_seal.ts";

export const LOCAL_SPOOL_FILE = "local.spool";
const WINDOW_FRAMES = 4096;
const SNAPSHOT_TRIES = 5;

/** One file of the snapshot: its path, and its bytes once read (the active file's are read up front). */
interface SnapshotFile {
  path: string;
  bytes: Uint8Array | null;
}

/** What a read of the local sink holds: the files (oldest first) and the values read so far. */
export interface LocalSpoolRead {
  files: string[];
  /** Bytes of unreadable frames (corrupt, or torn by a write in progress), summed over the files. */
  skippedBytes: number;
  /** Sealed files listed, then gone before they were read (retention deleted them meanwhile). */
  vanished: string[];
}

const readBytes = (path: string): Uint8Array | null => {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
};

/** A file's inode, -1 when it cannot be read (gone meanwhile). */
function inodeOf(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}

/** The active file's bytes and inode, read through one descriptor; null when there is none. */
function readActive(path: string): { bytes: Uint8Array; ino: number } | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    return { bytes: new Uint8Array(readFileSync(fd)), ino: fstatSync(fd).ino };
  } finally {
    closeSync(fd);
  }
}

/** Tests: a seal made at the one moment a concurrent serve's could land between the two reads. */
export interface ScanHooks {
  afterActiveRead?: () => void;
}

/**
 * A consistent list of the files (null: a seal raced the read, take it again). A seal renames the active
 * file into the sealed directory: a sealed file that is the very file read as active (its inode) was
 * sealed since, so its records would be read twice and the new active file's missed. Generations are not
 * compared: a fresh active file (a seal cut between its renames, a damaged header moved aside) starts
 * again at generation 1 beside sealed files of higher ones.
 */
function trySnapshot(spoolDir: string, hooks: ScanHooks): SnapshotFile[] | null {
  const activePath = join(spoolDir, LOCAL_SPOOL_FILE);
  const active = readActive(activePath);
  hooks.afterActiveRead?.();
  const sealed = sealedPaths(spoolDir);
  if (active === null && existsSync(activePath)) return null; // between a seal's two renames
  if (active !== null && sealed.some((p) => inodeOf(p) === active.ino)) return null;
  const files: SnapshotFile[] = sealed.map((path) => ({ path, bytes: null }));
  if (active !== null) files.push({ path: activePath, bytes: active.bytes });
  return files;
}

/** True when `spoolDir` holds a local sink's files (the active one or sealed ones). */
export function hasLocalSpool(spoolDir: string): boolean {
  return existsSync(join(spoolDir, LOCAL_SPOOL_FILE)) || sealedPaths(spoolDir).length > 0;
}

/**
 * Every valid value the local sink holds, oldest first, handed to `each` a window at a time with the
 * file it came from. Throws when a serve kept sealing during every one of a few tries.
 */
export function scanLocalSpool(
  spoolDir: string,
  each: (value: unknown, file: string) => void,
  hooks: ScanHooks = {},
): LocalSpoolRead {
  let files: SnapshotFile[] | null = null;
  for (let i = 0; i < SNAPSHOT_TRIES && files === null; i++) files = trySnapshot(spoolDir, hooks);
  if (files === null) throw new Error(`the local spool under ${spoolDir} was sealed during every read; try again`);
  const read: LocalSpoolRead = { files: files.map((f) => f.path), skippedBytes: 0, vanished: [] };
  for (const file of files) {
    const bytes = file.bytes ?? readBytes(file.path);
    if (bytes === null) {
      read.vanished.push(file.path);
      continue;
    }
    read.skippedBytes += scanBytes(bytes, (v) => each(v, file.path));
  }
  read.files = read.files.filter((f) => !read.vanished.includes(f));
  return read;
}

/** Hands every valid frame's value after the header to `each`; returns the bytes skipped. */
function scanBytes(bytes: Uint8Array, each: (value: unknown) => void): number {
  let at = Math.min(HEADER_BYTES, bytes.length);
  let skipped = 0;
  while (at < bytes.length) {
    const scan = scanFrames(bytes.subarray(at), true, WINDOW_FRAMES);
    for (const f of scan.frames) each(f.value);
    for (const s of scan.skipped) skipped += s.to - s.from;
    if (scan.consumed === 0) break;
    at += scan.consumed;
  }
  return skipped;
}

/** Reads every valid record of a spool file (acknowledged or not), for operators and tests. */
export function readSpoolFile(path: string): { values: unknown[]; skippedBytes: number } {
  const values: unknown[] = [];
  const skippedBytes = scanBytes(new Uint8Array(readFileSync(path)), (v) => values.push(v));
  return { values, skippedBytes };
}

/** Every valid value the local sink holds, oldest first, in memory (tests; operators: `dita-v2 spool`). */
export function readLocalSpool(spoolDir: string): { values: unknown[]; skippedBytes: number; files: string[] } {
  const values: unknown[] = [];
  const read = scanLocalSpool(spoolDir, (v) => values.push(v));
  return { values, skippedBytes: read.skippedBytes, files: read.files };
}
