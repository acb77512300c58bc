/**
 * Spool generations (a bug that costs rows): after a compaction the acknowledgement file belongs
 * to the new generation. An ack left by an older generation (a crash between compaction's rename
 * and its ack write) must mean "replay this file from the start" — never an offset into the new
 * file, whose bytes at that offset are unacknowledged rows. The older offsets below are chosen to
 * land on real frame boundaries of the new file, so honouring them would silently drop rows.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HEADER_BYTES } from "../../src/projection/_frame.ts";
import { Spool } from "../../src/projection/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "spool-gen-"));
  dirs.push(d);
  return d;
}
const rows = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ row_id: `pink:${from + i}`, v: from + i }));

/** A spool compacted once (generation 2) holding rows 2..5 unacknowledged; returns the frame ends. */
function compactedSpool(d: string): number[] {
  const s = new Spool(d, "x", { compactBytes: 1 });
  s.append(rows(2));
  s.ack(s.read(2).next, 2); // the whole file acknowledged (prefix >= tail): compacts into generation 2
  const ack = JSON.parse(readFileSync(join(d, "x.spool.ack"), "utf8")) as { generation: number; offset: number };
  expect(ack).toEqual({ generation: 2, offset: HEADER_BYTES });
  s.append(rows(4, 2));
  const ends = s.read(10).ends;
  expect(ends).toHaveLength(4);
  s.close();
  return ends;
}

test("an ack of an older spool generation is not honoured after compaction: every unacknowledged row replays", () => {
  const d = dir();
  const ends = compactedSpool(d);
  for (const offset of ends.slice(0, 3)) {
    writeFileSync(join(d, "x.spool.ack"), JSON.stringify({ generation: 1, offset }));
    const again = new Spool(d, "x");
    expect(again.backlogRecords).toBe(4);
    expect(again.read(10).values).toEqual(rows(4, 2));
    again.close();
  }
});

test("an ack of a newer generation than the file (a file restored from backup) also replays from the start", () => {
  const d = dir();
  const ends = compactedSpool(d);
  writeFileSync(join(d, "x.spool.ack"), JSON.stringify({ generation: 3, offset: ends[1] }));
  const again = new Spool(d, "x");
  expect(again.read(10).values).toEqual(rows(4, 2));
  again.close();
});

test("the ack of the current generation is honoured exactly (the generation check does not cost a replay)", () => {
  const d = dir();
  const ends = compactedSpool(d);
  writeFileSync(join(d, "x.spool.ack"), JSON.stringify({ generation: 2, offset: ends[1] }));
  const again = new Spool(d, "x");
  expect(again.backlogRecords).toBe(2);
  expect(again.read(10).values).toEqual(rows(2, 4));
  again.close();
});

test("two compactions in a row keep only the unacknowledged rows, in order, across a reopen", () => {
  const d = dir();
  const s = new Spool(d, "x", { compactBytes: 1 });
  s.append(rows(2));
  s.ack(s.read(1).next, 1); // prefix (1 row) >= tail (1 row): generation 2 holds row 1
  s.append(rows(3, 2));
  s.ack(s.read(2).next, 2); // prefix (rows 1, 2) >= tail (rows 3, 4): generation 3 holds rows 3, 4
  s.append(rows(2, 5));
  s.close();
  expect(JSON.parse(readFileSync(join(d, "x.spool.ack"), "utf8")).generation).toBe(3);
  const again = new Spool(d, "x");
  expect(again.read(10).values).toEqual(rows(4, 3));
  again.close();
});

test("acknowledged bytes do not count against the spool's cap: a small cap keeps accepting while the backlog stays small", () => {
  const d = dir();
  const s = new Spool(d, "x", { maxBytes: 200, compactBytes: 1_000_000 });
  for (let i = 0; i < 50; i++) {
    expect(s.append(rows(1, i))).toBe(1);
    const b = s.read(10);
    s.ack(b.next, b.values.length);
  }
  expect(s.refusedTotal).toBe(0);
  s.close();
});

test("the live backlog counter is exact after every append and ack (a short count would let flush report done early)", () => {
  const s = new Spool(dir(), "x");
  s.append(rows(5));
  expect(s.backlogRecords).toBe(5);
  const b = s.read(2);
  s.ack(b.next, 2);
  expect(s.backlogRecords).toBe(3);
  s.append(rows(2, 5));
  expect(s.backlogRecords).toBe(5);
  const rest = s.read(10);
  s.ack(rest.next, rest.values.length);
  expect(s.backlogRecords).toBe(0);
  s.close();
});
