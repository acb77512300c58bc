/**
 * A journal segment whose header will not parse (src/kernel/segment_replay.ts, _segment_reader.ts,
 * `isTornSegmentHeader` in _segment_format.ts). The writer fsyncs a segment's 128-byte header before
 * it writes any frame, so a crash can tear a header only in a file no longer than the header: such a
 * last segment holds no entry and a start cuts it (removes it), as before. Any other unreadable header
 * — another format (a rollback from a newer build), one flipped header byte with frames after it, a
 * whole header-only file of another format — stops the walk with a `JournalError` naming the file and
 * why, before anything is replayed or cut, and leaves every file byte for byte as it was; the launcher
 * surfaces it as one `journal: cannot recover` line.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ExecutionKernel, JournalError, walkJournal } from "../../src/kernel/index.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { recoverJournal } from "../../src/launcher/journal_start.ts";
import { type JournalOptions, writeJournal } from "../_support/journal.ts";

const dirs: string[] = [];
const kernels: ExecutionKernel[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HEADER = 128;
const crc32 = (b: Uint8Array) => Bun.hash.crc32(b) >>> 0;

const journal = (o: JournalOptions = {}) => writeJournal({ dirs, kernels }, o);

/** Every file of `dir` with its bytes. */
const contents = (dir: string) => new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));

/** Rewrites segment `path`'s header: `edit` it, then re-seal its CRC unless `reseal` is false. */
function editHeader(path: string, edit: (b: Buffer) => void, reseal = true): void {
  const b = readFileSync(path);
  edit(b);
  if (reseal) b.writeUInt32LE(crc32(b.subarray(0, HEADER - 4)), HEADER - 4);
  writeFileSync(path, b);
}

function walk(dir: string, cut: boolean) {
  const lines: string[] = [];
  const r = walkJournal(dir, { cut, log: (l) => lines.push(l) });
  if (r === null) throw new Error("no snapshot");
  kernels.push(r.kernel);
  return { r, lines };
}

/** Every walk (from the newest or the oldest snapshot, with and without `cut`) refuses with `message`; no file changed. */
function expectRefusedUntouched(dir: string, message: RegExp): void {
  const before = contents(dir);
  for (const from of ["newest", "oldest"] as const)
    for (const cut of [true, false]) {
      expect(() => walkJournal(dir, { from, cut, log: () => {} })).toThrow(JournalError);
      expect(() => walkJournal(dir, { from, cut, log: () => {} })).toThrow(message);
      expect(contents(dir)).toEqual(before);
    }
}

describe("an unreadable header with frames after it is refused, never cut", () => {
  test("a last segment of format 2 (a rollback from a newer build) stops the walk and stays byte for byte", () => {
    const { dir, last } = journal();
    editHeader(last, (b) => b.writeUInt32LE(2, 8));
    expectRefusedUntouched(
      dir,
      /segment-000000000002\.bin: its header is unreadable \(segment format 2, this build reads 1\) and \d+ bytes follow it, so no crash tore it: left as it is/,
    );
  });

  test("a last segment with one flipped header byte (its CRC fails) stops the walk and stays byte for byte", () => {
    const { dir, last } = journal();
    editHeader(last, (b) => b.writeUInt8(b[100]! ^ 0x01, 100), false);
    expectRefusedUntouched(
      dir,
      /segment-000000000002\.bin: its header is unreadable \(segment header fails its CRC\) and \d+ bytes follow it/,
    );
  });

  test("a whole header-only segment of another format is no torn write either: refused, kept", () => {
    const { dir, last } = journal();
    writeFileSync(last, readFileSync(last).subarray(0, HEADER));
    editHeader(last, (b) => b.writeUInt32LE(2, 8));
    expectRefusedUntouched(dir, /its header is unreadable \(segment format 2, this build reads 1\) and it is whole/);
  });

  test("the refusal comes before anything is cut: an earlier run's torn tail (walked from the oldest) stays", () => {
    const first = journal();
    const torn = readFileSync(first.last);
    writeFileSync(first.last, torn.subarray(0, torn.length - 9)); // run 1 died mid-frame
    const second = journal({ dir: first.dir, index: 3, run: "fedcba9876543210" });
    editHeader(second.last, (b) => b.writeUInt32LE(2, 8));
    expectRefusedUntouched(first.dir, /segment-000000000004\.bin: its header is unreadable \(segment format 2/);
  });

  test("the launcher's start says `journal: cannot recover` and moves the journal aside whole, so this run's rotations never prune it", () => {
    const { dir, last } = journal();
    editHeader(last, (b) => b.writeUInt32LE(2, 8));
    const before = contents(dir);
    const lines: string[] = [];
    dirs.push(`${dir}.unrecovered-1`);
    const start = recoverJournal(loadConfig({ DITA_V2_STATE_DIR: dir }), (l) => lines.push(l), dir);
    expect(start.recovered).toBeNull();
    expect(start.nextIndex).toBe(1); // a new journal in a new directory
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^journal: cannot recover from .*segment-000000000002\.bin: its header is unreadable \(segment format 2, this build reads 1\)/,
    );
    expect(lines[1]).toContain(`moved aside whole to ${dir}.unrecovered-1`);
    expect(lines.some((l) => l.includes("\n"))).toBe(false);
    expect(contents(`${dir}.unrecovered-1`)).toEqual(before);
    expect(readdirSync(dir)).toEqual([]);
  });
});

