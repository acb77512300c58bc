/**
 * `InMemoryOutcomes`: the outcomes region's contract inside one process, for the in-memory Zinc
 * plane — lanes claimed by producers, records routed by client_intent_id (lane << 48 |
 * generation << 32 | sequence), a lane keeps its last OUTCOME_LANE_DEPTH records and a lane that
 * is never read is overwritten oldest first (counted) without touching another lane. Records are
 * copied in and out, so no caller aliases its storage.
 *
 * Entry point: `new InMemoryOutcomes(lanes)`.
 */

import { OUTCOME_LANE_DEPTH, OUTCOME_LANES_MAX, OUTCOME_RECORD_BYTES } from "./outcome_record.ts";
import { encodeIntentId, type OutcomeLane, type OutcomeStats } from "./outcome_region.ts";
import { invariant, ZincError } from "./types.ts";

interface Lane {
  cells: Uint8Array[];
  head: number;
  read: number;
  owned: boolean;
  generation: number;
  overwritten: number;
  stale: number;
}

export class InMemoryOutcomes {
  private readonly lanes: Lane[];
  private published = 0;
  private unroutable = 0;
  private overwritten = 0;

  constructor(readonly laneCount: number) {
    invariant(
      Number.isInteger(laneCount) && laneCount >= 1 && laneCount <= OUTCOME_LANES_MAX,
      `outcome lanes must be 1..${OUTCOME_LANES_MAX}, got ${laneCount}`,
    );
    this.lanes = Array.from({ length: laneCount }, () => ({
      cells: [],
      head: 0,
      read: 0,
      owned: false,
      generation: 0,
      overwritten: 0,
      stale: 0,
    }));
  }

  publish(bytes: Uint8Array, count: number): number {
    invariant(bytes.byteLength >= count * OUTCOME_RECORD_BYTES, `outcome batch of ${count} needs more bytes`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let written = 0;
    for (let i = 0; i < count; i++) {
      const at = i * OUTCOME_RECORD_BYTES;
      const generation = dv.getUint16(at + 12, true);
      const laneIndex = dv.getUint16(at + 14, true);
      if (generation === 0) continue;
      const lane = this.lanes[laneIndex];
      if (lane === undefined || lane.generation !== generation) {
        this.unroutable++;
        if (lane !== undefined) lane.stale++;
        continue;
      }
      const cell = bytes.slice(at, at + OUTCOME_RECORD_BYTES);
      new DataView(cell.buffer).setBigUint64(0, BigInt(2 * (lane.head + 1)), true);
      lane.cells[lane.head % OUTCOME_LANE_DEPTH] = cell;
      if (lane.head >= OUTCOME_LANE_DEPTH && lane.read <= lane.head - OUTCOME_LANE_DEPTH) {
        lane.overwritten++;
        this.overwritten++;
      }
      lane.head++;
      written++;
    }
    this.published += written;
    return written;
  }

  stats(): OutcomeStats {
    return {
      published: this.published,
      unroutable: this.unroutable,
      overwritten: this.overwritten,
      laneDepth: OUTCOME_LANE_DEPTH,
      lanes: this.laneCount,
      lanesOwned: this.lanes.filter((l) => l.owned).length,
    };
  }

  claim(): OutcomeLane {
    const index = this.lanes.findIndex((l) => !l.owned);
    if (index < 0) throw new ZincError("BUSY", "memory: every outcome lane is held by a producer");
    const lane = this.lanes[index]!;
    lane.owned = true;
    lane.generation = lane.generation >= 0xffff ? 1 : lane.generation + 1;
    lane.read = lane.head;
    const generation = lane.generation;
    return {
      lane: index,
      generation,
      idBytes: (sequence) => encodeIntentId(index, generation, sequence),
      poll: (max) => pollLane(lane, max),
      head: () => lane.head,
      release: () => {
        if (lane.generation === generation) lane.owned = false;
      },
    };
  }
}

function pollLane(lane: Lane, max: number): { records: Uint8Array[]; lost: number } {
  let lost = 0;
  if (lane.head - lane.read > OUTCOME_LANE_DEPTH) {
    lost += lane.head - lane.read - OUTCOME_LANE_DEPTH;
    lane.read = lane.head - OUTCOME_LANE_DEPTH;
  }
  const records: Uint8Array[] = [];
  while (records.length < max && lane.read < lane.head) {
    records.push(lane.cells[lane.read % OUTCOME_LANE_DEPTH]!.slice());
    lane.read++;
  }
  return { records, lost };
}
