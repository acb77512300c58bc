/**
 * Rows the spool cannot keep are never lost silently (bugs that cost rows for good):
 *  - after a SPOOL_FULL the projected mark stays at the last seq whose rows were all spooled, so the
 *    next start's catch-up rebuilds the refused rows from the journal;
 *  - a spool file installed afresh (missing, or its header damaged) does not inherit the old ack;
 *  - a failed write (disk full) is cut back, reported as CRITICAL SPOOL_FULL, counted as refused, and
 *    neither throws out of the drain nor leaves garbage in the file;
 *  - draining a large backlog in small acks copies at most the backlog once (compaction is linear).
 * Fakes only: CallbackSink and the real Spool on a temp dir (an injected write plays the full disk).
 */
import { afterEach, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import {
  CallbackSink,
  createProjection,
  Outbox,
  type ProjectionDiagnostic,
  readProjectedMark,
  Spool,
  type SpoolOptions,
} from "../../src/projection/index.ts";
import { TradeScript } from "../integration/projection_fixtures.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "spool-loss-"));
  dirs.push(d);
  return d;
}
const rows = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ row_id: `pink:${String(from + i).padStart(4, "0")}`, pad: "y".repeat(40) }));
const diag = (message: string): DiagnosticRecord => ({
  code: "HUNG_ORDER",
  severity: "WARNING",
  slot_id: 0,
  message,
  details: {},
  input_index: 0,
  now_ms: 1,
});
type Write = NonNullable<SpoolOptions["write"]>;
const realWrite: Write = (fd, b, off, len, pos) => writeSync(fd, b, off, len, pos);
/** A write that stores half of what it is given, then fails as a full disk does. */
const diskFull: Write = (fd, b, off, len, pos) => {
  if (len > 1) realWrite(fd, b, off, len >> 1, pos);
  throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
};

test("after a SPOOL_FULL the projected mark stays at the last seq fully spooled (even once the spool drains), so catch-up rebuilds the refused rows", async () => {
  const d = dir();
  const sink = new CallbackSink({ name: "ch" });
  sink.down = true;
  const diags: ProjectionDiagnostic[] = [];
  const p = await createProjection({
    strategy: "pink",
    run: "r1",
    stateDir: d,
    clock: new ManualClock(),
    required: false,
    onDiagnostic: (x) => diags.push(x),
    sinks: [sink],
    markProgress: true,
    tuning: { delayMs: 1, retryMinMs: 5, retryMaxMs: 20, spoolMaxBytes: 2000 },
  });
  const k = new TradeScript();
  const input = (seq: number) => {
    p.onOutcome({
      ...k.enter(0, "T1", 1),
      transitions: [],
      diagnostics: [diag(`input ${seq} ${"x".repeat(100)}`)],
      journalSeq: seq,
    });
    p.stats(); // drains: this input's rows are spilled (and the mark written) now
  };
  for (let seq = 1; seq <= 30; seq++) input(seq);
  expect(diags.some((x) => x.code === "SPOOL_FULL")).toBe(true);
  const mark = readProjectedMark(d)!;
  expect(mark.seq).toBeLessThan(30);
  sink.down = false;
  expect(await p.flush(2000)).toBe(true);
  const delivered = new Set(sink.records.map((r) => r.row.seq));
  for (let seq = 1; seq <= mark.seq; seq++) expect(delivered.has(seq)).toBe(true); // every seq ≤ mark arrived
  expect(delivered.has(mark.seq + 1)).toBe(false); // the first refused input lies after the mark: catch-up rebuilds it
  input(31); // the spool has room again, but seqs between are still missing: the mark must not jump over them
  expect(await p.flush(2000)).toBe(true);
  await p.close();
  expect(readProjectedMark(d)).toEqual(mark);
});

test("a spool whose header is damaged is recreated without inheriting the old ack: rows spooled into the new file survive a restart", () => {
  const d = dir();
  let s = new Spool(d, "ch");
  s.append(rows(20));
  s.ack(s.read(20).next, 20); // ack = {generation 1, offset past all 20}
  s.close();
  const fd = openSync(join(d, "ch.spool"), "r+");
  writeSync(fd, Buffer.from([0]), 0, 1, 0); // one flipped header byte
  closeSync(fd);
  s = new Spool(d, "ch");
  s.append(rows(30, 100));
  s.close();
  s = new Spool(d, "ch");
  expect(s.backlogRecords).toBe(30);
  expect(s.read(1000).values.map((v) => (v as { row_id: string }).row_id)).toEqual(rows(30, 100).map((r) => r.row_id));
  s.close();
});

