/**
 * Clients for other processes: `ZincIntentProducer` pushes intent records into a running
 * kernel's ring, and `ZincStateReader` reads the state region (the launcher uses it to read a
 * dead kernel's last belief before adopting). Neither takes the writer role.
 */

import { readAccountAndHash, readSlotImage } from "./_state_io.ts";
import { type RegionHeader, ZincRegion } from "./region.ts";
import { pushBatch, pushRecord } from "./ring_io.ts";
import { INTENT_RECORD_BYTES, type PushResult, type ZincStateView } from "./types.ts";

export interface ZincClientOptions {
  libPath: string;
  prefix: string;
  /** Event-loop turns a wait polls before sleeping on the futex; default 0. */
  waitSpinTurns?: number;
  /** Microseconds a wait busy-waits on the calling thread before the futex; default WAIT_SPIN_US_DEFAULT. */
  waitSpinUs?: number;
}

export class ZincIntentProducer {
  private constructor(private readonly r: ZincRegion) {}

  static open(o: ZincClientOptions): ZincIntentProducer {
    return new ZincIntentProducer(ZincRegion.open({ ...o, kind: "intents", recordCount: 0, writer: false }));
  }

  push(bytes: Uint8Array): PushResult {
    return pushRecord(this.r, bytes, INTENT_RECORD_BYTES);
  }

  /** Pushes `count` consecutive 320-byte records with one notify; returns how many fit. */
  pushBatch(records: Uint8Array, count: number): number {
    return pushBatch(this.r, records, count, INTENT_RECORD_BYTES);
  }

  /** Test hook: claim a cell and never publish it, as a producer killed mid-push would. */
  abandonClaim(writeOwner: boolean): number {
    return this.r.lib.zinc_test_abandon_claim(this.r.id, writeOwner ? 1 : 0);
  }

  seq(): number {
    return this.r.seq();
  }

  close(): void {
    this.r.close();
  }
}

export class ZincStateReader implements ZincStateView {
  readonly slotCount: number;

  private constructor(private readonly r: ZincRegion) {
    this.slotCount = r.header().recordCount;
  }

  static open(o: ZincClientOptions): ZincStateReader {
    return new ZincStateReader(
      ZincRegion.open({
        ...o,
        kind: "state",
        recordCount: 0,
        writer: false,
        spinTurns: o.waitSpinTurns,
        spinUs: o.waitSpinUs,
      }),
    );
  }

  header(): RegionHeader {
    return this.r.header();
  }

  readSlot(i: number): Uint8Array {
    return readSlotImage(this.r, this.slotCount, i);
  }

  readAccount(): Uint8Array {
    return readAccountAndHash(this.r).account;
  }

  readStateHash(): bigint {
    return readAccountAndHash(this.r).stateHash;
  }

  stateSeq(): number {
    return this.r.seq();
  }

  waitState(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.r.wait(lastSeq, timeoutMs);
  }

  close(): void {
    this.r.close();
  }
}
