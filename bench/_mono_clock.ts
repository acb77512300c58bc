/**
 * CLOCK_MONOTONIC in nanoseconds through libc: one clock for every process on the host, so a
 * stamp taken in one process can be subtracted from a stamp taken in another.
 *
 * Entry point: `monoNs()`.
 */

import { dlopen, FFIType, ptr } from "bun:ffi";

const CLOCK_MONOTONIC = 1;
const libc = dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
const timespec = new BigInt64Array(2);
const at = ptr(timespec);

export function monoNs(): bigint {
  libc.symbols.clock_gettime(CLOCK_MONOTONIC, at);
  return timespec[0]! * 1_000_000_000n + timespec[1]!;
}