test("a journal of another slot count is not recovered from, and is moved aside whole with every file", () => {
  const { dir } = journal(); // 8 slots
  const before = contents(dir);
  const lines: string[] = [];
  dirs.push(`${dir}.unrecovered-1`);
  const start = recoverJournal(loadConfig({ DITA_V2_STATE_DIR: dir, DITA_V2_SLOTS: "4" }), (l) => lines.push(l), dir);
  expect(start.recovered).toBeNull();
  expect(lines[0]).toContain("holds 8 slots, DITA_V2_SLOTS is 4: not recovered from it");
  expect(lines[1]).toContain(`moved aside whole to ${dir}.unrecovered-1`);
  expect(contents(`${dir}.unrecovered-1`)).toEqual(before);
  expect(readdirSync(dir)).toEqual([]);
});

describe("a torn header (a crash before the writer's header fsync) is still cut", () => {
  test("a last segment shorter than its header is removed with one line; the replay ends at its snapshot", () => {
    const { dir, last, atRotation } = journal();
    writeFileSync(last, readFileSync(last).subarray(0, 60));
    const seen = walk(dir, false);
    expect(seen.lines).toEqual([
      "journal: segment-000000000002.bin: its header is torn (header is 60 bytes, not 128): ignored (a crash mid-write)",
    ]);
    expect(existsSync(last)).toBe(true); // without `cut` a walk only reads
    const { r, lines } = walk(dir, true);
    expect(r.state_hash).toBe(atRotation);
    expect(r.torn).toEqual([{ segment: 2, offset: 0, bytes: -1 }]);
    expect(lines).toEqual([
      "journal: segment-000000000002.bin: its header is torn (header is 60 bytes, not 128): removed (a crash mid-write)",
    ]);
    expect(existsSync(last)).toBe(false);
  });

  test("an empty last segment, and one of 128 zero bytes (its data never reached the disk), are torn too", () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(HEADER)]) {
      const { dir, last, atRotation } = journal();
      writeFileSync(last, bytes);
      const { r, lines } = walk(dir, true);
      expect(r.state_hash).toBe(atRotation);
      expect(lines[0]).toMatch(/^journal: segment-000000000002\.bin: its header is torn \(.*\): removed/);
      expect(existsSync(last)).toBe(false);
    }
  });

  test("an intact journal replays to the live state (the edits above are what the walk refuses)", () => {
    const { dir, live } = journal();
    const { r, lines } = walk(dir, true);
    expect(r.state_hash).toBe(live);
    expect(lines).toEqual([]);
  });
});
