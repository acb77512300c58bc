/**
 * The segmented journal (src/kernel/segment_*.ts) in the fast tier: a segment rotates at the first
 * flush at or past its size, with a snapshot of exactly the state its entries led to; replaying the
 * directory — from the newest snapshot or the oldest kept — reaches the live state hash, with wire
 * inputs, raw ring records, slot restores and a snapshot restore in between; `keep` bounds the files;
 * a corrupt newest snapshot falls back to the previous one with one log line; a torn tail is cut
 * with one log line and never read as an entry, while the same damage inside a run stops the replay;
 * a journal that no longer replays to what was accepted live is refused as diverged.
 */

import { afterEach, describe, expect, test } from "bun:test";
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelStream } from "../../bench/_kernel_stream.ts";
import type { KernelInput } from "../../src/contracts/index.ts";
import {
  ExecutionKernel,
  exportJournal,
  InputRecords,
  JournalError,
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

const RUN = "0123456789abcdef";
const mark = (price: number, now_ms: number): KernelInput => ({ type: "MARK_PRICE", asset: "BTC-USDT", price, now_ms });

/** A live kernel journaling into a fresh directory. */
function live(o: { segmentBytes?: number; keep?: number; run?: string; dir?: string; index?: number } = {}) {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "dita-seg-"));
  if (o.dir === undefined) dirs.push(dir);
  const journal = new SegmentJournal({
    dir,
    segmentBytes: o.segmentBytes ?? 1 << 20,
    keep: o.keep ?? 8,
    run: o.run ?? RUN,
    strategy: "pink",
    slotCount: 8,
    activeSlotLimit: 8,
    hungOrderMs: 30_000,
  });
  const kernel = ExecutionKernel.open({ slotCount: 8, journal });
  kernels.push(kernel);
  journal.begin(kernel, o.index ?? 1);
  return { dir, journal, kernel };
}

function replay(dir: string, o: Parameters<typeof walkJournal>[1] = { log: () => {} }) {
  const r = walkJournal(dir, o);
  if (r === null) throw new Error("no snapshot");
  kernels.push(r.kernel);
  return r;
}

const files = (dir: string, kind: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith(kind))
    .sort();

/** The realistic bench stream (entries, fills, marks, exits), applied a few inputs per flush. */
function feed(j: SegmentJournal, k: ExecutionKernel, trades: number, per = 7): void {
  k.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: T0 });
  const stream = kernelStream(trades, 8);
  for (let i = 0; i < stream.length; i += per) {
    k.applyBatch(stream.slice(i, i + per));
    j.flush();
  }
}

describe("rotation", () => {
  test("a segment rotates at the first flush at or past its size; the next snapshot is the state its entries led to", () => {
    const { dir, journal, kernel } = live({ segmentBytes: 4096 });
    const hashes: string[] = [];
    let now = T0;
    while (journal.rotations === 0) {
      const before = statSync(journal.path).size;
      kernel.apply(mark(100 + (now % 7), ++now));
      hashes.push(kernel.stateHashHex());
      journal.flush();
      if (journal.rotations === 0) expect(before).toBeLessThan(4096);
    }
    const [first, second] = files(dir, "segment");
    const size = statSync(join(dir, first!)).size;
    expect(size).toBeGreaterThanOrEqual(4096);
    expect(size - 64).toBeLessThan(4096); // a mark's frame is 64 bytes: the one before it stayed below
    const snap = readFileSync(join(dir, "snapshot-000000000002.bin"));
    expect(snap.subarray(48, 56).readBigUInt64LE().toString(16).padStart(16, "0")).toBe(hashes.at(-1)!);
    kernel.apply(mark(1, ++now));
    journal.flush();
    const out: string[] = [];
    exportJournal(dir, { from: "oldest", log: () => {} }, (l) => out.push(l));
    const seqs = out.map((l) => JSON.parse(l)).flatMap((e) => (e.seq === undefined ? [] : [e.seq]));
    expect(seqs).toEqual(Array.from({ length: hashes.length + 1 }, (_, i) => i + 1)); // one run, seqs continue
    expect(second).toBe("segment-000000000002.bin");
  });

  test("keep bounds the files: at most `keep` snapshots and the segments from the oldest of them", () => {
    const { dir, journal, kernel } = live({ segmentBytes: 4096, keep: 3 });
    for (let i = 0; i < 3000; i++) {
      kernel.apply(mark(100 + (i % 13), T0 + i));
      journal.flush();
    }
    expect(journal.rotations).toBeGreaterThan(5);
    const snaps = files(dir, "snapshot");
    const segs = files(dir, "segment");
    expect(snaps).toHaveLength(3);
    expect(segs).toHaveLength(3);
    expect(segs[0]!.slice(8)).toBe(snaps[0]!.slice(9)); // segments from the oldest kept snapshot on
    expect(replay(dir, { from: "oldest", log: () => {} }).state_hash).toBe(kernel.stateHashHex());
  });
});

