/**
 * `dita-v2 strategy-status` lists the outcome lanes a producer claimed; a producer that died without
 * releasing its lane left its owner word behind, and the listing showed "lanes 1/2 held" next to two
 * lanes with a pid each, not saying which owner was gone. Each listed lane now carries libzinc's own
 * judgement of its owner (`zinc_owner_alive`: pid and start time, as `lanes_owned` counts), and the
 * text marks a dead one. Real regions in /dev/shm under a unique prefix, removed after each test.
 */

import { expect, test } from "bun:test";
import { ZincStatusReader } from "../../src/zinc/index.ts";
import { writeU64 } from "../_support/files.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

const regions = zincRegionsPerTest("status_dead_owner");
const { libPath } = regions;

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const p = Bun.spawnSync(["true"]);
  expect(p.exitCode).toBe(0);
  return p.pid;
}

test("a lane whose owner died is listed with owner_alive false, a live owner's with true, and lanes_owned counts the live one", () => {
  const { prefix, plane } = regions.plane({ outcomeLanes: 2 });
  const lane = plane.claimOutcomeLane();
  regions.cleanup(() => lane.release());
  const other = lane.lane === 0 ? 1 : 0;
  // ffi/README.md §7: lane i's header at 128 + i * 64, owner word at +16 (start time low 32 bits << 32 | pid; 0 = pid only).
  writeU64(`/dev/shm/${prefix}.outcomes`, 128 + other * 64 + 16, BigInt(deadPid()));

  const reader = ZincStatusReader.open({ libPath, prefix });
  regions.cleanup(() => reader.close());
  const o = reader.outcomes();
  expect(o.lanesOwned).toBe(1);
  const byLane = new Map(o.laneHeaders.map((h) => [h.lane, h]));
  expect(byLane.get(lane.lane)).toMatchObject({ ownerPid: process.pid, ownerAlive: true });
  expect(byLane.get(other)?.ownerAlive).toBe(false);
  expect(byLane.get(other)?.ownerPid).not.toBe(0);
});
