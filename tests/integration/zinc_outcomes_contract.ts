/**
 * The outcomes half of the ZincPlane contract (ffi/README.md §7), run against both planes: an
 * outcome lands in the lane its client_intent_id names, in order; a lane nobody reads is
 * overwritten oldest first and counted while another producer's lane loses nothing; an outcome
 * for an older generation of a lane (its producer is gone) is dropped, never delivered to the
 * lane's new owner; generation 0 asks for nothing; every lane held answers BUSY.
 * `make` returns a fresh plane with 4 outcome lanes.
 */

import { afterEach, describe, expect, test } from "bun:test";
import {
  decodeOutcome,
  OUTCOME_LANE_DEPTH,
  OutcomeBatch,
  type OutcomeFacts,
  type OutcomeLane,
  ZincError,
  type ZincPlane,
} from "../../src/zinc/index.ts";

/** A MARK_PRICE outcome whose now_ms tells the records apart. */
function facts(nowMs: number): OutcomeFacts {
  return {
    origin: "KERNEL",
    now_ms: nowMs,
    input_kind: 4,
    slot_id: null,
    slot_version: 0,
    accepted: true,
    stage: 0,
    event_kind: 0,
    order_status: 0,
    diagnostics: [],
  };
}

function outcomeFor(id: Uint8Array, nowMs: number): OutcomeBatch {
  const b = new OutcomeBatch(1);
  b.add(id, facts(nowMs));
  return b;
}

/** Publishes outcomes for the lane's sequences from..from+count-1 (now_ms = the sequence). */
function publishMany(p: ZincPlane, lane: OutcomeLane, from: number, count: number): void {
  const b = new OutcomeBatch(count);
  for (let s = from; s < from + count; s++) b.add(lane.idBytes(s), facts(s));
  expect(p.publishOutcomes(b.bytes, b.count)).toBe(count);
}

const times = (records: Uint8Array[]) => records.map((r) => decodeOutcome(r).now_ms);

export function outcomesContract(name: string, make: () => ZincPlane, cleanup: () => void): void {
  describe(`ZincPlane outcomes contract: ${name}`, () => {
    let plane: ZincPlane | null = null;
    const lanes: OutcomeLane[] = [];
    const open = (): ZincPlane => (plane = make());
    afterEach(() => {
      for (const l of lanes.splice(0)) l.release();
      plane?.close();
      plane = null;
      cleanup();
    });
    const claim = (p: ZincPlane) => {
      const l = p.claimOutcomeLane();
      lanes.push(l);
      return l;
    };

    test("an outcome reaches the lane its client_intent_id names, in publish order, and no other lane", () => {
      const p = open();
      const a = claim(p);
      const b = claim(p);
      expect(a.lane).not.toBe(b.lane);
      publishMany(p, a, 1, 3);
      publishMany(p, b, 100, 2);
      expect(times(a.poll(10).records)).toEqual([1, 2, 3]);
      expect(times(b.poll(10).records)).toEqual([100, 101]);
      expect(a.poll(10)).toEqual({ records: [], lost: 0 });
      expect(p.outcomeStats()).toMatchObject({ published: 5, unroutable: 0, overwritten: 0, lanes: 4, lanesOwned: 2 });
    });

    test("a producer that never reads loses only its own oldest outcomes; another producer's lane loses nothing", () => {
      const p = open();
      const deaf = claim(p);
      const reader = claim(p);
      const extra = 40;
      for (let round = 0; round < OUTCOME_LANE_DEPTH + extra; round += 8) {
        publishMany(p, deaf, round, 8);
        publishMany(p, reader, round, 8);
        const got = reader.poll(8);
        expect(got.lost).toBe(0);
        expect(times(got.records)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => round + i));
      }
      const stats = p.outcomeStats();
      expect(stats.overwritten).toBe(extra);
      const late = deaf.poll(OUTCOME_LANE_DEPTH + extra);
      expect(late.lost).toBe(extra);
      expect(times(late.records)).toEqual(Array.from({ length: OUTCOME_LANE_DEPTH }, (_, i) => extra + i));
    });

    test("an outcome for an older generation of a lane is dropped, never handed to the lane's new owner", () => {
      const p = open();
      const first = claim(p);
      const oldId = first.idBytes(7);
      first.release();
      lanes.splice(lanes.indexOf(first), 1);
      const second = claim(p);
      expect(second.lane).toBe(first.lane);
      expect(second.generation).not.toBe(first.generation);
      expect(p.publishOutcomes(outcomeFor(oldId, 1).bytes, 1)).toBe(0);
      expect(second.poll(10).records).toEqual([]);
      expect(p.outcomeStats().unroutable).toBe(1);
    });

    test("generation 0 asks for no outcome; a lane beyond the region is unroutable", () => {
      const p = open();
      expect(p.publishOutcomes(outcomeFor(new Uint8Array(8), 1).bytes, 1)).toBe(0);
      const far = new Uint8Array([1, 0, 0, 0, 1, 0, 9, 0]); // lane 9 of 4, generation 1
      expect(p.publishOutcomes(outcomeFor(far, 1).bytes, 1)).toBe(0);
      expect(p.outcomeStats()).toMatchObject({ published: 0, unroutable: 1 });
    });

    test("with every lane held a claim answers BUSY; a released lane is claimed again", () => {
      const p = open();
      for (let i = 0; i < 4; i++) claim(p);
      expect(() => p.claimOutcomeLane()).toThrow(ZincError);
      const freed = lanes.pop()!;
      freed.release();
      expect(claim(p).lane).toBe(freed.lane);
    });
  });
}
