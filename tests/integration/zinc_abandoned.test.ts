/**
 * A producer that dies between claiming a ring cell and publishing it must not wedge the
 * consumer: a dead owner's cell is skipped at once and reported; a claim whose owner pid was
 * never written is fenced off after the stall bound; a live owner is waited for, never skipped
 * (its record would be torn), and reported as stalled.
 */

import { afterEach, expect, test } from "bun:test";
import { RealZincPlane } from "../../src/zinc/index.ts";
import {
  cleanupPrefixes,
  ensureLib,
  readLineMatching,
  spawnFixture,
  taggedRecord,
  uniquePrefix,
} from "./zinc_support.ts";

const libPath = ensureLib();
afterEach(cleanupPrefixes);

async function claimer(prefix: string, writeOwner: boolean) {
  const proc = spawnFixture("zinc_producer.ts", ["abandon", libPath, prefix, writeOwner ? "1" : "0"]);
  await readLineMatching(proc.stdout, /^claimed \d+$/);
  return proc;
}

function drainIds(plane: RealZincPlane): number[] {
  const ids: number[] = [];
  plane.drainIntents(100, (b) => ids.push(new DataView(b.buffer, b.byteOffset).getUint32(4, true)));
  return ids;
}

test("a producer killed after claiming a cell is skipped at once and reported as abandoned", async () => {
  const prefix = uniquePrefix("dead");
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 8 });
  plane.pushIntent(taggedRecord(1, 0));
  const proc = await claimer(prefix, true);
  plane.pushIntent(taggedRecord(1, 1));
  proc.kill(9);
  await proc.exited;
  expect(drainIds(plane)).toEqual([0, 1]);
  const stats = plane.ringStats();
  expect(stats.abandoned).toBe(1);
  expect(stats.lastAbandonedPid).toBe(proc.pid);
  expect(stats.head).toBe(stats.tail);
  plane.close();
});

test("a claim whose owner never wrote its pid is fenced off after the stall bound, then the ring works on", async () => {
  const prefix = uniquePrefix("unowned");
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 8 });
  plane.setStallMs(50);
  plane.pushIntent(taggedRecord(1, 0));
  const proc = await claimer(prefix, false);
  proc.kill(9);
  await proc.exited;
  plane.pushIntent(taggedRecord(1, 1));
  expect(drainIds(plane)).toEqual([0]); // stalled at the unowned claim, not wedged
  await Bun.sleep(80);
  expect(drainIds(plane)).toEqual([1]);
  expect(plane.ringStats().abandoned).toBe(1);
  for (let n = 2; n < 10; n++) expect(plane.pushIntent(taggedRecord(1, n))).toBe("OK");
  expect(drainIds(plane)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  plane.close();
});

test("a live producer holding an unpublished claim is waited for and reported as stalled, not skipped", async () => {
  const prefix = uniquePrefix("stalled");
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 8 });
  plane.setStallMs(10);
  const proc = await claimer(prefix, true);
  plane.pushIntent(taggedRecord(1, 0));
  await Bun.sleep(30);
  expect(drainIds(plane)).toEqual([]);
  expect(plane.ringStats().stalledPid).toBe(proc.pid);
  proc.kill(9);
  await proc.exited;
  expect(drainIds(plane)).toEqual([0]);
  expect(plane.ringStats()).toMatchObject({ abandoned: 1, stalledPid: 0, lastAbandonedPid: proc.pid });
  plane.close();
});
