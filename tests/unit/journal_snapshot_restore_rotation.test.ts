/**
 * A snapshot restore of a journaled kernel (src/kernel/segment_writer.ts, `snapshotRestored`) must
 * start a segment of its own: the entries after it apply to the restored state, never to the state
 * the current segment replays to. When that segment cannot be made (disk full, a squatter on the
 * snapshot's name), nothing after the restore may land in the current segment: the journal is
 * behind (no entry order leaves) until the rotation is made, and the directory then replays to the
 * live state.
 */

import { afterEach, expect, test } from "bun:test";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ExecutionKernel,
  exportJournal,
  JournalWriteError,
  SegmentJournal,
  walkJournal,
} from "../../src/kernel/index.ts";
import { T0 } from "../_support/kernel.ts";

const dirs: string[] = [];
const kernels: ExecutionKernel[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function live() {
  const dir = mkdtempSync(join(tmpdir(), "dita-snaprot-"));
  dirs.push(dir);
  const logs: string[] = [];
  const journal = new SegmentJournal({
    dir,
    segmentBytes: 1 << 20,
    keep: 4,
    run: "0123456789abcdef",
    strategy: "pink",
    slotCount: 2,
    activeSlotLimit: 2,
    hungOrderMs: 30_000,
    log: (l) => logs.push(l),
  });
  const kernel = ExecutionKernel.open({ slotCount: 2, journal });
  kernels.push(kernel);
  journal.begin(kernel, 1);
  return { dir, journal, kernel, logs };
}

const mark = (asset: string, price: number, now_ms: number) => ({ type: "MARK_PRICE", asset, price, now_ms }) as const;

test("a snapshot restore whose segment cannot be made keeps the entries after it out of the current segment; made later, the journal replays to the live state", () => {
  const { dir, journal, kernel, logs } = live();
  kernel.apply({ type: "SEED_CAPITAL", capital: 1_000, now_ms: T0 });
  const older = kernel.snapshot();
  for (let i = 1; i <= 5; i++) kernel.apply(mark("BTC-USDT", 100 + i, T0 + i));
  journal.flush();
  mkdirSync(join(dir, "snapshot-000000000002.bin/held"), { recursive: true }); // its rename is refused
  expect(kernel.restoreSnapshot(older).ok).toBe(true);
  kernel.apply(mark("ETH-USDT", 300, T0 + 10));
  expect(() => journal.flush()).toThrow(JournalWriteError); // the guard halts trading on it
  expect(journal.behind).toBe(true); // the restore is in no segment yet: no entry order may leave
  expect(logs).toEqual([]);
  rmSync(join(dir, "snapshot-000000000002.bin"), { recursive: true });
  kernel.apply(mark("ETH-USDT", 301, T0 + 11));
  journal.flush();
  expect(journal.behind).toBe(false);
  expect(journal.rotations).toBe(1);
  journal.close();
  const oldest = walkJournal(dir, { from: "oldest", log: () => {} })!;
  kernels.push(oldest.kernel);
  const newest = walkJournal(dir, { log: () => {} })!;
  kernels.push(newest.kernel);
  expect([oldest.state_hash, newest.state_hash]).toEqual([kernel.stateHashHex(), kernel.stateHashHex()]);
});

test("a snapshot restore while the disk refuses writes does not throw out of the restore; the restored state reaches its own segment once writes work", () => {
  const { dir, journal, kernel } = live();
  kernel.apply({ type: "SEED_CAPITAL", capital: 1_000, now_ms: T0 });
  const older = kernel.snapshot();
  for (let i = 1; i <= 5; i++) kernel.apply(mark("BTC-USDT", 100 + i, T0 + i));
  // The segment's writes fail with ENOSPC: its fd is swapped for /dev/full's while the disk is "full".
  const inner = journal as unknown as { fd: number };
  const segmentFd = inner.fd;
  inner.fd = openSync("/dev/full", "w");
  expect(kernel.restoreSnapshot(older).ok).toBe(true);
  kernel.apply(mark("ETH-USDT", 300, T0 + 10));
  expect(journal.behind).toBe(true);
  closeSync(inner.fd);
  inner.fd = segmentFd;
  kernel.apply(mark("ETH-USDT", 301, T0 + 11));
  journal.flush();
  expect(journal.behind).toBe(false);
  journal.close();
  const oldest = walkJournal(dir, { from: "oldest", log: () => {} })!;
  kernels.push(oldest.kernel);
  expect(oldest.state_hash).toBe(kernel.stateHashHex());
  const seqs: number[] = []; // the entries before the restore all reached segment 1, none after it
  exportJournal(dir, { from: "oldest", log: () => {} }, (l) => {
    const e = JSON.parse(l);
    if (e.seq !== undefined) seqs.push(e.seq);
  });
  expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);
});
