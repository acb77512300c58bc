/**
 * Whether the kernel a client knows still holds the regions, judged on the state region's header
 * alone (connect and `reconnect` take the kernel's pid and generation there; a pid and a
 * generation are one header's pair, as in the Python client): another generation is a kernel that
 * restarted and adopted the regions (KernelRestartedError), a closed or dead writer is
 * KernelNotRunningError.
 *
 * Entry points: `liveKernel`, `checkKernel`, `checkBeforePush` (the generation and the writer's process: what `submit` checks first).
 */

import type { ClientInfo } from "./_connect.ts";
import { type Header, readHeader, type ZincLib } from "./_zinc.ts";
import { KernelNotRunningError, KernelRestartedError } from "./errors.ts";

/**
 * The state region's header and whether its writer (the kernel) is alive. The header is read after
 * the liveness check: a kernel adopting the regions meanwhile is judged alive and named by its own
 * generation, never by the one before it (`reconnect` would keep that, and the next `submit` be
 * KernelRestartedError on a healthy kernel).
 */
export function liveKernel(lib: ZincLib, state: number): { header: Header; alive: boolean } {
  const writerAlive = lib.zinc_writer_alive(state) === 1;
  const header = readHeader(lib, state);
  return { header, alive: writerAlive && header.writerPid !== 0 };
}

/** Throws KernelRestartedError when `header` is another kernel generation's than the one `info` names. */
function throwIfRestarted(header: Header, info: ClientInfo, id: bigint | null): void {
  if (header.generation !== info.kernelGeneration)
    throw new KernelRestartedError(
      id,
      `the kernel of '${info.prefix}' restarted (pid ${info.writerPid} → ${header.writerPid}); reconcile from slots()`,
    );
}

/**
 * What `submit` checks before it pushes: KernelRestartedError when a kernel adopted the regions since
 * connect or `reconnect()`; KernelNotRunningError when the kernel closed them or its process is gone
 * (signal 0: about a µs, where `checkKernel`'s start-time check reads /proc), since a dead kernel's ring
 * keeps what is pushed for the next kernel to run, long after the strategy was told it failed.
 */
export function checkBeforePush(lib: ZincLib, state: number, info: ClientInfo): void {
  const header = readHeader(lib, state);
  throwIfRestarted(header, info, null);
  if (header.writerPid === 0 || !processExists(header.writerPid))
    throw new KernelNotRunningError(
      `the kernel of '${info.prefix}' (pid ${info.writerPid}) is not running: nothing was pushed; wait for a kernel, then reconnect()`,
    );
}

/** Whether a process `pid` exists (signal 0); one of another user's exists too (EPERM); none past 2^31 - 1. */
function processExists(pid: number): boolean {
  if (!(pid > 0 && pid <= 0x7fff_ffff)) return false; // only hostile bytes write one: no process has it
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Throws when the kernel `info` names is gone (KernelNotRunningError) or was replaced (KernelRestartedError). */
export function checkKernel(lib: ZincLib, state: number, info: ClientInfo, id: bigint | null): void {
  const { header, alive } = liveKernel(lib, state);
  throwIfRestarted(header, info, id);
  if (!alive)
    throw new KernelNotRunningError(
      `the kernel of '${info.prefix}' (pid ${info.writerPid}) is not running; no outcome will come until one adopts the regions`,
    );
}
