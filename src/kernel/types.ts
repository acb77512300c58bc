/**
 * The public types of the kernel binding: options, errors, the two steps injected at
 * construction (journal, mirror) and the sink of a batch's outcomes.
 */

import type { KernelInput } from "../contracts/intents.ts";
import type { KernelOutcome } from "../contracts/records.ts";

/** The write-through mirror (the Zinc state region): receives dirty slot images after every mutation. */
export interface StateMirror {
  publishState(slots: Uint8Array, dirtyWords: Uint32Array, account: Uint8Array, stateHash: bigint): void;
}

/**
 * The journal step: receives every input handed to the kernel, before the kernel applies it, in
 * the order applied (the launcher's input journal; the chaos sequencer). Replay of what it
 * received reproduces the kernel's state.
 */
export interface InputJournal {
  /** A typed input (apply, applyQuiet, applyBatch). */
  input(input: KernelInput): void;
  /** `count` raw 320-byte records checked at an edge (applyRecords). */
  records(records: Uint8Array, count: number): void;
  /** A slot image installed by restoreSlot. */
  restore(image: Uint8Array, nowMs: number): void;
}

export interface KernelOptions {
  slotCount?: number;
  activeSlotLimit?: number;
  hungOrderMs?: number;
  mirror?: StateMirror | null;
  journal?: InputJournal | null;
  /**
   * `applyBatch` without a sink or mirror overlaps encoding with applying on a second thread
   * (src/kernel/_pipeline.ts). Default true; false keeps every call on the caller's thread.
   */
  applyThread?: boolean;
}

export class KernelError extends Error {
  override name = "KernelError";
}

/** The kernel library does not describe the ABI this binding was built for (one line says what differs). */
export class AbiMismatchError extends Error {
  override name = "AbiMismatchError";
}

/** Receives the outcomes of `applyBatch` / `applyRecords` when decoded outcomes are wanted. */
export interface BatchSink {
  /** Outcome of one kernel call; `indices[k]` is the caller's index of the call's k-th input. */
  outcome(outcome: KernelOutcome & { accepted_flags: Uint8Array }, indices: Int32Array): void;
  /** An input the encoder refused; it never reached the kernel and changed nothing. */
  refused(index: number, outcome: KernelOutcome): void;
}
