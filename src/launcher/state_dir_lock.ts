/**
 * One serve per state directory. Two kernels on one `<state dir>/journal` would interleave their
 * inputs in one journal (the next start replays neither run right) and each send its own orders;
 * the Zinc region lock stops a second one only with DITA_V2_ZINC=REAL on the same prefix, and the
 * account lease only with a cluster. So serve holds an exclusive flock(2) on
 * `<state dir>/serve.lock` from before it reads the journal until it stopped: the OS releases it
 * when the process dies, so a kill -9'd serve never blocks its successor, and a second serve is
 * refused at start (exit 3, like a refused account lease) naming the pid that holds it.
 *
 * Entry points: `lockStateDir(dir)` → the release function; `StateDirInUse`.
 */

import { dlopen, FFIType, read } from "bun:ffi";
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11;

export class StateDirInUse extends Error {
  override name = "StateDirInUse";
  readonly exitCode = 3;
}

let libc: ReturnType<typeof openLibc> | null = null;

function openLibc() {
  return dlopen("libc.so.6", {
    flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  }).symbols;
}

/** Takes `<dir>/serve.lock` (the directory exists); returns the release. Throws StateDirInUse when held. */
export function lockStateDir(dir: string): () => void {
  const path = join(dir, "serve.lock");
  const fd = openSync(path, "a+", 0o600); // "a+": opened without truncating the holder's pid
  libc ??= openLibc();
  if (libc.flock(fd, LOCK_EX | LOCK_NB) !== 0) {
    const at = libc.__errno_location();
    const errno = at === null ? 0 : read.i32(at, 0);
    closeSync(fd);
    if (errno !== EWOULDBLOCK) throw new Error(`cannot lock ${path} (errno ${errno})`);
    const holder = readFileSync(path, "utf8").trim() || "unknown";
    throw new StateDirInUse(
      `state dir ${dir} is in use by another serve (pid ${holder}, ${path}): one serve per state directory; stop that one or use another DITA_V2_STATE_DIR`,
    );
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`);
  return () => closeSync(fd);
}
