/**
 * `RealZincPlane`: the kernel side of the Zinc plane over libzinc. It is the single writer of
 * `<prefix>.intents` (consumer) and `<prefix>.state` (mirror); opening adopts regions whose
 * writer died, so the surviving state image is readable as the last belief, and refuses a
 * second live writer or a foreign/incompatible file with an error naming it.
 */

import { check } from "./_lib.ts";
import { mirrorState, readAccountAndHash, readSlotImage } from "./_state_io.ts";
import { type RegionHeader, ZincRegion } from "./region.ts";
import { pushRecord, RingDrainer, ringStats } from "./ring_io.ts";
import { INTENT_RECORD_BYTES, type PushResult, type RingStats, type ZincPlane } from "./types.ts";

export interface RealZincPlaneOptions {
  libPath: string;
  prefix: string;
  slotCount: number;
  ringCapacity: number;
  /** Event-loop turns a wait polls before sleeping on the futex; default 0 (see _waiter.ts). */
  waitSpinTurns?: number;
  /** Microseconds a wait busy-waits on the calling thread before the futex; default WAIT_SPIN_US_DEFAULT. */
  waitSpinUs?: number;
}

export class RealZincPlane implements ZincPlane {
  private readonly drainer: RingDrainer;
  /** Set by the first failed `checkRegions`: the regions are no longer trusted. */
  private hostile: string | null = null;

  private constructor(
    private readonly intents: ZincRegion,
    private readonly state: ZincRegion,
    readonly slotCount: number,
    readonly ringCapacity: number,
  ) {
    this.drainer = new RingDrainer(intents, INTENT_RECORD_BYTES);
  }

  static open(o: RealZincPlaneOptions): RealZincPlane {
    const intents = ZincRegion.open({
      libPath: o.libPath,
      prefix: o.prefix,
      kind: "intents",
      recordCount: o.ringCapacity,
      writer: true,
      spinTurns: o.waitSpinTurns,
      spinUs: o.waitSpinUs,
    });
    try {
      const state = ZincRegion.open({
        libPath: o.libPath,
        prefix: o.prefix,
        kind: "state",
        recordCount: o.slotCount,
        writer: true,
        spinTurns: o.waitSpinTurns,
        spinUs: o.waitSpinUs,
      });
      return new RealZincPlane(intents, state, o.slotCount, o.ringCapacity);
    } catch (e) {
      intents.close();
      throw e;
    }
  }

  pushIntent(bytes: Uint8Array): PushResult {
    return pushRecord(this.intents, bytes, INTENT_RECORD_BYTES);
  }

  drainIntents(max: number, onRecord: (bytes: Uint8Array) => void): number {
    if (this.hostile !== null) return 0;
    return this.drainer.drain(max, onRecord);
  }

  checkRegions(): string | null {
    this.hostile ??= this.intents.check() ?? this.state.check();
    return this.hostile;
  }

  intentSeq(): number {
    return this.intents.seq();
  }

  waitIntents(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.intents.wait(lastSeq, timeoutMs);
  }

  ringStats(): RingStats {
    if (this.hostile !== null) return { head: 0, tail: 0, abandoned: 0, stalledPid: 0, lastAbandonedPid: 0 };
    return ringStats(this.intents);
  }

  /** Test and operations hook: how long an unowned claim may block the consumer (default 1000 ms). */
  setStallMs(ms: number): void {
    check(this.intents.lib.zinc_ring_set_stall_ms(this.intents.id, ms), `${this.intents.path}: stall`);
  }

  publishState(
    slotImages: Uint8Array,
    dirtyMask: BigUint64Array | Uint32Array,
    account: Uint8Array,
    stateHash: bigint,
  ): void {
    if (this.hostile !== null) return;
    mirrorState(this.state, this.slotCount, slotImages, dirtyMask, account, stateHash);
  }

  readSlot(i: number): Uint8Array {
    return readSlotImage(this.state, this.slotCount, i);
  }

  readAccount(): Uint8Array {
    return readAccountAndHash(this.state).account;
  }

  readStateHash(): bigint {
    return readAccountAndHash(this.state).stateHash;
  }

  stateSeq(): number {
    return this.state.seq();
  }

  waitState(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.state.wait(lastSeq, timeoutMs);
  }

  headers(): { intents: RegionHeader; state: RegionHeader } {
    return { intents: this.intents.header(), state: this.state.header() };
  }

  close(): void {
    this.intents.close();
    this.state.close();
  }
}
