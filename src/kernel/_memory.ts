/**
 * Zero-copy views of one kernel instance's memory: slot images, account image, outcome header,
 * accepted flags, transition and diagnostic arrays. The kernel allocates all of them once in
 * `dita_kernel_new` and never moves them, so the views stay valid until `dita_kernel_free`;
 * `ExecutionKernel` drops them on destroy so nothing can read freed memory.
 */

import { type Pointer, toArrayBuffer } from "bun:ffi";
import { ABI, BATCH_MAX, OFF } from "../contracts/abi.ts";
import type { KernelLib } from "./_kernel_ffi.ts";

export const TRANSITIONS_CAPACITY = 4096;
export const DIAGNOSTICS_CAPACITY = 4096 + 256;

export interface KernelViews {
  slots: Uint8Array;
  slotsDv: DataView;
  account: Uint8Array;
  accountDv: DataView;
  header: DataView;
  dirtyWords: Uint32Array;
  accepted: Uint8Array;
  transitionsDv: DataView;
  diagnostics: Uint8Array;
  diagnosticsDv: DataView;
}

/** The kernel's fault latch (KERNEL_FAULT: read-only from then on), read from its outcome header. */
export function faultLatched(v: KernelViews): boolean {
  return v.header.getUint8(OFF.OutcomeHeader.faulted) === 1;
}

/** bun:ffi types pointer returns loosely; a kernel pointer must be a non-zero number. */
export function asPointer(p: unknown, what: string): Pointer {
  if (typeof p !== "number" || p === 0) throw new Error(`Invariant: kernel returned a null ${what} pointer`);
  return p as Pointer;
}

function view(p: unknown, length: number, what: string): ArrayBuffer {
  return toArrayBuffer(asPointer(p, what), 0, length);
}

export function mapKernelMemory(lib: KernelLib, handle: Pointer, slotCount: number): KernelViews {
  const slots = view(lib.dita_kernel_slots(handle), slotCount * ABI.SlotImage.size, "slots");
  const account = view(lib.dita_kernel_account(handle), ABI.AccountImage.size, "account");
  const header = view(lib.dita_kernel_outcome(handle), ABI.OutcomeHeader.size, "outcome");
  const accepted = view(lib.dita_kernel_accepted(handle), BATCH_MAX, "accepted");
  const transitions = view(
    lib.dita_kernel_transitions(handle),
    TRANSITIONS_CAPACITY * ABI.TransitionRecord.size,
    "transitions",
  );
  const diagnostics = view(
    lib.dita_kernel_diagnostics(handle),
    DIAGNOSTICS_CAPACITY * ABI.DiagnosticRecord.size,
    "diagnostics",
  );
  return {
    slots: new Uint8Array(slots),
    slotsDv: new DataView(slots),
    account: new Uint8Array(account),
    accountDv: new DataView(account),
    header: new DataView(header),
    dirtyWords: new Uint32Array(header, 16, 8),
    accepted: new Uint8Array(accepted),
    transitionsDv: new DataView(transitions),
    diagnostics: new Uint8Array(diagnostics),
    diagnosticsDv: new DataView(diagnostics),
  };
}
