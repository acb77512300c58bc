/**
 * `InMemoryZincPlane`: the pure-TypeScript stand-in with the same contract as `RealZincPlane`
 * (same record sizes, FULL instead of overwrite, publish-then-notify, waits that resolve on the
 * first sequence change or at the timeout). Records and images are copied in and out, so
 * callers can never alias its storage.
 */

import { mirrorArgs } from "./_state_check.ts";
import { InMemoryOutcomes } from "./in_memory_outcomes.ts";
import type { OutcomeLane, OutcomeStats } from "./outcome_region.ts";
import { SeqSignal } from "./seq_signal.ts";
import {
  ACCOUNT_IMAGE_BYTES,
  checkSlotImage,
  INTENT_RECORD_BYTES,
  invariant,
  OUTCOME_LANES_DEFAULT,
  type PushResult,
  RING_CAPACITY_MAX,
  RING_CAPACITY_MIN,
  type RingStats,
  SLOT_COUNT_MAX,
  SLOT_IMAGE_BYTES,
  type ZincPlane,
} from "./types.ts";

export class InMemoryZincPlane implements ZincPlane {
  private readonly cells: Uint8Array[];
  private head = 0;
  private tail = 0;
  private readonly slots: Uint8Array;
  private readonly account = new Uint8Array(ACCOUNT_IMAGE_BYTES);
  private stateHash = 0n;
  private readonly intentSignal = new SeqSignal();
  private readonly stateSignal = new SeqSignal();
  private readonly outcomes: InMemoryOutcomes;

  constructor(
    readonly slotCount: number,
    readonly ringCapacity: number,
    outcomeLanes = OUTCOME_LANES_DEFAULT,
  ) {
    invariant(
      Number.isInteger(slotCount) && slotCount >= 1 && slotCount <= SLOT_COUNT_MAX,
      `slotCount must be 1..${SLOT_COUNT_MAX}, got ${slotCount}`,
    );
    const pow2 = Number.isInteger(ringCapacity) && ringCapacity > 0 && (ringCapacity & (ringCapacity - 1)) === 0;
    invariant(
      pow2 && ringCapacity >= RING_CAPACITY_MIN && ringCapacity <= RING_CAPACITY_MAX,
      `ringCapacity must be a power of two ${RING_CAPACITY_MIN}..${RING_CAPACITY_MAX}, got ${ringCapacity}`,
    );
    this.cells = Array.from({ length: ringCapacity }, () => new Uint8Array(INTENT_RECORD_BYTES));
    this.slots = new Uint8Array(slotCount * SLOT_IMAGE_BYTES);
    this.outcomes = new InMemoryOutcomes(outcomeLanes);
  }

  static open(o: { slotCount: number; ringCapacity: number; outcomeLanes?: number }): InMemoryZincPlane {
    return new InMemoryZincPlane(o.slotCount, o.ringCapacity, o.outcomeLanes);
  }

  publishOutcomes(records: Uint8Array, count: number): number {
    return this.outcomes.publish(records, count);
  }

  outcomeStats(): OutcomeStats {
    return this.outcomes.stats();
  }

  claimOutcomeLane(): OutcomeLane {
    return this.outcomes.claim();
  }

  pushIntent(bytes: Uint8Array): PushResult {
    invariant(
      bytes.byteLength === INTENT_RECORD_BYTES,
      `record must be ${INTENT_RECORD_BYTES} bytes, got ${bytes.byteLength}`,
    );
    if (this.tail - this.head >= this.ringCapacity) return "FULL";
    (this.cells[this.tail % this.ringCapacity] as Uint8Array).set(bytes);
    this.tail += 1;
    this.intentSignal.bump();
    return "OK";
  }

  drainIntents(max: number, onRecord: (bytes: Uint8Array) => void): number {
    invariant(Number.isInteger(max) && max >= 0 && max <= 1_000_000, `drain max out of range: ${max}`);
    let n = 0;
    while (n < max && this.head < this.tail) {
      onRecord(this.cells[this.head % this.ringCapacity] as Uint8Array);
      this.head += 1;
      n += 1;
    }
    return n;
  }

  intentSeq(): number {
    return this.intentSignal.current();
  }

  waitIntents(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.intentSignal.wait(lastSeq, timeoutMs);
  }

  /** No file to corrupt. */
  checkRegions(): string | null {
    return null;
  }

  ringStats(): RingStats {
    return { head: this.head, tail: this.tail, abandoned: 0, stalledPid: 0, lastAbandonedPid: 0 };
  }

  publishState(
    slotImages: Uint8Array,
    dirtyMask: BigUint64Array | Uint32Array,
    account: Uint8Array,
    stateHash: bigint,
  ): void {
    const dirty = mirrorArgs(this.slotCount, slotImages, dirtyMask, account, stateHash);
    for (const i of dirty) {
      const from = i * SLOT_IMAGE_BYTES;
      this.slots.set(slotImages.subarray(from, from + SLOT_IMAGE_BYTES), from);
    }
    this.account.set(account);
    this.stateHash = stateHash;
    this.stateSignal.bump();
  }

  readSlot(i: number): Uint8Array {
    invariant(Number.isInteger(i) && i >= 0 && i < this.slotCount, `slot index ${i} outside 0..${this.slotCount - 1}`);
    return checkSlotImage(this.slots.slice(i * SLOT_IMAGE_BYTES, (i + 1) * SLOT_IMAGE_BYTES), i, "memory");
  }

  readAccount(): Uint8Array {
    return this.account.slice();
  }

  readStateHash(): bigint {
    return this.stateHash;
  }

  stateSeq(): number {
    return this.stateSignal.current();
  }

  waitState(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.stateSignal.wait(lastSeq, timeoutMs);
  }

  close(): void {
    this.intentSignal.close();
    this.stateSignal.close();
  }
}
