/**
 * The order in which a segment journal's rotation makes things durable (src/kernel/segment_writer.ts,
 * _segment_files.ts), recorded through the journal's file-operations seam (`SegmentJournalOptions.fs`,
 * node:fs underneath). A power loss may keep any prefix of what was fsynced, so the order is the
 * crash-safety contract: the old segment's entries are durable before the snapshot that covers them,
 * the new snapshot and segment (and their names) before anything older is pruned.
 */

import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { JournalWriteError, walkJournal } from "../../src/kernel/index.ts";
import {
  marker,
  recordedJournalsPerTest,
  segmentFile as seg,
  snapshotFile as snap,
} from "../_support/journal_fs_recorder.ts";
import { T0 } from "../_support/kernel.ts";

const journals = recordedJournalsPerTest("dita-rotation-order-");

function journalWith(keep: number) {
  const dir = journals.tempDir();
  const { rec, journal, kernel } = journals.open(dir, "0123456789abcdef", { keep });
  journal.begin(kernel, 1);
  const mark = marker(kernel, T0);
  /** Marks and flushes until the flush that makes rotation `n`; the ops of that flush only. */
  const untilRotation = (n: number): string[] => {
    for (;;) {
      rec.ops.length = 0;
      mark();
      journal.flush();
      if (journal.rotations === n) return [...rec.ops];
    }
  };
  return { dir, journal, kernel, mark, untilRotation, rec };
}

describe("journal rotation durability order", () => {
  test("a rotation fsyncs the old segment before the new snapshot, fsyncs the directory before pruning, and again after", () => {
    const { dir, journal, kernel, untilRotation } = journalWith(2);
    untilRotation(1);
    const ops = untilRotation(2); // 2 → 3: snapshot 3 makes snapshot 1 and segment 1 older than the keep 2 newest
    expect(ops).toEqual([
      `write ${seg(2)}`, // the flush's frame
      `fsync ${seg(2)}`, // 1. every entry snapshot 3 covers is durable
      `write ${snap(3)}.tmp`, // 2. the new snapshot, then the new segment, each fsynced
      `fsync ${snap(3)}.tmp`,
      `rename ${snap(3)}.tmp -> ${snap(3)}`,
      `write ${seg(3)}`,
      `fsync ${seg(3)}`,
      "fsync dir", // 3. their names are durable
      `unlink ${seg(1)}`, // 4. only then the older files go
      `unlink ${snap(1)}`,
      "fsync dir",
    ]);
    const live = kernel.stateHashHex();
    journal.close();
    const walked = walkJournal(dir, { log: () => {} })!;
    journals.track(walked.kernel);
    expect(walked.snapshot).toBe(3); // recovery starts from the newest snapshot
    expect(walked.kernel.stateHashHex()).toBe(live);
  });

  test("an old segment whose fsync the disk refuses gets no snapshot after it; the next flush rotates", () => {
    const { dir, journal, kernel, mark, rec } = journalWith(4);
    rec.refuse.add(`fsync ${seg(1)}`);
    let refused: unknown = null;
    while (refused === null) {
      mark();
      try {
        journal.flush();
      } catch (e) {
        refused = e;
      }
      expect(journal.rotations).toBe(0); // no rotation counted past an old segment that is not durable
    }
    expect(refused).toBeInstanceOf(JournalWriteError);
    expect((refused as Error).message).toMatch(/segment-000000000001\.bin: fsync refused \(EIO/);
    expect(readdirSync(dir).sort()).toEqual([seg(1), snap(1)]); // no snapshot 2 ahead of segment 1's tail
    rec.ops.length = 0;
    mark();
    journal.flush();
    expect(journal.rotations).toBe(1);
    expect(rec.ops.slice(0, 3)).toEqual([`write ${seg(1)}`, `fsync ${seg(1)}`, `write ${snap(2)}.tmp`]);
    const live = kernel.stateHashHex();
    journal.close();
    const walked = walkJournal(dir, { log: () => {} })!;
    journals.track(walked.kernel);
    expect(walked.snapshot).toBe(2);
    expect(walked.kernel.stateHashHex()).toBe(live);
  });
});
