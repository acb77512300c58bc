/**
 * The kernel's doorbell (`/dev/shm/<prefix>.bell`) holds a bounded number of connections: a
 * producer process that leaks handles (each keeps one connection) cannot take the kernel's file
 * descriptors, which its venue sockets and journal segments need. A connection past the bound is
 * closed at once (that producer is still heard through the futex); once connections go away, a
 * new producer's ring is heard again. Real regions in /dev/shm under a unique prefix.
 */

import { afterEach, expect, test } from "bun:test";
import { existsSync, readdirSync, unlinkSync } from "node:fs";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { DOORBELL_CONNECTIONS_MAX } from "../../src/zinc/_doorbell.ts";
import { RealZincPlane, ZincIntentProducer } from "../../src/zinc/index.ts";

const libPath = nativeLibraryPath("zinc");
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

const openFds = () => readdirSync("/proc/self/fd").length;

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; !cond() && waited < ms; waited += 10) await Bun.sleep(10);
  return cond();
}

test("connections past the doorbell's bound are closed; the bell still rings afterwards", async () => {
  const prefix = `dita_test_bell_conns_${process.pid}`;
  const plane = RealZincPlane.open({ libPath, prefix, slotCount: 2, ringCapacity: 64, waitSpinUs: 0 });
  cleanups.push(() => {
    plane.close();
    for (const k of ["intents", "state", "outcomes", "bell"])
      if (existsSync(`/dev/shm/${prefix}.${k}`)) unlinkSync(`/dev/shm/${prefix}.${k}`);
  });
  expect(plane.doorbell).toBe(`/dev/shm/${prefix}.bell`);
  const before = openFds();
  const held = DOORBELL_CONNECTIONS_MAX + 300;
  // Another process opens `held` connections and keeps them until its stdin closes.
  const holder = Bun.spawn(
    [
      "python3",
      "-c",
      `import socket, sys
keep = []
for _ in range(${held}):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    keep.append(s)
print("held", flush=True)
sys.stdin.read()`,
      plane.doorbell,
    ],
    { stdin: "pipe", stdout: "pipe" },
  );
  cleanups.push(() => holder.kill());
  const reader = holder.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain("held");
  reader.releaseLock();
  await Bun.sleep(200); // the kernel's loop accepts what is queued
  expect(openFds() - before).toBeLessThanOrEqual(DOORBELL_CONNECTIONS_MAX + 8);
  holder.stdin.end();
  await holder.exited;
  expect(await until(() => openFds() - before <= 8, 2000)).toBe(true);
  // A producer's push that finds the kernel asleep still rings it.
  const producer = ZincIntentProducer.open({ libPath, prefix });
  cleanups.push(() => producer.close());
  const woke = plane.waitIntents(plane.intentSeq(), 2000);
  await Bun.sleep(50);
  expect(producer.push(new Uint8Array(320))).toBe("OK");
  await woke;
  expect(await until(() => plane.bellRings > 0, 2000)).toBe(true);
});