describe("replay of snapshot + segments", () => {
  test("the newest snapshot plus the tail, and the oldest plus everything, both reach the live state hash", () => {
    const { dir, journal, kernel } = live({ segmentBytes: 64 * 1024, keep: 100 });
    feed(journal, kernel, 400);
    const raw = InputRecords.encode([mark(777, T0 + 9_000_000)]); // as a strategy writes the ring
    kernel.applyRecords(raw);
    kernel.restoreSlot(new Uint8Array(kernel.slotImage(0)), T0 + 9_000_001);
    journal.flush();
    expect(kernel.restoreSnapshot(kernel.snapshot()).ok).toBe(true); // starts a segment of its own
    kernel.apply(mark(778, T0 + 9_000_002));
    journal.close();
    expect(journal.rotations).toBeGreaterThan(3);
    const newest = replay(dir);
    const oldest = replay(dir, { from: "oldest", log: () => {} });
    expect([newest.state_hash, oldest.state_hash]).toEqual([kernel.stateHashHex(), kernel.stateHashHex()]);
    expect(oldest.entries).toBe(journal.entries);
    expect(newest.entries).toBeLessThan(oldest.entries);
    expect(oldest.kernel.slots()).toEqual(kernel.slots());
  });

  test("a segment longer than the reader's 4 MiB buffer replays to the live hash (frames straddle its end)", () => {
    const { dir, journal, kernel } = live({ segmentBytes: 64 << 20 });
    const marks: KernelInput[] = [];
    for (let i = 0; i < 160_000; i++) marks.push(mark(100 + (i % 97) / 10, T0 + i));
    for (let i = 0; i < marks.length; i += 5) {
      kernel.applyBatch(marks.slice(i, i + 5)); // 224-byte frames: one has its header, not its payload, in the buffer
      journal.flush();
    }
    journal.close();
    expect(statSync(join(dir, "segment-000000000001.bin")).size).toBeGreaterThan(5 << 20);
    const r = replay(dir, { log: (l) => expect(l).toBe("no log line") });
    expect([r.entries, r.state_hash]).toEqual([160_000, kernel.stateHashHex()]);
  });

  test("a new run continues the directory: its segment starts from a snapshot and its seqs from 1", () => {
    const a = live({ segmentBytes: 64 * 1024 });
    feed(a.journal, a.kernel, 50);
    a.journal.close();
    const r = replay(a.dir, { cut: true, log: () => {} });
    const b = live({ dir: a.dir, run: "fedcba9876543210", index: r.nextIndex });
    expect(b.kernel.restoreSnapshot(r.kernel.snapshot()).ok).toBe(true);
    b.kernel.apply(mark(5, T0 + 10_000_000));
    b.journal.close();
    const end = replay(a.dir, { from: "oldest", log: () => {} });
    expect(end.state_hash).toBe(b.kernel.stateHashHex());
    expect([end.run, end.seq]).toEqual(["fedcba9876543210", 1]);
  });
});

