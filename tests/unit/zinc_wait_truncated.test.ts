/**
 * A wait on a region whose file was truncated under the mapping (libzinc answers TRUNCATED, -11,
 * for the sequence and for the futex wait): no change can be seen, so the wait sleeps to its
 * timeout and answers the unchanged sequence. It neither resolves at once with the error code
 * (a serve loop that waits again would spin) nor bounces between the Worker (whose `zinc_wait`
 * returns -11 at once) and the main thread, burning a core for the whole wait.
 * Real regions in /dev/shm under a unique prefix, removed after each test.
 */

import { afterEach, expect, test } from "bun:test";
import { existsSync, statSync, unlinkSync } from "node:fs";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { ZincRegion } from "../../src/zinc/index.ts";
import { resizeFile } from "../_support/files.ts";

const libPath = nativeLibraryPath("zinc");
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

let counter = 0;
function truncatedRegion(spinTurns: number): { region: ZincRegion; seq: number } {
  const prefix = `dita_test_wait_trunc_${process.pid}_${++counter}`;
  const region = ZincRegion.open({ libPath, prefix, kind: "control", recordCount: 64, writer: true, spinTurns });
  const path = `/dev/shm/${prefix}.control`;
  const size = statSync(path).size;
  cleanups.push(() => {
    resizeFile(path, size); // libzinc's close writes the header: give the mapping its pages back first
    region.close();
    if (existsSync(path)) unlinkSync(path);
  });
  const seq = region.seq();
  resizeFile(path, 0);
  return { region, seq };
}

/** Two waits back to back, as a serve loop does: wall time, CPU time, and what each answered. */
async function twoWaits(region: ZincRegion, seq: number, timeoutMs: number) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const first = await region.wait(seq, timeoutMs);
  const second = await region.wait(first, timeoutMs);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { first, second, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

for (const spinTurns of [0, 50]) {
  test(`a wait on a truncated region sleeps to its timeout and answers the unchanged sequence (spinTurns ${spinTurns})`, async () => {
    const { region, seq } = truncatedRegion(spinTurns);
    const w = await twoWaits(region, seq, 300);
    expect([w.first, w.second]).toEqual([seq, seq]);
    expect(w.wallMs).toBeGreaterThanOrEqual(550);
    expect(w.cpuMs).toBeLessThan(w.wallMs / 2);
  });
}
