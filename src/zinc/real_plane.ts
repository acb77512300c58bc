/**
 * `RealZincPlane`: the kernel side of the Zinc plane over libzinc. It is the single writer of
 * `<prefix>.intents` (consumer), `<prefix>.state` (mirror) and `<prefix>.outcomes` (each ring
 * intent's outcome, in its producer's lane); opening adopts regions whose
 * writer died, so the surviving state image is readable as the last belief, and refuses a
 * second live writer or a foreign/incompatible file with an error naming it.
 */

import { Doorbell } from "./_doorbell.ts";
import { check } from "./_lib.ts";
import { mirrorState, readAccountAndHash, readSlotImage } from "./_state_io.ts";
import {
  type OutcomeLane,
  type OutcomeStats,
  publishOutcomeRecords,
  RealOutcomeLane,
  readOutcomeStats,
} from "./outcome_region.ts";
import { type RegionHeader, ZincRegion } from "./region.ts";
import { pushRecord, RingDrainer, ringStats } from "./ring_io.ts";
import {
  INTENT_RECORD_BYTES,
  OUTCOME_LANES_DEFAULT,
  type PushResult,
  type RingStats,
  unlessTruncated,
  type ZincPlane,
} from "./types.ts";

export interface RealZincPlaneOptions {
  libPath: string;
  prefix: string;
  slotCount: number;
  ringCapacity: number;
  /** Outcome lanes (one per producer process); default OUTCOME_LANES_DEFAULT. */
  outcomeLanes?: number;
  /** The strategy namespace, written into the outcomes region so clients can refuse a foreign prefix. */
  namespace?: string;
  /** Event-loop turns a wait polls before sleeping on the futex; default 0 (see _waiter.ts). */
  waitSpinTurns?: number;
  /** Microseconds a wait busy-waits on the calling thread before the futex; default WAIT_SPIN_US_DEFAULT. */
  waitSpinUs?: number;
}

export class RealZincPlane implements ZincPlane {
  private readonly drainer: RingDrainer;
  /** Set by the first failed `checkRegions`: the regions are no longer trusted. */
  private hostile: string | null = null;
  private bell: Doorbell | null = null;
  /** Where producers ring (`/dev/shm/<prefix>.bell`), or why this plane has no doorbell. */
  doorbell = "";
  /** How many times a producer rang the doorbell (bytes received). */
  bellRings = 0;

  private constructor(
    private readonly intents: ZincRegion,
    private readonly state: ZincRegion,
    private readonly outcomes: ZincRegion,
    readonly slotCount: number,
    readonly ringCapacity: number,
    private readonly libPath: string,
    private readonly prefix: string,
  ) {
    this.drainer = new RingDrainer(intents, INTENT_RECORD_BYTES);
  }

  /** Opens (creates or adopts) the intents, state and outcomes regions as their writer. */
  static open(o: RealZincPlaneOptions): RealZincPlane {
    const opened: ZincRegion[] = [];
    const writer = (kind: "intents" | "state" | "outcomes", recordCount: number) => {
      const r = ZincRegion.open({
        libPath: o.libPath,
        prefix: o.prefix,
        kind,
        recordCount,
        writer: true,
        spinTurns: o.waitSpinTurns,
        spinUs: o.waitSpinUs,
      });
      opened.push(r);
      return r;
    };
    try {
      const intents = writer("intents", o.ringCapacity);
      const state = writer("state", o.slotCount);
      const outcomes = writer("outcomes", o.outcomeLanes ?? OUTCOME_LANES_DEFAULT);
      if (o.namespace !== undefined) {
        const ns = Buffer.from(`${o.namespace}\0`, "utf8");
        check(outcomes.lib.zinc_outcome_set_namespace(outcomes.id, ns), `${outcomes.path}: namespace ${o.namespace}`);
      }
      const plane = new RealZincPlane(intents, state, outcomes, o.slotCount, o.ringCapacity, o.libPath, o.prefix);
      plane.listenForBell();
      return plane;
    } catch (e) {
      for (const r of opened.reverse()) r.close();
      throw e;
    }
  }

  /** The intents ring's doorbell (`_doorbell.ts`): a ring settles the ring's waits at once. */
  private listenForBell(): void {
    const bell = Doorbell.listen(this.prefix, () => {
      this.bellRings++;
      this.intents.kick();
    });
    if (typeof bell === "string") this.doorbell = bell;
    else {
      this.bell = bell;
      this.doorbell = bell.path;
    }
  }

  pushIntent(bytes: Uint8Array): PushResult {
    return pushRecord(this.intents, bytes, INTENT_RECORD_BYTES);
  }

  drainIntents(max: number, onRecord: (bytes: Uint8Array) => void): number {
    if (this.hostile !== null) return 0;
    return this.unlessTruncated(0, () => this.drainer.drain(max, onRecord));
  }

  checkRegions(): string | null {
    this.hostile ??= this.intents.check() ?? this.state.check() ?? this.outcomes.check();
    return this.hostile;
  }

  publishOutcomes(records: Uint8Array, count: number): number {
    if (this.hostile !== null) return 0;
    return this.unlessTruncated(0, () => publishOutcomeRecords(this.outcomes, records, count));
  }

  outcomeStats(): OutcomeStats {
    return readOutcomeStats(this.outcomes);
  }

  /** Claims a lane through a handle of its own, as a producer process would. */
  claimOutcomeLane(): OutcomeLane {
    const r = ZincRegion.open({
      libPath: this.libPath,
      prefix: this.prefix,
      kind: "outcomes",
      recordCount: 0,
      writer: false,
    });
    try {
      return RealOutcomeLane.claim(r, true);
    } catch (e) {
      r.close();
      throw e;
    }
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
    this.unlessTruncated(undefined, () =>
      mirrorState(this.state, this.slotCount, slotImages, dirtyMask, account, stateHash),
    );
  }

  /**
   * A writer-side call on a region whose file shrank under the mapping (libzinc caught the
   * SIGBUS) makes the regions hostile, as a failed `checkRegions` does: the kernel's own state is
   * untouched, and the next check reports the file (a CRITICAL, /health 503) instead of the
   * kernel's caller meeting the error mid-apply.
   */
  private unlessTruncated<T>(fallback: T, op: () => T): T {
    return unlessTruncated(fallback, op, (why) => {
      this.hostile ??= why;
    });
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

  headers(): { intents: RegionHeader; state: RegionHeader; outcomes: RegionHeader } {
    return { intents: this.intents.header(), state: this.state.header(), outcomes: this.outcomes.header() };
  }

  close(): void {
    this.bell?.close();
    this.bell = null;
    this.intents.close();
    this.state.close();
    this.outcomes.close();
  }
}
