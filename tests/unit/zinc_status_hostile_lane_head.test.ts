/**
 * `ZincStatusReader.recent` (what `dita-v2 strategy-status` shows as recent refusals) on an
 * outcomes region whose lane header holds a head past 2^53 (a stray write into /dev/shm: lane
 * headers are not validated at open, and the writer keeps counting from whatever is there). Lane
 * positions are u64; counted in doubles, `pos++` stops moving past 2^53 and the scan never ended,
 * so the status tool meant to work when everything else is down hung at 100 % CPU. It must scan
 * at most the lane depth per lane and still find what the lane holds.
 * Real regions in /dev/shm under a unique prefix, removed after each test.
 */

import { expect, test } from "bun:test";
import type { DiagnosticRecord } from "../../src/contracts/index.ts";
import { OUTCOME_LANE_DEPTH, OutcomeBatch, ZincRegion, ZincStatusReader } from "../../src/zinc/index.ts";
import { writeU64 } from "../_support/files.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

const LANES = 2;
const regions = zincRegionsPerTest("status_lane_head");
const { libPath } = regions;

/** ffi/README.md §7: lane i's header at 128 + i * 64 (head u64 at +0, read u64 at +8). */
function writeLaneWord(path: string, lane: number, word: 0 | 8, value: bigint): void {
  writeU64(path, 128 + lane * 64 + word, value);
}

const refused: DiagnosticRecord = {
  code: "RISK_LIMIT",
  severity: "WARNING",
  slot_id: 0,
  message: "refused for the test",
  details: {},
  input_index: 0,
  now_ms: 1,
};

test("recent refusals on a lane whose head is past 2^53: a bounded scan that still finds the record", () => {
  const { prefix, plane } = regions.plane({ outcomeLanes: LANES });
  const lane = plane.claimOutcomeLane();
  regions.cleanup(() => lane.release());
  const path = `/dev/shm/${prefix}.outcomes`;
  const far = 1n << 60n;
  writeLaneWord(path, lane.lane, 0, far);
  writeLaneWord(path, lane.lane, 8, far);
  const batch = new OutcomeBatch(1);
  batch.add(lane.idBytes(1), {
    origin: "KERNEL",
    now_ms: 1_700_000_000_000,
    input_kind: 1,
    slot_id: 0,
    slot_version: 3,
    accepted: false,
    stage: 1,
    event_kind: 0,
    order_status: 0,
    diagnostics: [refused],
  });
  expect(plane.publishOutcomes(batch.bytes, 1)).toBe(1); // written at lane position 2^60

  const reader = ZincStatusReader.open({ libPath, prefix });
  regions.cleanup(() => reader.close());
  // The reader's libzinc binding is the one cached for this path: count its peeks, and stop a scan
  // that goes past what the lanes can hold (it would never end) with an error instead of a hang.
  const probe = ZincRegion.open({ libPath, prefix, kind: "outcomes", recordCount: 0, writer: false });
  regions.cleanup(() => probe.close());
  const lib = probe.lib as { zinc_outcome_peek: (...a: never[]) => number };
  const peek = lib.zinc_outcome_peek;
  let peeks = 0;
  lib.zinc_outcome_peek = (...a: never[]) => {
    if (++peeks > LANES * OUTCOME_LANE_DEPTH) throw new Error(`scan went past the lanes' depth (${peeks} peeks)`);
    return peek(...a);
  };
  regions.cleanup(() => {
    lib.zinc_outcome_peek = peek;
  });

  const recent = reader.recent(10);
  expect(recent.undecodable).toBe(0);
  expect(recent.refusals).toHaveLength(1);
  expect(recent.refusals[0]).toMatchObject({ lane: lane.lane, accepted: false, lane_position: 2 ** 60 });
  expect(recent.refusals[0]?.diagnostics[0]?.code).toBe("RISK_LIMIT");
});
