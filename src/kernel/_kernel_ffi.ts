/**
 * The kernel's exported C symbols as bun:ffi declarations (kernel/ABI.md, "Exported functions").
 * Loaded once per process; every ExecutionKernel shares the library.
 */

import { FFIType } from "bun:ffi";
import { loadNative } from "./native.ts";

const { ptr, u32, u64, void: none, cstring } = FFIType;

export const KERNEL_SYMBOLS = {
  dita_abi_describe: { args: [], returns: cstring },
  dita_kernel_fsm_table: { args: [], returns: cstring },
  dita_kernel_new: { args: [u32, u32, u64], returns: ptr },
  dita_kernel_free: { args: [ptr], returns: none },
  dita_kernel_apply: { args: [ptr, ptr], returns: u32 },
  dita_kernel_apply_one: { args: [ptr, ptr], returns: u32 },
  dita_kernel_apply_batch: { args: [ptr, ptr, u32], returns: u32 },
  dita_kernel_outcome: { args: [ptr], returns: ptr },
  dita_kernel_accepted: { args: [ptr], returns: ptr },
  dita_kernel_transitions: { args: [ptr], returns: ptr },
  dita_kernel_diagnostics: { args: [ptr], returns: ptr },
  dita_kernel_slots: { args: [ptr], returns: ptr },
  dita_kernel_account: { args: [ptr], returns: ptr },
  dita_kernel_slot_count: { args: [ptr], returns: u32 },
  dita_kernel_state_hash: { args: [ptr], returns: u64 },
  dita_kernel_restore_slot: { args: [ptr, ptr, u64], returns: u32 },
  dita_kernel_config: { args: [ptr, ptr], returns: none },
  dita_kernel_snapshot_size: { args: [ptr], returns: u64 },
  dita_kernel_snapshot: { args: [ptr, ptr, u64], returns: u64 },
  dita_kernel_restore_snapshot: { args: [ptr, ptr, u64], returns: u32 },
  dita_kernel_arm_fault_drill: { args: [ptr, u64], returns: u32 },
  dita_pipeline_new: { args: [ptr], returns: ptr },
  dita_pipeline_submit: { args: [ptr, ptr, u32], returns: u32 },
  dita_pipeline_wait: { args: [ptr, ptr], returns: u32 },
  dita_pipeline_free: { args: [ptr], returns: none },
} as const;

/** kernel/src/lib.rs FAULT_DRILL_TOKEN. */
export const FAULT_DRILL_TOKEN = 0xd17afa17d7110001n;

export type KernelLib = ReturnType<typeof loadKernelLib>;

let lib: ReturnType<typeof loadNative<typeof KERNEL_SYMBOLS>> | null = null;

export function loadKernelLib() {
  lib ??= loadNative("dita_kernel", KERNEL_SYMBOLS);
  return lib.symbols;
}
