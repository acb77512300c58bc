/**
 * The kernel's snapshot exports through bun:ffi (kernel/ABI.md, SnapshotHeader): take a snapshot
 * of the whole state, and restore one, all or nothing. The kernel checks every byte of a snapshot
 * before it changes anything; a refusal comes back as the kernel's one-line reason.
 *
 * Entry points: `takeSnapshot(lib, handle)`, `restoreSnapshot(lib, handle, views, bytes)`,
 * `snapshotSlotCount(bytes)`.
 */

import { type Pointer, ptr } from "bun:ffi";
import { KERNEL_LIMITS, OFF } from "../contracts/abi.ts";
import type { KernelLib } from "./_kernel_ffi.ts";
import type { KernelViews } from "./_memory.ts";
import { collectOutcome } from "./_outcome.ts";
import { KernelError } from "./types.ts";

export type SnapshotRestore = { ok: true } | { ok: false; reason: string };

const STATUS_OK = 0;
const STATUS_FAULTED = 2;
const STATUS_REFUSED = 3;

/** The kernel's snapshot (a fresh buffer); throws on a faulted kernel, which has none. */
export function takeSnapshot(lib: KernelLib, h: Pointer): Uint8Array {
  const size = Number(lib.dita_kernel_snapshot_size(h));
  const out = new Uint8Array(size);
  const written = Number(lib.dita_kernel_snapshot(h, ptr(out), size));
  if (written !== size) throw new KernelError("no snapshot of a faulted kernel (it is read-only after a caught panic)");
  return out;
}

/** Restores `bytes` into the kernel; a refusal (nothing changed) carries the kernel's reason. */
export function restoreSnapshot(lib: KernelLib, h: Pointer, v: KernelViews, bytes: Uint8Array): SnapshotRestore {
  if (bytes.byteLength === 0)
    return { ok: false, reason: "snapshot refused: 0 bytes, shorter than its 64-byte header" };
  const status = lib.dita_kernel_restore_snapshot(h, ptr(bytes), bytes.byteLength);
  if (status === STATUS_OK) return { ok: true };
  if (status === STATUS_FAULTED) throw new KernelError("the kernel is faulted (read-only): no snapshot restored");
  if (status !== STATUS_REFUSED) throw new Error(`Invariant: dita_kernel_restore_snapshot answered ${status}`);
  const reason = collectOutcome(v, 0).diagnostics[0]?.message;
  if (reason === undefined) throw new Error("Invariant: a refused snapshot comes with its diagnostic");
  return { ok: false, reason };
}

/** The slot count a snapshot's header names, or null when `bytes` is not a kernel snapshot. */
export function snapshotSlotCount(bytes: Uint8Array): number | null {
  if (bytes.byteLength < 64) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 64);
  if (dv.getBigUint64(OFF.SnapshotHeader.magic, true) !== KERNEL_LIMITS.SNAPSHOT_MAGIC) return null;
  return dv.getUint32(OFF.SnapshotHeader.slot_count, true);
}
