/**
 * The outcomes region (kind 4, ffi/README.md §7) over libzinc: the kernel's side publishes
 * OutcomeRecords routed by their client_intent_id; a producer's side (`RealOutcomeLane`) claims a
 * lane, polls it in order and waits on it. `OutcomeLane` and `OutcomeStats` are the shapes both
 * the Real and the InMemory plane answer with (one contract suite checks both).
 *
 * Entry points: `publishOutcomeRecords`, `readOutcomeStats`, `readLaneHeader`, `RealOutcomeLane`.
 */

import { check, sequence } from "./_lib.ts";
import { OUTCOME_RECORD_BYTES } from "./outcome_record.ts";
import type { ZincRegion } from "./region.ts";
import { invariant, ZincError } from "./types.ts";

export interface OutcomeStats {
  published: number;
  /** Outcomes dropped: no such lane, or the lane was claimed again since the intent was pushed. */
  unroutable: number;
  /** Outcomes written over before their producer read them (a producer that never reads). */
  overwritten: number;
  laneDepth: number;
  lanes: number;
  /** Lanes held by a live producer. */
  lanesOwned: number;
}

export interface OutcomeLaneHeader {
  lane: number;
  head: number;
  read: number;
  ownerPid: number;
  /** libzinc's judgement of the owner word (pid and start time), as `lanesOwned` counts lanes. */
  ownerAlive: boolean;
  generation: number;
  overwritten: number;
  stale: number;
}

/** One producer's lane: poll what the kernel published for its intents, in order. */
export interface OutcomeLane {
  readonly lane: number;
  readonly generation: number;
  /** The id the kernel routes back to this lane for the producer's `sequence`-th intent (8 bytes, LE). */
  idBytes(sequence: number): Uint8Array;
  /** Up to `max` records (copies) from the read position on; `lost` counts records written over unread. */
  poll(max: number): { records: Uint8Array[]; lost: number };
  head(): number;
  release(): void;
}

const POLL_MAX = 4096;

export function encodeIntentId(lane: number, generation: number, sequence: number): Uint8Array {
  invariant(Number.isInteger(lane) && lane >= 0 && lane < 65536, `lane ${lane}`);
  invariant(Number.isInteger(generation) && generation >= 1 && generation < 65536, `generation ${generation}`);
  invariant(Number.isInteger(sequence) && sequence >= 0 && sequence <= 0xffffffff, `sequence ${sequence}`);
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, sequence, true);
  dv.setUint16(4, generation, true);
  dv.setUint16(6, lane, true);
  return out;
}

export function publishOutcomeRecords(r: ZincRegion, bytes: Uint8Array, count: number): number {
  invariant(bytes.byteLength >= count * OUTCOME_RECORD_BYTES, `outcome batch of ${count} needs more bytes`);
  if (count === 0) return 0;
  return check(r.lib.zinc_outcome_publish(r.id, bytes, count), `${r.path}: publish outcomes`);
}

export function readOutcomeStats(r: ZincRegion): OutcomeStats {
  const out = new BigUint64Array(8);
  check(r.lib.zinc_outcome_stats(r.id, out), `${r.path}: outcome stats`);
  return {
    published: Number(out[0]),
    unroutable: Number(out[1]),
    overwritten: Number(out[2]),
    laneDepth: Number(out[3]),
    lanes: Number(out[4]),
    lanesOwned: Number(out[5]),
  };
}

export function readLaneHeader(r: ZincRegion, lane: number): OutcomeLaneHeader {
  const out = new Uint8Array(64);
  check(r.lib.zinc_outcome_lane_header(r.id, lane, out), `${r.path}: lane ${lane}`);
  const dv = new DataView(out.buffer);
  return {
    lane,
    head: Number(dv.getBigUint64(0, true)),
    read: Number(dv.getBigUint64(8, true)),
    ownerPid: dv.getUint32(16, true),
    ownerAlive: r.lib.zinc_owner_alive(dv.getBigUint64(16, true)) === 1,
    generation: dv.getUint32(24, true),
    overwritten: Number(dv.getBigUint64(40, true)),
    stale: Number(dv.getBigUint64(48, true)),
  };
}

/** A claimed lane of a real outcomes region (this process is its owner until `release`). */
export class RealOutcomeLane implements OutcomeLane {
  private readonly scratch = new Uint8Array(POLL_MAX * OUTCOME_RECORD_BYTES);
  private readonly lost = new BigUint64Array(1);
  private released = false;

  private constructor(
    private readonly r: ZincRegion,
    readonly lane: number,
    readonly generation: number,
    private readonly owned: boolean,
  ) {}

  /** Claims a free lane (or one whose owner died); `ZincError("BUSY")` when all are held. */
  static claim(r: ZincRegion, owned = false): RealOutcomeLane {
    const gen = new Uint32Array(1);
    const lane = r.lib.zinc_outcome_claim(r.id, gen);
    if (lane === -10) throw new ZincError("BUSY", `${r.path}: every outcome lane is held by a live producer`);
    check(lane, `${r.path}: claim a lane`);
    return new RealOutcomeLane(r, lane, gen[0]!, owned);
  }

  idBytes(sequence: number): Uint8Array {
    return encodeIntentId(this.lane, this.generation, sequence);
  }

  poll(max: number): { records: Uint8Array[]; lost: number } {
    invariant(Number.isInteger(max) && max >= 0 && max <= POLL_MAX, `poll max ${max}`);
    this.lost[0] = 0n;
    const n = check(
      this.r.lib.zinc_outcome_poll(this.r.id, this.lane, this.scratch, max, this.lost),
      `${this.r.path}: poll lane ${this.lane}`,
    );
    const records = Array.from({ length: n }, (_, i) =>
      this.scratch.slice(i * OUTCOME_RECORD_BYTES, (i + 1) * OUTCOME_RECORD_BYTES),
    );
    return { records, lost: Number(this.lost[0]) };
  }

  /** The lane's head; CORRUPT naming the word when it is >= 2^63. */
  head(): number {
    const word = (): bigint => {
      const out = new BigUint64Array(8);
      check(this.r.lib.zinc_outcome_lane_header(this.r.id, this.lane, out), `${this.r.path}: lane ${this.lane}`);
      return out[0]!;
    };
    return sequence(this.r.lib.zinc_outcome_head(this.r.id, this.lane), `${this.r.path}: lane ${this.lane} head`, word);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.r.lib.zinc_outcome_release(this.r.id, this.lane, this.generation);
    if (this.owned) this.r.close();
  }
}
