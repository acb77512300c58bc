/**
 * The pipelined batch path: the calling thread encodes chunk k+1 into one buffer while the
 * kernel's apply thread (kernel/src/pipeline.rs) applies chunk k from the other, so encoding
 * and applying overlap on two cores. `applyBatch` takes this path when nobody reads per-input
 * outcomes (no sink, no state mirror); the kernel still applies one input at a time, in order,
 * so state and hash equal the sequential path's (tests/property/kernel_pipeline.test.ts).
 *
 * The thread can fall behind when another process holds the second CPU; waiting for it then
 * costs more than it saves. So the call is judged in windows of at least 4 ms (encoding plus
 * waiting); a window falls behind when the caller waited longer than it encoded. Two windows in
 * a row behind are followed by a stretch on the calling thread (`sequential`: 64 chunks, doubling
 * while the window after each stretch falls behind too, back to 64 after one that does not);
 * then the thread is tried again. One stalled wake-up (milliseconds on a busy VM) spoils one
 * window and changes nothing. Each input is encoded once. The binding takes this path only without
 * a journal, a mirror or a sink: it does not keep each input's acceptance.
 *
 * Invariants: at most one chunk is in flight; `run` returns only when none is (also when reading
 * an input throws), so kernel memory is quiescent whenever TypeScript can read it. A
 * faulted kernel applies nothing further (its jobs process 0 inputs), as on the sequential path.
 *
 * Entry points: `ApplyPipeline.start(lib, kernel)` (null when no thread can be started),
 * `run(inputs, faulted, sequential)`, `fallbacks`, `free()`.
 */

import { type Pointer, ptr } from "bun:ffi";
import { BATCH_MAX } from "../contracts/abi.ts";
import type { KernelInput } from "../contracts/intents.ts";
import type { KernelLib } from "./_kernel_ffi.ts";
import { INPUT_SIZE, RecordEncoder } from "./encoder.ts";

/** How `run` judges whether the apply thread keeps up (see the header). */
export interface FallbackPolicy {
  /** Time (ns, encoding and waiting) per judged window. */
  windowNs: number;
  /** A window falls behind when the caller waited longer than this share of its encoding. */
  waitShare: number;
}

const DEFAULT_POLICY: FallbackPolicy = { windowNs: 4e6, waitShare: 1 };
/** Chunks run on the calling thread after a window that fell behind: from 64, doubling to 4096. */
const FIRST_STRETCH = 64;
const LAST_STRETCH = 4096;

export class ApplyPipeline {
  /** Stretches run on the calling thread because the apply thread fell behind. */
  fallbacks = 0;
  private stretch = FIRST_STRETCH;
  /** Windows in a row that fell behind (one after a stretch: the next behind one falls back again). */
  private behind = 0;
  private readonly encoders: [RecordEncoder, RecordEncoder];
  private readonly records: [Pointer, Pointer];
  private readonly result = new Uint32Array(2); // [processed, accepted] of the settled chunk
  private readonly resultPtr = ptr(this.result);
  private handle: Pointer | null;

  static start(lib: KernelLib, kernel: Pointer): ApplyPipeline | null {
    const handle = lib.dita_pipeline_new(kernel);
    return typeof handle === "number" && handle !== 0 ? new ApplyPipeline(lib, handle as Pointer) : null;
  }

  private constructor(
    private readonly lib: KernelLib,
    handle: Pointer,
  ) {
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
   * `sequential(from, to)` applies `inputs[from, to)` on the calling thread.
   */
  run(
    inputs: readonly KernelInput[],
    faulted: () => boolean,
    sequential: (from: number, to: number) => number,
    policy: FallbackPolicy = DEFAULT_POLICY,
  ): number {
    const h = this.live();
    let accepted = 0;
    let inFlight = 0;
    let encodeNs = 0;
    let waitNs = 0;
    const settleInFlight = () => {
      const submitted = inFlight;
      inFlight = 0;
      if (submitted > 0) accepted += this.settle(h, submitted, faulted);
    };
    try {
      for (let start = 0, c = 0; start < inputs.length; c ^= 1) {
        const encoder = this.encoders[c]!;
        const t0 = Bun.nanoseconds();
        let n = 0;
        let i = start;
        for (; i < inputs.length && n < BATCH_MAX; i++) {
          const input = inputs[i];
          if (encoder.encode(input, n) === null) n++;
        }
        start = i;
        const t1 = Bun.nanoseconds();
        encodeNs += t1 - t0;
        settleInFlight();
        waitNs += Bun.nanoseconds() - t1;
        if (n > 0) {
          const status = this.lib.dita_pipeline_submit(h, this.records[c]!, n);
          if (status !== 0) throw new Error(`Invariant: the apply thread took no chunk (status ${status})`);
          inFlight = n;
        }
        if (encodeNs + waitNs < policy.windowNs) continue;
        const behind = waitNs > encodeNs * policy.waitShare;
        encodeNs = waitNs = 0;
        if (!behind) {
          this.behind = 0;
          this.stretch = FIRST_STRETCH;
        }
        if (!behind || ++this.behind < 2 || start >= inputs.length) continue;
        settleInFlight();
        this.fallbacks++;
        this.behind = 1;
        const to = Math.min(inputs.length, start + this.stretch * BATCH_MAX);
        this.stretch = Math.min(this.stretch * 2, LAST_STRETCH);
        accepted += sequential(start, to);
        start = to;
      }
    } finally {
      settleInFlight(); // never return (or unwind) while the apply thread works on kernel memory
    }
    return accepted;
  }

  /** Waits for the chunk in flight; returns its accepted count. */
  private settle(h: Pointer, submitted: number, faulted: () => boolean): number {
    this.lib.dita_pipeline_wait(h, this.resultPtr);
    const processed = this.result[0]!;
    if (processed < submitted && !faulted()) {
      throw new Error(
        `Invariant: the apply thread processed ${processed} of ${submitted} inputs and the kernel is not faulted`,
      );
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
