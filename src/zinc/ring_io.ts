/**
 * Push, drain and counters of a libzinc MPSC ring (the intents ring and the control mailbox).
 * A push that the consumer fenced off (ABANDONED) or that lost a long CAS race (CONTENDED)
 * delivered nothing, so it is retried a bounded number of times before it throws.
 */

import { check } from "./_lib.ts";
import type { ZincRegion } from "./region.ts";
import { invariant, type PushResult, type RingStats } from "./types.ts";

const PUSH_RETRIES = 3;
const POP_BATCH_MAX = 256;

export function pushRecord(r: ZincRegion, bytes: Uint8Array, recordSize: number): PushResult {
  invariant(bytes.byteLength === recordSize, `record must be ${recordSize} bytes, got ${bytes.byteLength}`);
  let rc = 0;
  for (let attempt = 0; attempt < PUSH_RETRIES; attempt++) {
    rc = r.lib.zinc_ring_push(r.id, bytes, recordSize);
    if (rc === 0) return "OK";
    if (rc === 1) return "FULL";
    if (rc !== -5 && rc !== -7) break;
  }
  check(rc, `${r.path}: push`);
  return "FULL";
}

/** Pushes `count` consecutive records; returns how many went in before the ring was full. */
export function pushBatch(r: ZincRegion, records: Uint8Array, count: number, recordSize: number): number {
  invariant(records.byteLength >= count * recordSize, `batch of ${count} needs ${count * recordSize} bytes`);
  return check(r.lib.zinc_ring_push_batch(r.id, records, count), `${r.path}: push batch`);
}

export class RingDrainer {
  private readonly scratch: Uint8Array;

  constructor(
    private readonly r: ZincRegion,
    private readonly recordSize: number,
  ) {
    this.scratch = new Uint8Array(POP_BATCH_MAX * recordSize);
  }

  /**
   * Hands up to `max` records to `onRecord`. A pop that fails after records were handed over in
   * this call ends the drain with their count (the caller must see them: they are off the ring);
   * the failure is met again, first thing, by the next drain.
   */
  drain(max: number, onRecord: (bytes: Uint8Array) => void): number {
    invariant(Number.isInteger(max) && max >= 0 && max <= 1_000_000, `drain max out of range: ${max}`);
    let total = 0;
    while (total < max) {
      const want = Math.min(POP_BATCH_MAX, max - total);
      const rc = this.r.lib.zinc_ring_pop(this.r.id, this.scratch, want);
      if (rc < 0 && total > 0) break;
      const n = check(rc, `${this.r.path}: pop`);
      for (let i = 0; i < n; i++) onRecord(this.scratch.subarray(i * this.recordSize, (i + 1) * this.recordSize));
      total += n;
      if (n < want) break;
    }
    return total;
  }
}

export function ringStats(r: ZincRegion): RingStats {
  const out = new BigUint64Array(4);
  check(r.lib.zinc_ring_stats(r.id, out), `${r.path}: stats`);
  const pids = out[3] ?? 0n;
  return {
    head: Number(out[0]),
    tail: Number(out[1]),
    abandoned: Number(out[2]),
    stalledPid: Number(pids >> 32n),
    lastAbandonedPid: Number(pids & 0xffffffffn),
  };
}
