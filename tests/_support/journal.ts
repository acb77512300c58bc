/**
 * A real segment journal for tests (src/kernel's SegmentJournal, 8 slots): run `run` writes segment
 * `index`, rotates once at 4 KiB of marks, then writes `frames` more frames of one mark each into its
 * last segment. With `unflushed`: one 64 MiB segment of that many marks and one flush (the writer
 * emits a frame whenever its payload reaches 1 MiB). The kernel and a new directory go to `track`,
 * for the test's cleanup.
 *
 * Entry point: `writeJournal(track, options)` → `{ dir, last, atRotation, live }`.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecutionKernel, SegmentJournal } from "../../src/kernel/index.ts";
import { T0 } from "./kernel.ts";

export interface JournalOptions {
  dir?: string;
  index?: number;
  run?: string;
  frames?: number;
  unflushed?: number;
}

export function writeJournal(track: { dirs: string[]; kernels: ExecutionKernel[] }, o: JournalOptions = {}) {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "dita-journal-"));
  if (o.dir === undefined) track.dirs.push(dir);
  const j = new SegmentJournal({
    dir,
    segmentBytes: o.unflushed === undefined ? 4096 : 64 << 20,
    keep: 8,
    run: o.run ?? "0123456789abcdef",
    strategy: "pink",
    slotCount: 8,
    activeSlotLimit: 8,
    hungOrderMs: 30_000,
  });
  const kernel = ExecutionKernel.open({ slotCount: 8, journal: j });
  track.kernels.push(kernel);
  j.begin(kernel, o.index ?? 1);
  let now = T0 + (o.index ?? 1) * 1_000_000;
  const mark = () => kernel.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 100 + (now % 97), now_ms: ++now });
  while (o.unflushed === undefined && j.rotations < 1) {
    mark();
    j.flush();
  }
  const atRotation = kernel.stateHashHex();
  const last = j.path;
  for (let f = 0; f < (o.frames ?? 10); f++) {
    mark();
    j.flush();
  }
  for (let i = 0; i < (o.unflushed ?? 0); i++) mark();
  j.close();
  return { dir, last, atRotation, live: kernel.stateHashHex() };
}
