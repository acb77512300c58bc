/**
 * A journal frame that fails its checks with an intact frame after it (src/kernel/_segment_reader.ts,
 * segment_replay.ts). The writer appends one frame per write and never rewrites, so a crash can leave
 * only the last frame short, with no complete frame after it: that torn tail is cut, as before. A
 * flipped payload byte, a corrupted length field or a flipped magic in an early frame, with intact
 * frames after it, is damage: the walk stops with a `JournalError` naming the file, the failing byte
 * and the intact frame's, and every file stays byte for byte (before the fix it was cut as a torn
 * tail, silently dropping every acknowledged input after it). The launcher moves such a journal aside.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
const FRAME_HEADER = 24;

const journal = (o: JournalOptions = {}) => writeJournal({ dirs, kernels }, o);

/** The offsets of the frames of segment `path`, parsed from their length fields. */
function frameOffsets(path: string): number[] {
  const b = readFileSync(path);
  const at: number[] = [];
  for (let p = HEADER; p + FRAME_HEADER <= b.length; p += FRAME_HEADER + b.readUInt32LE(p + 4)) at.push(p);
  return at;
}

/** Rewrites the file at `path` through `edit`. */
function edit(path: string, e: (b: Buffer) => Buffer | undefined): void {
  const b = readFileSync(path);
  writeFileSync(path, e(b) ?? b);
}

/** Every file of `dir` with its bytes. */
const contents = (dir: string) => new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));

/** Every walk (`from` each of `starts`, with and without `cut`) refuses with `message`; no file changed. */
function expectRefusedUntouched(
  dir: string,
  message: RegExp,
  starts: Array<"newest" | "oldest"> = ["newest", "oldest"],
) {
  const before = contents(dir);
  for (const from of starts)
    for (const cut of [true, false]) {
      expect(() => walkJournal(dir, { from, cut, log: () => {} })).toThrow(JournalError);
      expect(() => walkJournal(dir, { from, cut, log: () => {} })).toThrow(message);
      expect(contents(dir)).toEqual(before);
    }
}

function walk(dir: string) {
  const lines: string[] = [];
  const r = walkJournal(dir, { cut: true, log: (l) => lines.push(l) });
  if (r === null) throw new Error("no snapshot");
  kernels.push(r.kernel);
  return { r, lines };
}

