/**
 * The few libc calls serve makes itself (bun:ffi), opened once for the process: flock(2) for the
 * state directory's lock (`state_dir_lock.ts`) and execve(2) for the eager JIT tiers'
 * re-exec (`jit_tiers.ts`), each with the errno it left.
 *
 * Entry points: `libc()` → the symbols; `lastErrno()`.
 */

import { dlopen, FFIType, read } from "bun:ffi";

function open() {
  return dlopen("libc.so.6", {
    flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  }).symbols;
}

let symbols: ReturnType<typeof open> | null = null;

export function libc(): ReturnType<typeof open> {
  symbols ??= open();
  return symbols;
}

/** The calling thread's errno (read right after the failed call), or -1 when libc gives no address. */
export function lastErrno(): number {
  const at = libc().__errno_location();
  return at === null ? -1 : read.i32(at, 0);
}