test("a spool file removed by hand (its ack left behind) is recreated without inheriting the ack", () => {
  const d = dir();
  let s = new Spool(d, "ch");
  s.append(rows(20));
  s.ack(s.read(20).next, 20);
  s.close();
  rmSync(join(d, "ch.spool"));
  s = new Spool(d, "ch");
  s.append(rows(30, 100));
  s.close();
  s = new Spool(d, "ch");
  expect(s.backlogRecords).toBe(30);
  s.close();
});

test("a failed spool write (disk full) is cut back, reported CRITICAL, counted as refused and never throws; later appends stay readable", () => {
  const d = dir();
  const diags: ProjectionDiagnostic[] = [];
  let write = realWrite;
  const s = new Spool(d, "ch", { onDiagnostic: (x) => diags.push(x), write: (...a) => write(...a) });
  expect(s.append(rows(5))).toBe(5);
  const good = statSync(join(d, "ch.spool")).size;
  write = diskFull;
  expect(s.append(rows(7, 100))).toBe(0);
  expect(statSync(join(d, "ch.spool")).size).toBe(good); // the half-written frames are cut off
  expect(s.refusedTotal).toBe(7);
  expect(s.backlogRecords).toBe(5);
  expect(diags.map((x) => [x.code, x.severity, x.details.refused, x.details.reason])).toEqual([
    ["SPOOL_FULL", "CRITICAL", 7, "write_failed"],
  ]);
  expect(diags[0]!.message).toContain("ENOSPC");
  write = realWrite;
  expect(s.append(rows(2, 200))).toBe(2);
  s.close();
  const again = new Spool(d, "ch", { onDiagnostic: (x) => diags.push(x) });
  expect(again.read(100).values.map((v) => (v as { row_id: string }).row_id)).toEqual(
    [...rows(5), ...rows(2, 200)].map((r) => r.row_id),
  );
  expect(diags).toHaveLength(1); // no SPOOL_CORRUPT: nothing torn was left behind
  again.close();
});

test("an outbox whose spool write fails counts the batch as refused, reports that spill was not whole, and its loop keeps running", async () => {
  const d = dir();
  const diags: ProjectionDiagnostic[] = [];
  const sink = new CallbackSink({ name: "ch" });
  sink.down = true;
  let write = realWrite;
  const spool = new Spool(d, "ch", { onDiagnostic: (x) => diags.push(x), write: (...a) => write(...a) });
  write = diskFull;
  const o = new Outbox(sink, { clock: new ManualClock(), spool, delayMs: 1, onDiagnostic: (x) => diags.push(x) });
  for (let i = 0; i < 4; i++) o.push({ kind: "diagnostic", row: { row_id: `pink:${i}`, strategy: "pink" } });
  expect(o.spill()).toBe(false);
  expect(o.spooledAll).toBe(false);
  o.push({ kind: "diagnostic", row: { row_id: "pink:9", strategy: "pink" } });
  await o.flush(50); // the drain timer spills too: it must not throw
  expect(o.stats().records_refused).toBe(5);
  expect(diags.filter((x) => x.code === "SPOOL_FULL")).toHaveLength(2);
  await o.close();
});

test("draining a large backlog in small acks copies at most the backlog once across compactions (linear, not quadratic)", () => {
  const d = dir();
  const s = new Spool(d, "ch", { compactBytes: 16 * 1024 });
  for (let i = 0; i < 40; i++) s.append(rows(250, i * 250));
  const backlog = s.backlogBytes;
  expect(backlog).toBeGreaterThan(800 * 1024);
  const seen: string[] = [];
  for (let guard = 0; s.backlogRecords > 0 && guard < 10_000; guard++) {
    const b = s.read(20);
    seen.push(...b.values.map((v) => (v as { row_id: string }).row_id));
    s.ack(b.next, b.values.length);
  }
  expect(seen).toEqual(rows(10_000).map((r) => r.row_id)); // nothing lost or repeated
  expect(s.compactedBytes).toBeGreaterThan(0); // it did compact
  expect(s.compactedBytes).toBeLessThanOrEqual(backlog);
  expect(statSync(join(d, "ch.spool")).size).toBeLessThanOrEqual(16 + 16 * 1024); // drained: the file shrank
  s.close();
});
