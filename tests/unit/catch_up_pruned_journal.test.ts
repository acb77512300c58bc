/**
 * The projection catch-up at serve start (src/launcher/journal_projection.ts `catchUp`) against a
 * segmented journal whose rotations pruned the segment holding the projected mark's next input (a
 * mark that stopped after a SPOOL_FULL while the run went on for days): every row the journal still
 * keeps after the mark is re-projected, and the gap it can no longer rebuild is logged.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelStream } from "../../bench/_kernel_stream.ts";
import { ManualClock } from "../../src/contracts/clock.ts";
import { ExecutionKernel, SegmentJournal } from "../../src/kernel/index.ts";
import type { Bundle } from "../../src/launcher/bundle.ts";
import { catchUp } from "../../src/launcher/journal_projection.ts";
import { CallbackSink, createProjection, type Projection } from "../../src/projection/index.ts";
import { ProjectedMark } from "../../src/projection/mark.ts";
import { T0 } from "../_support/kernel.ts";

const RUN_A = "aaaaaaaaaaaaaaaa";
const RUN_B = "bbbbbbbbbbbbbbbb";
const LIVE = "cccccccccccccccc";

const dirs: string[] = [];
const kernels: ExecutionKernel[] = [];
const open: Projection[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A run journaling the realistic stream into `<state>/journal`, rotating every 4 KiB, keeping `keep` snapshots. */
function journalRun(
  state: string,
  run: string,
  o: { trades: number; keep: number; index?: number; from?: ExecutionKernel },
) {
  const dir = join(state, "journal");
  mkdirSync(dir, { recursive: true });
  const journal = new SegmentJournal({
    dir,
    segmentBytes: 4096,
    keep: o.keep,
    run,
    strategy: "pink",
    slotCount: 8,
    activeSlotLimit: 8,
    hungOrderMs: 30_000,
  });
  const kernel = ExecutionKernel.open({ slotCount: 8, activeSlotLimit: 8, hungOrderMs: 30_000, journal });
  kernels.push(kernel);
  if (o.from !== undefined) kernel.restoreSnapshot(o.from.snapshot());
  journal.begin(kernel, o.index ?? 1);
  if (o.from === undefined) kernel.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: T0 });
  const stream = kernelStream(o.trades, 8);
  for (let i = 0; i < stream.length; i += 7) {
    kernel.applyBatch(stream.slice(i, i + 7));
    journal.flush();
  }
  return { dir, journal, kernel };
}

async function liveBundle(state: string, lastRun: string, lastSeq: number) {
  const sink = new CallbackSink({ takesMaps: false });
  const spoolDir = mkdtempSync(join(tmpdir(), "cu-live-"));
  dirs.push(spoolDir);
  const projection = await createProjection({
    strategy: "pink",
    run: LIVE,
    stateDir: spoolDir,
    clock: new ManualClock(),
    required: false,
    onDiagnostic: () => {},
    sinks: [sink],
    tuning: { delayMs: 1 },
  });
  open.push(projection);
  const b = {
    config: { state_dir: state, mode: "NORMAL" },
    journalBelief: { run: lastRun, seq: lastSeq },
    projection,
    run: LIVE,
  } as unknown as Bundle;
  return { b, sink, projection };
}

const rowsOf = (sink: CallbackSink, run: string) => sink.records.filter((r) => r.row.run === run);

test("a mark whose next input's segment was pruned: the rows the journal still keeps after it are re-projected, the gap is logged", async () => {
  const state = mkdtempSync(join(tmpdir(), "cu-state-"));
  dirs.push(state);
  ProjectedMark.open(state, RUN_A).write(5); // stopped moving at seq 5 (a SPOOL_FULL), the run went on
  const a = journalRun(state, RUN_A, { trades: 200, keep: 2 });
  expect(readdirSync(a.dir).filter((f) => f.startsWith("segment")).length).toBe(2); // seq 6 was pruned
  const { b, sink, projection } = await liveBundle(state, RUN_A, a.journal.entries);
  const lines: string[] = [];
  const reports = catchUp(b, (l) => lines.push(l));
  expect(await projection.flush(5_000)).toBe(true);
  expect(reports.map((r) => r.run)).toEqual([RUN_A]);
  expect(reports[0]!.projected).toBeGreaterThan(0);
  expect(rowsOf(sink, RUN_A).length).toBeGreaterThan(0);
  expect(rowsOf(sink, RUN_A).every((r) => (r.row.seq as number) > 5)).toBe(true);
  expect(lines.some((l) => /pruned/.test(l) && l.includes(RUN_A))).toBe(true);
});

test("a mark whose run the journal no longer keeps at all: a later run that never marked is re-projected in full", async () => {
  const state = mkdtempSync(join(tmpdir(), "cu-state-"));
  dirs.push(state);
  ProjectedMark.open(state, RUN_A).write(5);
  const a = journalRun(state, RUN_A, { trades: 20, keep: 2 });
  const bRun = journalRun(state, RUN_B, { trades: 200, keep: 2, index: a.journal.segment + 1, from: a.kernel });
  const names = readdirSync(bRun.dir).filter((f) => f.startsWith("segment"));
  expect(names.length).toBe(2); // only run B's segments are kept
  const { b, sink, projection } = await liveBundle(state, RUN_B, bRun.journal.entries);
  const lines: string[] = [];
  const reports = catchUp(b, (l) => lines.push(l));
  expect(await projection.flush(5_000)).toBe(true);
  expect(reports.map((r) => r.run)).toEqual([RUN_B]);
  expect(rowsOf(sink, RUN_B).length).toBeGreaterThan(0);
  expect(lines.some((l) => /pruned/.test(l) && l.includes(RUN_A))).toBe(true);
});

test("a mark whose next input is kept: only that run's rows after the mark are re-projected, no gap is logged", async () => {
  const state = mkdtempSync(join(tmpdir(), "cu-state-"));
  dirs.push(state);
  const a = journalRun(state, RUN_A, { trades: 40, keep: 100 });
  const at = a.journal.entries - 30;
  ProjectedMark.open(state, RUN_A).write(at);
  const { b, sink, projection } = await liveBundle(state, RUN_A, a.journal.entries);
  const lines: string[] = [];
  const reports = catchUp(b, (l) => lines.push(l));
  expect(await projection.flush(5_000)).toBe(true);
  expect(reports.map((r) => [r.run, r.after_seq])).toEqual([[RUN_A, at]]);
  expect(rowsOf(sink, RUN_A).length).toBeGreaterThan(0);
  expect(rowsOf(sink, RUN_A).every((r) => (r.row.seq as number) > at)).toBe(true);
  expect(lines.some((l) => /pruned/.test(l))).toBe(false);
});
