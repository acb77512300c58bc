/**
 * A ring waited on with `spinTurns` (serve's DITA_V2_RING_WAIT=SPIN, src/zinc/_waiter.ts): the wait
 * busy-waits in libzinc a slice per event-loop turn, so a push is seen while the loop keeps
 * running other work between slices, and a wait with nothing pushed still ends at its timeout
 * (not after its turns are used up).
 */

import { afterAll, describe, expect, test } from "bun:test";
import { ZincIntentProducer, ZincRegion } from "../../src/zinc/index.ts";
import { cleanupPrefixes, ensureLib, uniquePrefix } from "./zinc_support.ts";

const lib = ensureLib();
afterAll(cleanupPrefixes);

function spinningRing() {
  const prefix = uniquePrefix("spin");
  const region = ZincRegion.open({
    libPath: lib,
    prefix,
    kind: "intents",
    recordCount: 64,
    writer: true,
    spinTurns: 100_000,
    spinUs: 0,
  });
  const producer = ZincIntentProducer.open({ libPath: lib, prefix });
  const close = () => {
    producer.close();
    region.close();
  };
  return { region, producer, close };
}

describe("a ring wait that spins per event-loop turn", () => {
  test("sees a push made from a timer while it spins: the loop ran between slices", async () => {
    const r = spinningRing();
    try {
      const before = r.region.seq();
      setTimeout(() => r.producer.push(new Uint8Array(320)), 20);
      const after = await r.region.wait(before, 2000);
      expect(after).toBe(before + 1);
    } finally {
      r.close();
    }
  });

  test("with nothing pushed it ends at its timeout, not after 100k slices", async () => {
    const r = spinningRing();
    try {
      const before = r.region.seq();
      const t0 = performance.now();
      expect(await r.region.wait(before, 30)).toBe(before);
      expect(performance.now() - t0).toBeLessThan(1000); // 100k slices of 20 µs would be 2 s
    } finally {
      r.close();
    }
  });

  test("a timeout out of range is refused before any spin", async () => {
    const r = spinningRing();
    try {
      await expect(r.region.wait(r.region.seq(), 1.5)).rejects.toThrow(/timeoutMs out of range/);
    } finally {
      r.close();
    }
  });
});
