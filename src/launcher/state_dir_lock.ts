/**
 * One serve per state directory. Two kernels on one `<state dir>/journal` would interleave their
 * inputs in one journal (the next start replays neither run right) and each send its own orders;
 * the Zinc region lock stops a second one only with DITA_V2_ZINC=REAL on the same prefix, and the
 * account lease only with a cluster. So serve holds an exclusive flock(2) on
 * `<state dir>/serve.lock` from before it reads the journal until it stopped: the OS releases it
 * when the process dies, so a kill -9'd serve never blocks its successor, and a second serve is
 * refused at start (exit 3, like a refused account lease) naming the pid that holds it. A lock
 * file this user cannot open (a state directory it may not write) is one ConfigError line naming
 * DITA_V2_STATE_DIR and the file.
 *
 * Entry points: `lockStateDir(dir)` → the release function; `StateDirInUse`.
 */

import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./_config_error.ts";
import { lastErrno, libc } from "./_libc.ts";

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11;

export class StateDirInUse extends Error {
  override name = "StateDirInUse";
  readonly exitCode = 3;
}

/** Takes `<dir>/serve.lock` (the directory exists); returns the release. Throws StateDirInUse when held. */
export function lockStateDir(dir: string): () => void {
  const path = join(dir, "serve.lock");
  let fd: number;
  try {
    fd = openSync(path, "a+", 0o600); // "a+": opened without truncating the holder's pid
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ConfigError(
      "DITA_V2_STATE_DIR",
      `cannot open '${path}' (${code}): the state directory must be writable by this user`,
    );
  }
  if (libc().flock(fd, LOCK_EX | LOCK_NB) !== 0) {
    const errno = lastErrno();
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
