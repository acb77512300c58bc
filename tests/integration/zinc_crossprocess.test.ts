/**
 * Zinc across real processes: four producer processes feeding one consumer through
 * /dev/shm, and a reader process hammering the seqlocked state region while this process
 * rewrites it.
 */

import { afterEach, expect, test } from "bun:test";
import { RealZincPlane } from "../../src/zinc/index.ts";
import {
  cleanupPrefixes,
  ensureLib,
  patternedSlot,
  recordIsIntact,
  spawnFixture,
  uniquePrefix,
} from "./zinc_support.ts";

const libPath = ensureLib();
afterEach(cleanupPrefixes);

test("4 producer processes x 10,000 records each arrive exactly once, in per-producer order", async () => {
  const prefix = uniquePrefix("mpsc");
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 1024 });
  const producers = [1, 2, 3, 4].map((id) =>
    spawnFixture("zinc_producer.ts", ["push", libPath, prefix, String(id), "10000"]),
  );
  const next = new Map<number, number>([
    [1, 0],
    [2, 0],
    [3, 0],
    [4, 0],
  ]);
  let total = 0;
  let bad = 0;
  let exited = false;
  Promise.all(producers.map((p) => p.exited)).then(() => (exited = true));
  for (let round = 0; round < 200_000 && total < 40_000; round++) {
    const seq = plane.intentSeq();
    total += plane.drainIntents(4096, (rec) => {
      const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      const id = dv.getUint32(0, true);
      if (next.get(id) !== dv.getUint32(4, true) || !recordIsIntact(rec)) bad += 1;
      next.set(id, (next.get(id) ?? 0) + 1);
    });
    if (total < 40_000 && !(exited && plane.ringStats().head === plane.ringStats().tail))
      await plane.waitIntents(seq, 200);
    else if (total < 40_000) break;
  }
  const codes = await Promise.all(producers.map((p) => p.exited));
  plane.close();
  expect(codes).toEqual([0, 0, 0, 0]);
  expect(bad).toBe(0);
  expect(total).toBe(40_000);
  expect([...next.values()]).toEqual([10_000, 10_000, 10_000, 10_000]);
}, 60_000);

/** A writer rewriting every slot image while a reader process reads them with `mode`. */
async function hammer(mode: "seqlock" | "raw", tag: string) {
  const prefix = uniquePrefix(tag);
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 8 });
  const slots = new Uint8Array(4 * 448);
  const all = new BigUint64Array([0xfn, 0n, 0n, 0n]);
  const account = new Uint8Array(96);
  const publish = (fill: number): void => {
    for (let i = 0; i < 4; i++) slots.set(patternedSlot(i, fill), i * 448);
    plane.publishState(slots, all, account, BigInt(fill));
  };
  publish(1);
  const reader = spawnFixture("zinc_state_hammer.ts", [libPath, prefix, "400000", mode]);
  let writes = 0;
  let done = false;
  reader.exited.then(() => (done = true));
  // Write in bursts, yielding between them so the reader's exit is noticed (bounded: 20,000 bursts).
  for (let burst = 0; burst < 20_000 && !done; burst++) {
    for (let k = 0; k < 200; k++) publish(writes++ & 0xff);
    await Bun.sleep(0);
  }
  expect(await reader.exited).toBe(0);
  const result = JSON.parse(await new Response(reader.stdout).text()) as {
    reads: number;
    torn: number;
    distinctFills: number;
  };
  plane.close();
  expect(result.reads).toBe(400_000);
  expect(result.distinctFills).toBeGreaterThan(10); // the reader really raced the writer
  expect(writes).toBeGreaterThan(1000);
  return result;
}

test("a reader process hammering the state region never sees a torn slot image", async () => {
  expect((await hammer("seqlock", "hammer")).torn).toBe(0);
}, 60_000);

test("canary: the same hammer reading without the seqlock does see torn images (the check can fail)", async () => {
  const raw = await hammer("raw", "hammerraw");
  console.log(`canary: ${raw.torn} torn images in ${raw.reads} raw reads`);
  expect(raw.torn).toBeGreaterThan(0);
}, 60_000);
