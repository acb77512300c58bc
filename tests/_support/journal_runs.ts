/**
 * Two kernel lifetimes journaling into one directory (2 slots), for the recovery-edge tests: run A
 * journals segments 1 and 2 (ETH marks only in segment 2), then run B recovers from the directory
 * and journals segment 3 (snapshots 1..3, segments 1..3).
 *
 * Entry points: `liveJournal(kernels, dir, run, index, segmentBytes?, keep?)`, `twoRuns(kernels, dir)`,
 * `markInput`, `RUN_A`, `RUN_B`. Every kernel opened goes to `kernels`, for the test's cleanup.
 */

import { expect } from "bun:test";
import { readdirSync } from "node:fs";
import type { KernelInput } from "../../src/contracts/index.ts";
import { ExecutionKernel, SegmentJournal, walkJournal } from "../../src/kernel/index.ts";
import { T0 } from "./kernel.ts";

export const RUN_A = "0123456789abcdef";
export const RUN_B = "fedcba9876543210";

export const markInput = (asset: string, price: number, now_ms: number): KernelInput => ({
  type: "MARK_PRICE",
  asset,
  price,
  now_ms,
});

/** A live kernel of `run` journaling into `dir` from segment `index` on. */
export function liveJournal(
  kernels: ExecutionKernel[],
  dir: string,
  run: string,
  index: number,
  segmentBytes = 1 << 20,
  keep = 100,
) {
  const journal = new SegmentJournal({
    dir,
    segmentBytes,
    keep,
    run,
    strategy: "pink",
    slotCount: 2,
    activeSlotLimit: 2,
    hungOrderMs: 30_000,
  });
  const kernel = ExecutionKernel.open({ slotCount: 2, journal });
  kernels.push(kernel);
  return { journal, kernel, begin: () => journal.begin(kernel, index) };
}

/** Runs A then B into `dir` (see above); returns B's live state hash. */
export function twoRuns(kernels: ExecutionKernel[], dir: string): string {
  const a = liveJournal(kernels, dir, RUN_A, 1, 4096);
  a.begin();
  a.kernel.apply({ type: "SEED_CAPITAL", capital: 1_000, now_ms: T0 });
  let now = T0;
  while (a.journal.rotations < 1) {
    a.kernel.apply(markInput("BTC-USDT", 100 + (now % 7), ++now));
    a.journal.flush();
  }
  for (let i = 0; i < 5; i++) a.kernel.apply(markInput("ETH-USDT", 300 + i, ++now));
  a.journal.close();
  const r = walkJournal(dir, { cut: true, log: () => {} })!;
  const b = liveJournal(kernels, dir, RUN_B, r.nextIndex);
  expect(b.kernel.restoreSnapshot(r.kernel.snapshot()).ok).toBe(true);
  r.kernel.destroy();
  b.begin();
  b.kernel.apply(markInput("BTC-USDT", 5, ++now));
  b.journal.close();
  expect(readdirSync(dir).sort()).toEqual([
    "segment-000000000001.bin",
    "segment-000000000002.bin",
    "segment-000000000003.bin",
    "snapshot-000000000001.bin",
    "snapshot-000000000002.bin",
    "snapshot-000000000003.bin",
  ]);
  return b.kernel.stateHashHex();
}
