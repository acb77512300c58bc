/**
 * The sequential batch path: inputs encoded in chunks of up to 1024 records, one kernel call per
 * chunk, looping while the kernel stops early (its outcome arena would overflow). A faulted
 * kernel applies nothing and its outcome says KERNEL_FAULT; any other call that processes
 * nothing is an invariant failure.
 */

import type { Pointer } from "bun:ffi";
import { BATCH_MAX, OFF } from "../contracts/abi.ts";
import type { KernelInput } from "../contracts/intents.ts";
import type { KernelLib } from "./_kernel_ffi.ts";
import { faultLatched, type KernelViews } from "./_memory.ts";
import { type BatchSink, collectOutcome, refusalOutcome } from "./_outcome.ts";
import { INPUT_SIZE, type RecordEncoder } from "./encoder.ts";
import type { InputJournal } from "./types.ts";

/**
 * Encodes `inputs[from, to)` chunk by chunk into `encoder`'s buffer and hands each chunk to
 * `apply` (`runBatch` over that buffer); refusals go to the sink (naming a slot only below
 * `slotCount`). Returns how many were accepted.
 */
export function encodeBatches(
  inputs: readonly KernelInput[],
  encoder: RecordEncoder,
  indices: Int32Array,
  journal: InputJournal | null,
  sink: BatchSink | undefined,
  slotCount: number,
  apply: (n: number) => number,
  from = 0,
  to = inputs.length,
): number {
  let accepted = 0;
  for (let start = from; start < to; ) {
    let n = 0;
    let i = start;
    for (; i < to && n < BATCH_MAX; i++) {
      const input = inputs[i];
      const refusal = encoder.encode(input, n);
      if (refusal === null) indices[n++] = i;
      else {
        journal?.input(input!, false);
        sink?.refused(i, refusalOutcome(refusal, input, slotCount));
      }
    }
    accepted += apply(n);
    start = i;
  }
  return accepted;
}

/** Applies `n` records at `inputs`; `indices[k]` is the caller's index of record k. Returns accepted. */
export function runBatch(
  lib: KernelLib,
  h: Pointer,
  v: KernelViews,
  inputs: Pointer,
  n: number,
  indices: Int32Array,
  settled: (accepted: Uint8Array, indices: Int32Array) => void,
  sink?: BatchSink,
): number {
  let accepted = 0;
  for (let done = 0; done < n; ) {
    const processed = lib.dita_kernel_apply_batch(h, (inputs + done * INPUT_SIZE) as Pointer, n - done);
    if (processed === 0) {
      // A faulted (read-only) kernel applies nothing; its outcome says KERNEL_FAULT.
      if (faultLatched(v)) {
        sink?.outcome(collectOutcome(v, 0), indices.subarray(done, n));
        return accepted;
      }
      throw new Error(`Invariant: kernel processed no input of a batch of ${n - done}`);
    }
    accepted += v.header.getUint32(OFF.OutcomeHeader.accepted, true);
    settled(v.accepted.subarray(0, processed), indices.subarray(done, done + processed));
    sink?.outcome(collectOutcome(v, 0), indices.subarray(done, done + processed));
    done += processed;
  }
  return accepted;
}
