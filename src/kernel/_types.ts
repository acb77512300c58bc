/** Options and errors of ExecutionKernel, and the write-through mirror it publishes to. */

/** The write-through mirror (the Zinc state region): receives dirty slot images after every mutation. */
export interface StateMirror {
  publishState(slots: Uint8Array, dirtyWords: Uint32Array, account: Uint8Array, stateHash: bigint): void;
}

export interface KernelOptions {
  slotCount?: number;
  activeSlotLimit?: number;
  hungOrderMs?: number;
  mirror?: StateMirror | null;
  /**
   * `applyBatch` without a sink or mirror overlaps encoding with applying on a second thread
   * (src/kernel/_pipeline.ts). Default true; false keeps every call on the caller's thread.
   */
  applyThread?: boolean;
  /** Called with every input handed to the kernel (the launcher journals them). */
  onInput?: (input: unknown) => void;
}

export class KernelError extends Error {
  override name = "KernelError";
}
