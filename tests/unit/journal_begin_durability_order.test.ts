/**
 * The order in which a start makes the journal durable (src/kernel/segment_writer.ts `begin`,
 * _segment_files.ts; the launcher's recoverJournal/adoptJournal), recorded through the journal's
 * file-operations seam (`SegmentJournalOptions.fs`, node:fs underneath). A crashed run's last segment
 * was written and never fsynced (the page cache held it), and a recovery may have cut a torn tail off
 * it. The start's snapshot supersedes that segment, and a power loss may keep any prefix of what was
 * fsynced: unless the segment (and its cut) is fsynced first, the snapshot can survive without the
 * segment's tail, which the projection's catch-up and the journal exports still read. The writer
 * never appends to a cut segment: a start opens a new one after it.
 */

import { describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync, statSync } from "node:fs";
import { walkJournal } from "../../src/kernel/index.ts";
import { adoptJournal } from "../../src/launcher/journal_start.ts";
import {
  marker,
  recordedJournalsPerTest,
  segmentFile as seg,
  snapshotFile as snap,
} from "../_support/journal_fs_recorder.ts";
import { T0 } from "../_support/kernel.ts";

const journals = recordedJournalsPerTest("dita-begin-order-");

/** Run A: begins segment 1, rotates `rotations` times, writes 5 more frames (flushed, never fsynced), and dies. */
function crashedRun(rotations: number) {
  const dir = journals.tempDir();
  const { rec, journal, kernel } = journals.open(dir, "aaaaaaaaaaaaaaaa");
  journal.begin(kernel, 1);
  const mark = marker(kernel, T0);
  while (journal.rotations < rotations) {
    mark();
    journal.flush();
  }
  rec.ops.length = 0;
  for (let f = 0; f < 5; f++) {
    mark();
    journal.flush();
  }
  expect(rec.ops.filter((op) => op.startsWith("fsync"))).toEqual([]); // the crash's tail: written, not fsynced
  for (const fd of [...rec.open.keys()]) rec.fs.closeSync(fd); // the process died: its fds close, nothing is fsynced
  return { dir, last: journal.path, live: kernel.stateHashHex() };
}

/** Run B: the launcher's start (walk with `cut`, adopt, begin without pruning), its file operations recorded. */
function restart(dir: string, refuse: string[] = []) {
  const lines: string[] = [];
  const walked = walkJournal(dir, { cut: true, log: (l) => lines.push(l) });
  if (walked === null) throw new Error("test setup: no snapshot");
  const { rec, journal, kernel } = journals.open(dir, "bbbbbbbbbbbbbbbb", { refuse });
  const start = { dir, nextIndex: walked.nextIndex, recovered: walked, aside: null };
  adoptJournal(kernel, journal, start, (l) => lines.push(l));
  return { journal, kernel, ops: rec.ops, lines, walked };
}

const newSegment = (i: number) => [
  `write ${snap(i)}.tmp`,
  `fsync ${snap(i)}.tmp`,
  `rename ${snap(i)}.tmp -> ${snap(i)}`,
  `write ${seg(i)}`,
  `fsync ${seg(i)}`,
  "fsync dir",
];

describe("journal begin durability order", () => {
  test("a start after a crash fsyncs the crashed run's last segment before the snapshot that supersedes it", () => {
    const { dir, live } = crashedRun(1);
    const { ops, kernel, walked } = restart(dir);
    expect(walked.torn).toEqual([]);
    expect(kernel.stateHashHex()).toBe(live);
    expect(ops).toEqual([`fsync ${seg(2)}`, ...newSegment(3)]);
  });

  test("a start that cut a torn tail fsyncs the cut segment before its snapshot, and never appends to it", () => {
    const { dir, last, live } = crashedRun(0);
    const whole = statSync(last).size;
    appendFileSync(last, new Uint8Array(37).fill(0xa5)); // a frame the crash tore
    const { ops, kernel, journal, lines, walked } = restart(dir);
    expect(walked.torn).toEqual([{ segment: 1, offset: whole, bytes: 37 }]);
    expect(lines.some((l) => l.includes(`${seg(1)}: a torn tail of 37 bytes`) && l.includes("cut at byte"))).toBe(true);
    expect(kernel.stateHashHex()).toBe(live);
    expect(ops).toEqual([`fsync ${seg(1)}`, ...newSegment(2)]); // the cut is durable before snapshot 2
    ops.length = 0;
    const mark = marker(kernel, T0 + 1_000_000);
    while (journal.rotations < 1) {
      mark();
      journal.flush();
    }
    expect(ops.filter((op) => op.includes(seg(1)))).toEqual([]); // new frames go to segment 2 on, never after the cut
    expect(statSync(last).size).toBe(whole);
    const after = kernel.stateHashHex();
    journal.close();
    const replayed = walkJournal(dir, { from: "oldest", log: () => {} })!;
    journals.track(replayed.kernel);
    expect(replayed.torn).toEqual([]);
    expect(replayed.kernel.stateHashHex()).toBe(after);
  });

  test("a start whose fsync of the crashed run's last segment the disk refuses fails, naming it, and makes no snapshot", () => {
    const { dir } = crashedRun(1);
    const before = readdirSync(dir).sort();
    expect(() => restart(dir, [`fsync ${seg(2)}`])).toThrow(
      new RegExp(`cannot begin segment 3 in .*: .*${seg(2)}: fsync refused \\(EIO`),
    );
    expect(readdirSync(dir).sort()).toEqual(before); // no snapshot 3 ahead of segment 2's tail
  });

  test("a first start (an empty directory) fsyncs no older segment", () => {
    const { rec, journal, kernel } = journals.open(journals.tempDir(), "cccccccccccccccc");
    journal.begin(kernel, 1);
    expect(rec.ops).toEqual(newSegment(1));
    journal.close();
  });
});
