/**
 * A missing segment is bridged only by a snapshot after it that the walk can read (src/kernel/segment_replay.ts,
 * `checkpoint`). When that snapshot's header cannot be read — here an older snapshot copied over its name, which
 * `readSnapshotHeader` refuses — the replay stops naming both, instead of passing the snapshot by and applying
 * the later segments to the state before the gap (a recovered kernel that never existed live).
 */

import { afterEach, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelInput } from "../../src/contracts/index.ts";
import { ExecutionKernel, JournalError, SegmentJournal, walkJournal } from "../../src/kernel/index.ts";
import { T0 } from "../_support/kernel.ts";

const dirs: string[] = [];
const kernels: ExecutionKernel[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const mark = (asset: string, price: number, now_ms: number): KernelInput => ({
  type: "MARK_PRICE",
  asset,
  price,
  now_ms,
});

/** A live kernel of `run` journaling into `dir` from segment `index` on. */
function live(dir: string, run: string, index: number, segmentBytes: number) {
  const journal = new SegmentJournal({
    dir,
    segmentBytes,
    keep: 100,
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

/** Run A journals segments 1 and 2 (ETH marks only in 2); run B recovers and journals segment 3. */
function twoRuns(dir: string): string {
  const a = live(dir, "0123456789abcdef", 1, 4096);
  a.begin();
  a.kernel.apply({ type: "SEED_CAPITAL", capital: 1_000, now_ms: T0 });
  let now = T0;
  while (a.journal.rotations < 1) {
    a.kernel.apply(mark("BTC-USDT", 100 + (now % 7), ++now));
    a.journal.flush();
  }
  for (let i = 0; i < 5; i++) a.kernel.apply(mark("ETH-USDT", 300 + i, ++now));
  a.journal.close();
  const r = walkJournal(dir, { cut: true, log: () => {} })!;
  const b = live(dir, "fedcba9876543210", r.nextIndex, 1 << 20);
  expect(b.kernel.restoreSnapshot(r.kernel.snapshot()).ok).toBe(true);
  r.kernel.destroy();
  b.begin();
  b.kernel.apply(mark("BTC-USDT", 5, ++now));
  b.journal.close();
  expect(readdirSync(dir).filter((f) => f.startsWith("snapshot-"))).toHaveLength(3);
  return b.kernel.stateHashHex();
}

describe("segment journal walk: a gap bridged by an unreadable snapshot", () => {
  test("a missing segment whose next snapshot's header is refused stops the replay naming both, instead of replaying the later segments onto the older state", () => {
    const dir = mkdtempSync(join(tmpdir(), "dita-gap-"));
    dirs.push(dir);
    const liveHash = twoRuns(dir);
    rmSync(join(dir, "segment-000000000002.bin"));
    copyFileSync(join(dir, "snapshot-000000000002.bin"), join(dir, "snapshot-000000000003.bin"));
    const lines: string[] = [];
    let replayed: string | null = null;
    let error: unknown = null;
    try {
      const r = walkJournal(dir, { log: (l) => lines.push(l) })!;
      kernels.push(r.kernel);
      replayed = r.state_hash;
    } catch (e) {
      error = e;
    }
    expect(replayed).toBeNull(); // not run B's segment applied without segment 2's ETH marks
    expect(replayed).not.toBe(liveHash);
    expect(error).toBeInstanceOf(JournalError);
    expect((error as Error).message).toMatch(
      /: segment 2 is missing and snapshot-000000000003\.bin after it is refused \(its header names snapshot 2\): the segments after it are not replayed onto an older state$/,
    );
    expect(lines).toEqual([
      "journal: snapshot-000000000003.bin refused: its header names snapshot 2; trying snapshot-000000000002.bin",
    ]);
  });
});
