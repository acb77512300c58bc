/**
 * The public types of the kernel binding: options, errors, the two steps injected at
 * construction (journal, mirror) and the sink of a batch's outcomes.
 */

import type { TradingState } from "../contracts/enums.ts";
import type { KernelInput } from "../contracts/intents.ts";
import type { KernelOutcome } from "../contracts/records.ts";

/** The write-through mirror (the Zinc state region): receives dirty slot images after every mutation. */
export interface StateMirror {
  publishState(slots: Uint8Array, dirtyWords: Uint32Array, account: Uint8Array, stateHash: bigint): void;
}

/**
 * The journal step: receives every input handed to the kernel, in the order applied, right after
 * the kernel answered it, with its acceptance (the launcher's input journal; the chaos
 * sequencer). A refused input changed nothing (kernel/README.md decision 1), so a journal may keep
 * the accepted ones only and still replay to the same state.
 */
export interface InputJournal {
  /** A typed input (apply, applyQuiet, applyBatch); refused by the encoder or the kernel when !accepted. */
  input(input: KernelInput, accepted: boolean): void;
  /** Raw 320-byte records checked at an edge (applyRecords), `accepted[i]` 1 or 0 for record i. */
  records(records: Uint8Array, accepted: Uint8Array): void;
  /** A slot image handed to restoreSlot. */
  restore(image: Uint8Array, nowMs: number, accepted: boolean): void;
  /**
   * The whole state was replaced by `restoreSnapshot` (a segmented journal starts a new segment
   * from it). A journal without this method cannot follow a snapshot restore, which then throws.
   */
  snapshotRestored?(): void;
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

/** What `ExecutionKernel.config()` answers: the kernel's configuration as it enforces it. */
export interface KernelConfig {
  slot_count: number;
  active_slot_limit: number;
  hung_order_ms: number;
  trading_state: TradingState;
  max_notional_per_trade: number;
  max_gross_exposure: number;
  max_orders_per_minute: number;
  max_leverage: number;
  max_drawdown_ratio: number;
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
