/**
 * Spool file primitives (spool.ts): whole-buffer positional reads and writes through an injectable
 * write call (tests inject a failing one to play a full disk), the install of a fresh generation file
 * (write to `<path>.tmp`, fsync, rename over `<path>`), the append that never throws for a failed write
 * (`appendAt`: it cuts the file back to its last good size and says what failed), a directory's fsync
 * (`fsyncDir`), and the compaction policy.
 *
 * Compaction policy: the acknowledged prefix is dropped (the tail copied into a new file) only once it
 * is at least `minBytes` and at least as large as the tail to copy. Every copied byte is then paid for
 * by at least as many dropped bytes, each dropped once, so a backlog of B bytes drained in any acks
 * costs at most B bytes of copying overall (not B²/minBytes); the file is at most twice its backlog
 * (plus `minBytes`) on disk meanwhile.
 *
 * Owner-only files (`ownerOnlyDir`, `openOwnerOnly`, `writeOwnerOnly`): the spool holds the desk's
 * trading history, so its directory is 0700 and every file in it 0600 whatever the process umask,
 * a file made through `<name>.tmp` and a rename included (the temporary file's mode is the one that
 * stays; a stale one a crash left keeps its old mode unless it is set again). A directory, and the
 * files in it, that an earlier build left looser are set to these modes when a spool or mark opens it.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { encodeHeader, HEADER_BYTES } from "./_frame.ts";
import { errorText } from "./types.ts";

/** Directories under the state dir: the owner's alone. */
export const OWNER_DIR_MODE = 0o700;
/** Files under the state dir: the owner's alone. */
export const OWNER_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) 0700, or sets an existing one with group or other bits to 0700,
 * and sets each file in it with such bits (an earlier build's spool, ack or mark) to 0600.
 */
export function ownerOnlyDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: OWNER_DIR_MODE });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, OWNER_DIR_MODE);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isFile() && (st.mode & 0o077) !== 0) chmodSync(path, OWNER_FILE_MODE);
  }
}

/** Opens `path` (`flags` as `fs.openSync`'s), created 0600; a file with group or other bits is set to 0600. */
export function openOwnerOnly(path: string, flags: string): number {
  const fd = openSync(path, flags, OWNER_FILE_MODE);
  try {
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, OWNER_FILE_MODE);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

/** Replaces the content of `path` with `text`, the file 0600 (see `openOwnerOnly`). */
export function writeOwnerOnly(path: string, text: string): void {
  const fd = openOwnerOnly(path, "w");
  try {
    writeAll(defaultWrite, fd, Buffer.from(text, "utf8"), 0);
  } finally {
    closeSync(fd);
  }
}

/** The positional write call (`fs.writeSync`'s shape); returns the bytes written or throws. */
export type SpoolWrite = (fd: number, bytes: Uint8Array, offset: number, length: number, position: number) => number;

export const defaultWrite: SpoolWrite = (fd, bytes, offset, length, position) =>
  writeSync(fd, bytes, offset, length, position);

/** True when an acknowledged prefix of `ackedBytes` should be dropped, leaving `tailBytes` to copy. */
export function shouldCompact(ackedBytes: number, tailBytes: number, minBytes: number): boolean {
  return ackedBytes >= minBytes && ackedBytes >= tailBytes;
}

export function writeAll(write: SpoolWrite, fd: number, bytes: Uint8Array, position: number): void {
  let at = 0;
  for (let guard = 0; at < bytes.length && guard < 10_000; guard++)
    at += write(fd, bytes, at, bytes.length - at, position + at);
  if (at !== bytes.length) throw new Error(`Condition failed: short spool write ${at}/${bytes.length}`);
}

/**
 * Writes `bytes` at `size` (then fsyncs when asked). Returns null on success; on failure cuts the file
 * back to `size` and returns what failed (the caller refuses the records), never throws.
 */
export function appendAt(
  write: SpoolWrite,
  fd: number,
  bytes: Uint8Array,
  size: number,
  fsync: boolean,
): string | null {
  try {
    writeAll(write, fd, bytes, size);
    if (fsync) fsyncSync(fd);
    return null;
  } catch (e) {
    let cut = "cut back";
    try {
      ftruncateSync(fd, size);
    } catch (t) {
      cut = `not cut back (${errorText(t)}; the next append overwrites them)`;
    }
    return `write of ${bytes.length} bytes at offset ${size} failed (${errorText(e)}); partial bytes ${cut}`;
  }
}

/** fsyncs a directory's entries (a rename into or out of it, a deletion). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readAll(fd: number, buf: Uint8Array, position: number): void {
  let at = 0;
  for (let guard = 0; at < buf.length && guard < 10_000; guard++) {
    const n = readSync(fd, buf, at, buf.length - at, position + at);
    if (n <= 0) break;
    at += n;
  }
  if (at !== buf.length) throw new Error(`Condition failed: short spool read ${at}/${buf.length}`);
}

/**
 * Writes header + body to `<path>.tmp`, fsyncs and renames it over `path`; on failure (write or
 * rename) removes the tmp and throws, `path` untouched. The body is bytes, or a function that hands
 * its chunks to `put` in order (a body too large to hold in memory at once).
 */
export function installFile(
  write: SpoolWrite,
  path: string,
  generation: number,
  body: Uint8Array | ((put: (chunk: Uint8Array) => void) => void),
  rename: (from: string, to: string) => void = renameSync,
): void {
  const tmp = `${path}.tmp`;
  const fd = openOwnerOnly(tmp, "w"); // the mode the installed file keeps
  try {
    writeAll(write, fd, encodeHeader(generation), 0);
    let at = HEADER_BYTES;
    const put = (chunk: Uint8Array) => {
      writeAll(write, fd, chunk, at);
      at += chunk.length;
    };
    if (body instanceof Uint8Array) put(body);
    else body(put);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    rename(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