describe("damage", () => {
  function twoSegments() {
    const w = live({ segmentBytes: 8192 });
    let now = T0;
    while (w.journal.rotations < 2) {
      w.kernel.apply(mark(100 + (now % 11), ++now));
      w.journal.flush();
    }
    for (let i = 0; i < 20; i++) {
      w.kernel.apply(mark(200 + i, ++now));
      w.journal.flush();
    }
    return w;
  }

  test("a corrupted newest snapshot falls back to the previous one with one log line, and reaches the live hash", () => {
    const { dir, kernel } = twoSegments();
    const newest = join(dir, files(dir, "snapshot").at(-1)!);
    const bytes = readFileSync(newest);
    bytes[5000] = bytes[5000]! ^ 0x01;
    writeFileSync(newest, bytes);
    const lines: string[] = [];
    const r = replay(dir, { log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^journal: snapshot-000000000003\.bin refused: snapshot refused: checksum .*; trying snapshot-000000000002\.bin$/,
    );
    expect(r.snapshot).toBe(2);
    expect(r.state_hash).toBe(kernel.stateHashHex());
  });

  test("a truncated newest snapshot falls back too; with every snapshot refused the replay stops with one error", () => {
    const { dir } = twoSegments();
    for (const f of files(dir, "snapshot")) writeFileSync(join(dir, f), readFileSync(join(dir, f)).subarray(0, 100));
    const lines: string[] = [];
    expect(() => walkJournal(dir, { log: (l) => lines.push(l) })).toThrow(/no usable snapshot \(3 refused\)/);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain("truncated");
  });

  test("a torn tail (a frame cut mid-write) is cut with one log line and never read as an entry", () => {
    const { dir, journal, kernel } = twoSegments();
    const before = kernel.stateHashHex();
    kernel.apply(mark(999, T0 + 50_000_000));
    journal.flush();
    const last = join(dir, files(dir, "segment").at(-1)!);
    const whole = statSync(last).size;
    const fd = openSync(last, "r+");
    ftruncateSync(fd, whole - 9); // the last frame loses its end
    closeSync(fd);
    const lines: string[] = [];
    const read = replay(dir, { log: (l) => lines.push(l) });
    expect(read.state_hash).toBe(before);
    expect(lines).toEqual([
      expect.stringMatching(
        /torn tail of \d+ bytes \(a frame of 40 bytes that runs past the end of the file at byte \d+\): ignored/,
      ),
    ]);
    expect(statSync(last).size).toBe(whole - 9); // a replay reads, never writes
    const cut: string[] = [];
    expect(replay(dir, { cut: true, log: (l) => cut.push(l) }).state_hash).toBe(before);
    expect(cut[0]).toMatch(/: cut at byte \d+ \(a crash mid-write\)$/);
    expect(statSync(last).size).toBe(whole - 64); // exactly the torn frame
    const again: string[] = [];
    replay(dir, { log: (l) => again.push(l) });
    expect(again).toEqual([]);
  });

  test("a last frame that fails its CRC is a torn tail: the whole frame is dropped, nothing of it applied", () => {
    const { dir, journal, kernel } = twoSegments();
    const before = kernel.stateHashHex();
    kernel.apply(mark(999, T0 + 50_000_000));
    journal.flush();
    const last = join(dir, files(dir, "segment").at(-1)!);
    const bytes = readFileSync(last);
    bytes[bytes.length - 8] = bytes[bytes.length - 8]! ^ 0x40; // inside the mark's price
    writeFileSync(last, bytes);
    const lines: string[] = [];
    expect(replay(dir, { log: (l) => lines.push(l) }).state_hash).toBe(before);
    expect(lines[0]).toContain("a frame that fails its CRC");
  });

  test("the same damage inside a run (the run wrote on after it) is corruption and stops the replay", () => {
    const { dir } = twoSegments();
    const middle = join(dir, "segment-000000000002.bin");
    const bytes = readFileSync(middle);
    bytes[bytes.length - 8] = bytes[bytes.length - 8]! ^ 0x40;
    writeFileSync(middle, bytes);
    expect(() => walkJournal(dir, { from: "oldest", log: () => {} })).toThrow(
      /segment-000000000002\.bin: a frame that fails its CRC at byte \d+, and run 0123456789abcdef wrote on after it \(corrupt\)/,
    );
  });

  test("garbage appended after the last frame (bytes that are no frame header) is a torn tail", () => {
    const { dir, kernel } = twoSegments();
    const last = join(dir, files(dir, "segment").at(-1)!);
    const fd = openSync(last, "a");
    writeSync(fd, new Uint8Array(30).fill(0));
    closeSync(fd);
    const lines: string[] = [];
    expect(replay(dir, { log: (l) => lines.push(l) }).state_hash).toBe(kernel.stateHashHex());
    expect(lines[0]).toContain("bytes that are no frame header");
  });

  test("an entry the kernel refuses on replay (it was accepted live) stops the replay as diverged", () => {
    const { dir, journal, kernel } = live();
    kernel.apply(mark(100, T0));
    journal.close();
    const seg = join(dir, "segment-000000000001.bin");
    const bytes = readFileSync(seg);
    const priceAt = bytes.length - 16; // the mark's words: kind, now_ms, price, asset
    bytes.writeDoubleLE(-1, priceAt);
    const crc = Bun.hash.crc32(bytes.subarray(128 + 4)) >>> 0; // re-sealed: the frame passes its CRC
    bytes.writeUInt32LE(crc, 128);
    writeFileSync(seg, bytes);
    expect(() => walkJournal(dir, { log: () => {} })).toThrow(JournalError);
    expect(() => walkJournal(dir, { log: () => {} })).toThrow(/the replay diverged: the kernel refused 1 of 1/);
  });
});