describe("a failing frame with an intact frame after it is corruption: refused, never cut", () => {
  test("one flipped payload byte in frame #2 of a 10-frame last segment stops the walk; every file stays", () => {
    const { dir, last } = journal();
    const at = frameOffsets(last);
    expect(at).toHaveLength(10);
    edit(last, (b) => {
      b[at[1]! + FRAME_HEADER + 16]! ^= 0x01;
      return b;
    });
    expectRefusedUntouched(
      dir,
      new RegExp(
        `segment-000000000002\\.bin: a frame that fails its CRC at byte ${at[1]}, and an intact frame follows at byte ${at[2]}: corrupt, not a torn write; left as it is`,
      ),
    );
  });

  test("a length field of frame #2 that claims past the end of the file stops the walk; every file stays", () => {
    const { dir, last } = journal();
    const at = frameOffsets(last);
    edit(last, (b) => {
      b.writeUInt32LE(1 << 20, at[1]! + 4);
      return b;
    });
    expectRefusedUntouched(
      dir,
      new RegExp(
        `segment-000000000002\\.bin: a frame of 1048576 bytes that runs past the end of the file at byte ${at[1]}, and an intact frame follows at byte ${at[2]}: corrupt`,
      ),
    );
  });

  test("a flipped magic byte in frame #2 stops the walk; every file stays", () => {
    const { dir, last } = journal();
    const at = frameOffsets(last);
    edit(last, (b) => {
      b[at[1]! + 12]! ^= 0x01;
      return b;
    });
    expectRefusedUntouched(
      dir,
      new RegExp(
        `segment-000000000002\\.bin: bytes that are no frame header at byte ${at[1]}, and an intact frame follows at byte ${at[2]}: corrupt`,
      ),
    );
  });

  test("the launcher's start says `journal: cannot recover` and moves the journal aside whole", () => {
    const { dir, last } = journal();
    const at = frameOffsets(last);
    edit(last, (b) => {
      b[at[1]! + FRAME_HEADER + 16]! ^= 0x01;
      return b;
    });
    const before = contents(dir);
    const lines: string[] = [];
    dirs.push(`${dir}.unrecovered-1`);
    const start = recoverJournal(loadConfig({ DITA_V2_STATE_DIR: dir }), (l) => lines.push(l), dir);
    expect(start.recovered).toBeNull();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^journal: cannot recover from .*segment-000000000002\.bin: a frame that fails its CRC at byte \d+, and an intact frame follows at byte \d+: corrupt, not a torn write; left as it is/,
    );
    expect(lines[1]).toContain(`moved aside whole to ${dir}.unrecovered-1`);
    expect(contents(`${dir}.unrecovered-1`)).toEqual(before);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("damage in the last segment of an earlier run that a later run followed stops the walk too", () => {
    const first = journal();
    const at = frameOffsets(first.last);
    edit(first.last, (b) => {
      b[at[1]! + FRAME_HEADER + 16]! ^= 0x01;
      return b;
    });
    journal({ dir: first.dir, index: 3, run: "fedcba9876543210" });
    expectRefusedUntouched(
      first.dir,
      new RegExp(`segment-000000000002\\.bin: a frame that fails its CRC at byte ${at[1]}, and an intact frame`),
      ["oldest"],
    );
  });

  test("a walk that stops cuts nothing: an earlier run's true torn tail stays when a later segment is damaged", () => {
    const first = journal();
    edit(first.last, (b) => b.subarray(0, b.length - 9)); // run 1 died mid-frame
    const second = journal({ dir: first.dir, index: 3, run: "fedcba9876543210" });
    const at = frameOffsets(second.last);
    edit(second.last, (b) => {
      b[at[1]! + FRAME_HEADER + 16]! ^= 0x01;
      return b;
    });
    expectRefusedUntouched(first.dir, /segment-000000000004\.bin: a frame that fails its CRC/, ["oldest"]);
  });

  test("an intact frame further than the reader's 4 MiB buffer after the damage is found (the scan reads in chunks)", () => {
    const { dir, last } = journal({ frames: 0, unflushed: 250_000 }); // frames of 1 MiB
    const at = frameOffsets(last);
    expect(at.length).toBeGreaterThanOrEqual(7);
    expect(at[6]! - at[1]!).toBeGreaterThan(4 << 20);
    edit(last, (b) => {
      for (const f of [1, 2, 3, 4, 5]) b[at[f]! + FRAME_HEADER + 16]! ^= 0x01;
      return b;
    });
    expectRefusedUntouched(
      dir,
      new RegExp(
        `segment-000000000001\\.bin: a frame that fails its CRC at byte ${at[1]}, and an intact frame follows at byte ${at[6]}: corrupt`,
      ),
      ["newest"],
    );
  });
});

describe("a failing frame with no intact frame after it is a torn tail: cut, as before", () => {
  test("a last frame short by 10 bytes (a crash mid-write) is cut at its start", () => {
    const { dir, last } = journal();
    const at = frameOffsets(last);
    const size = statSync(last).size;
    edit(last, (b) => b.subarray(0, b.length - 10));
    const { r, lines } = walk(dir);
    expect(r.torn).toEqual([{ segment: 2, offset: at[9]!, bytes: size - 10 - at[9]! }]);
    expect(lines).toEqual([
      `journal: segment-000000000002.bin: a torn tail of ${size - 10 - at[9]!} bytes (a frame of ${size - at[9]! - FRAME_HEADER} bytes that runs past the end of the file at byte ${at[9]}): cut at byte ${at[9]} (a crash mid-write)`,
    ]);
    expect(statSync(last).size).toBe(at[9]!);
  });

  test("a last frame that fails its CRC, nothing after it, is cut at its start", () => {
    const { dir, last } = journal();
    const at = frameOffsets(last);
    edit(last, (b) => {
      b[at[9]! + FRAME_HEADER + 16]! ^= 0x01;
      return b;
    });
    const { r, lines } = walk(dir);
    expect(r.torn).toEqual([{ segment: 2, offset: at[9]!, bytes: expect.any(Number) }]);
    expect(lines[0]).toContain(`(a frame that fails its CRC at byte ${at[9]}): cut at byte ${at[9]}`);
    expect(statSync(last).size).toBe(at[9]!);
  });

  test("a 1 MiB last frame cut short, far past the buffer's first fill, is cut at its start", () => {
    const { dir, last } = journal({ frames: 0, unflushed: 250_000 });
    const at = frameOffsets(last);
    const lastFrame = at[at.length - 1]!;
    expect(lastFrame).toBeGreaterThan(4 << 20);
    expect(statSync(last).size - lastFrame).toBeGreaterThan(8192);
    edit(last, (b) => b.subarray(0, b.length - 4096));
    const { r } = walk(dir);
    expect(r.torn).toEqual([{ segment: 1, offset: lastFrame, bytes: expect.any(Number) }]);
    expect(statSync(last).size).toBe(lastFrame);
  });

  test("an intact journal replays to the live state (the edits above are what the walk refuses or cuts)", () => {
    const { dir, live } = journal();
    const { r, lines } = walk(dir);
    expect(r.state_hash).toBe(live);
    expect(lines).toEqual([]);
  });
});
