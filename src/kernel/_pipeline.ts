/**
 * The pipelined batch path: the calling thread encodes chunk k+1 into one buffer while the
 * kernel's apply thread (kernel/src/pipeline.rs) applies chunk k from the other, so encoding
 * and applying overlap on two cores. `applyBatch` takes this path when nobody reads per-input
 * outcomes (no sink, no state mirror); the kernel still applies one input at a time, in order,
 * so state and hash equal the sequential path's (tests/property/kernel_pipeline.test.ts).
 *
 * Invariants: at most one chunk is in flight; `run` returns only when none is (also when the
 * `onInput` hook throws), so kernel memory is quiescent whenever TypeScript can read it. A
 * faulted kernel applies nothing further (its jobs process 0 inputs), as on the sequential path.
 *
 * Entry points: `ApplyPipeline.start(lib, kernel)` (null when no thread can be started),
 * `run(inputs, onInput, faulted)`, `free()`.
 */

import { ptr, type Pointer } from "bun:ffi";
import { BATCH_MAX } from "../contracts/abi.ts";
import type { KernelLib } from "./_kernel_ffi.ts";
import { INPUT_SIZE, RecordEncoder } from "./encoder.ts";

export class ApplyPipeline {
  private readonly encoders: [RecordEncoder, RecordEncoder];
  private readonly records: [Pointer, Pointer];
  private readonly result = new Uint32Array(2); // [processed, accepted] of the settled chunk
  private readonly resultPtr = ptr(this.result);
  private handle: Pointer | null;

  static start(lib: KernelLib, kernel: Pointer): ApplyPipeline | null {
    const handle = lib.dita_pipeline_new(kernel);
    return typeof handle === "number" && handle !== 0 ? new ApplyPipeline(lib, handle as Pointer) : null;
  }

  private constructor(private readonly lib: KernelLib, handle: Pointer) {
    const a = new Uint8Array(INPUT_SIZE * BATCH_MAX);
    const b = new Uint8Array(INPUT_SIZE * BATCH_MAX);
    this.encoders = [new RecordEncoder(a), new RecordEncoder(b)];
    this.records = [ptr(a), ptr(b)];
    this.handle = handle;
  }

  /**
   * Encodes and applies `inputs`; returns how many the kernel accepted. Inputs the encoder
   * refuses are skipped (as `applyBatch` without a sink does). `faulted` reads the kernel's
   * fault latch: a chunk short of its count without it is an invariant failure.
   */
  run(inputs: readonly unknown[], onInput: ((input: unknown) => void) | null, faulted: () => boolean): number {
    const h = this.live();
    let accepted = 0;
    let inFlight = 0;
    try {
      for (let start = 0, c = 0; start < inputs.length; c ^= 1) {
        const encoder = this.encoders[c]!;
        let n = 0;
        let i = start;
        for (; i < inputs.length && n < BATCH_MAX; i++) {
          const input = inputs[i];
          if (onInput !== null) onInput(input);
          if (encoder.encode(input, n) === null) n++;
        }
        start = i;
        if (inFlight > 0) accepted += this.settle(h, inFlight, faulted);
        inFlight = 0;
        if (n === 0) continue;
        const status = this.lib.dita_pipeline_submit(h, this.records[c]!, n);
        if (status !== 0) throw new Error(`Invariant: the apply thread took no chunk (status ${status})`);
        inFlight = n;
      }
    } finally {
      // Never return (or unwind) while the apply thread still works on kernel memory.
      if (inFlight > 0) accepted += this.settle(h, inFlight, faulted);
    }
    return accepted;
  }

  /** Waits for the chunk in flight; returns its accepted count. */
  private settle(h: Pointer, submitted: number, faulted: () => boolean): number {
    this.lib.dita_pipeline_wait(h, this.resultPtr);
    const processed = this.result[0]!;
    if (processed < submitted && !faulted()) {
      throw new Error(`Invariant: the apply thread processed ${processed} of ${submitted} inputs and the kernel is not faulted`);
    }
    return this.result[1]!;
  }

  /** Stops and joins the apply thread (after its chunk in flight, if any). */
  free(): void {
    if (this.handle === null) return;
    const h = this.handle;
    this.handle = null;
    this.lib.dita_pipeline_free(h);
  }

  private live(): Pointer {
    if (this.handle === null) throw new Error("Invariant: ApplyPipeline used after free()");
    return this.handle;
  }
}
