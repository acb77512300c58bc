/**
 * The intents ring's doorbell (ffi/src/doorbell.c, src/zinc/_doorbell.ts): a push that finds the
 * kernel asleep sends one byte to `/dev/shm/<prefix>.bell`, which wakes the kernel's event loop
 * directly. libzinc's side is checked against a listener of the test's own (rings only when
 * someone sleeps, reconnects to a restarted kernel, never fails a push); the kernel side by
 * moving the sequence with no futex wake at all, so only the bell can settle the wait.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { RealZincPlane, ZincIntentProducer, ZincRegion } from "../../src/zinc/index.ts";
import { cleanupPrefixes, ensureLib, uniquePrefix } from "./zinc_support.ts";

const lib = ensureLib();
afterAll(cleanupPrefixes);

const settle = (ms: number) => Bun.sleep(ms);

/** A listener at the prefix's bell path that counts the bytes it receives. */
function countingBell(prefix: string) {
  const got = { bytes: 0 };
  const listener = Bun.listen({
    unix: `/dev/shm/${prefix}.bell`,
    socket: {
      data: (_s, data) => {
        got.bytes += data.byteLength;
      },
    },
  });
  return { got, stop: () => listener.stop(true) };
}

/** The kernel side of a ring with no plane (so no doorbell of its own), and a producer. */
function ring(prefix: string) {
  const region = ZincRegion.open({ libPath: lib, prefix, kind: "intents", recordCount: 64, writer: true, spinUs: 0 });
  const producer = ZincIntentProducer.open({ libPath: lib, prefix });
  const push = () => expect(producer.push(new Uint8Array(320))).toBe("OK");
  return {
    push,
    /** Pushes once the ring's wait sleeps (its Worker in the futex); the sequence the wait ended on. */
    async pushWhileAsleep(sleepMs = 50): Promise<number> {
      const woke = region.wait(region.seq(), 2000);
      await settle(sleepMs);
      push();
      return woke;
    },
    close() {
      producer.close();
      region.close();
    },
  };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await settle(5);
}

describe("doorbell, libzinc's side", () => {
  test("a push rings the bell only while the kernel sleeps on the ring", async () => {
    const prefix = uniquePrefix("bell_sleep");
    const r = ring(prefix);
    const bell = countingBell(prefix);
    r.push(); // nobody sleeps: no byte
    await settle(50);
    expect(bell.got.bytes).toBe(0);
    await r.pushWhileAsleep();
    await until(() => bell.got.bytes > 0);
    expect(bell.got.bytes).toBe(1);
    bell.stop();
    r.close();
  });

  test("after the kernel's restart the next push rings the new kernel", async () => {
    const prefix = uniquePrefix("bell_restart");
    const r = ring(prefix);
    const first = countingBell(prefix);
    await r.pushWhileAsleep();
    await until(() => first.got.bytes > 0);
    first.stop(); // the kernel goes; a new one listens at the same path
    const second = countingBell(prefix);
    await r.pushWhileAsleep();
    await until(() => second.got.bytes > 0);
    expect(second.got.bytes).toBe(1);
    second.stop();
    r.close();
  });

  test("with no kernel listening (no socket, or a stale one) every push still succeeds", async () => {
    const prefix = uniquePrefix("bell_none");
    const r = ring(prefix);
    const stale = countingBell(prefix);
    stale.stop(); // leaves nothing listening at the path
    for (let i = 0; i < 3; i++) expect(await r.pushWhileAsleep(20)).toBe(i + 1); // the futex wake alone
    r.close();
  });
});

describe("doorbell, the kernel's side", () => {
  test("a ring settles the ring's wait by itself: the sequence moved with no futex wake", async () => {
    const prefix = uniquePrefix("bell_kick");
    const plane = RealZincPlane.open({ libPath: lib, prefix, slotCount: 1, ringCapacity: 64, waitSpinUs: 0 });
    expect(plane.doorbell).toBe(`/dev/shm/${prefix}.bell`);
    expect(statSync(plane.doorbell).mode & 0o777).toBe(0o600);
    const seq = plane.intentSeq();
    let resolved = false;
    const woke = plane.waitIntents(seq, 3000).then((s) => {
      resolved = true;
      return s;
    });
    await settle(50);
    const header = new BigUint64Array(Bun.mmap(`/dev/shm/${prefix}.intents`).buffer, 0, 8);
    Atomics.add(header, 2, 1n); // the sequence (offset 16) moves; the futex word and its sleeper do not
    await settle(100);
    expect(resolved).toBe(false); // nothing woke the Worker
    const socket = await Bun.connect({ unix: plane.doorbell, socket: { data() {} } });
    socket.write(new Uint8Array([1]));
    expect(await woke).toBe(seq + 1);
    expect(plane.bellRings).toBe(1);
    socket.end();
    plane.close();
    expect(() => statSync(`/dev/shm/${prefix}.bell`)).toThrow(); // removed with the plane
  });

  test("a prefix too long for a socket address has no doorbell, says why, and its waits still work", async () => {
    const prefix = `${uniquePrefix("bell_long")}_`.padEnd(100, "x"); // the longest prefix libzinc takes
    const plane = RealZincPlane.open({ libPath: lib, prefix, slotCount: 1, ringCapacity: 64, waitSpinUs: 0 });
    expect(plane.doorbell).toContain("longer than a socket address");
    const producer = ZincIntentProducer.open({ libPath: lib, prefix });
    const woke = plane.waitIntents(plane.intentSeq(), 2000);
    await settle(30);
    expect(producer.push(new Uint8Array(320))).toBe("OK");
    expect(await woke).toBe(1);
    producer.close();
    plane.close();
    for (const k of ["intents", "state", "outcomes"]) Bun.spawnSync(["rm", "-f", `/dev/shm/${prefix}.${k}`]);
  });
});
