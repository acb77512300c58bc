/**
 * The journal's start-up prune against serve's projection catch-up: a start must not delete a
 * segment the catch-up still reads. With DITA_V2_JOURNAL_KEEP=2 and a rotation in the last drain
 * before a SIGKILL, the input after the projected mark is in the older kept segment; the new run's
 * first snapshot makes a third one, and pruning it before the catch-up lost those rows for good.
 * Every start still prunes (after the catch-up), so a crash loop's starts stay within the bound.
 */
import { afterEach, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelStream } from "../../bench/_kernel_stream.ts";
import { ManualClock } from "../../src/contracts/clock.ts";
import { ExecutionKernel, SegmentJournal } from "../../src/kernel/index.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { catchUp, projectSegments } from "../../src/launcher/journal_projection.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { CallbackSink, createProjection, type Projection } from "../../src/projection/index.ts";
import { ProjectedMark } from "../../src/projection/mark.ts";

const RUN_A = "aaaaaaaaaaaaaaaa";
const REF = "rrrrrrrrrrrrrrrr";

const dirs: string[] = [];
const kernels: ExecutionKernel[] = [];
const runtimes: Runtime[] = [];
const projections: Projection[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(500);
  for (const p of projections.splice(0)) await p.close();
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tmp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

const snapshots = (dir: string) => readdirSync(dir).filter((f) => f.startsWith("snapshot-"));

/**
 * A serve lifetime of run A on `state` (8 slots, keep 2, 4 KiB segments) SIGKILLed right after a
 * drain whose flush rotated (the second rotation or later): its projected mark is the seq the drain
 * before reached, so the mark's next input is in the segment that rotation closed.
 */
function killedAfterRotatingDrain(state: string): { mark: number; last: number } {
  const dir = join(state, "journal");
  mkdirSync(dir, { recursive: true });
  const journal = new SegmentJournal({
    dir,
    segmentBytes: 4096,
    keep: 2,
    run: RUN_A,
    strategy: "pink",
    slotCount: 8,
    activeSlotLimit: 8,
    hungOrderMs: 30_000,
  });
  const kernel = ExecutionKernel.open({ slotCount: 8, activeSlotLimit: 8, hungOrderMs: 30_000, journal });
  kernels.push(kernel);
  journal.begin(kernel, 1);
  kernel.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: 1_700_000_000_000 });
  journal.flush();
  const stream = kernelStream(400, 8);
  for (let i = 0; i < stream.length; i += 7) {
    const projected = journal.entries; // the mark the previous drain left
    const segment = journal.segment;
    kernel.applyBatch(stream.slice(i, i + 7));
    journal.flush();
    if (journal.rotations >= 2 && journal.segment !== segment) {
      ProjectedMark.open(state, RUN_A).write(projected);
      return { mark: projected, last: journal.entries }; // SIGKILL: no close, no later drain
    }
  }
  throw new Error("the stream never rotated twice");
}

/** The row ids of run A that re-projecting `journalDir` after the mark rebuilds (the reference). */
async function rowsAfterMark(journalDir: string, mark: number): Promise<string[]> {
  const sink = new CallbackSink({ takesMaps: false });
  const projection = await createProjection({
    strategy: "pink",
    run: REF,
    stateDir: tmp("prune-ref-spool-"),
    clock: new ManualClock(),
    required: false,
    onDiagnostic: () => {},
    sinks: [sink],
    tuning: { delayMs: 1 },
  });
  projections.push(projection);
  projectSegments(projection, journalDir, { debug: false, from: { run: RUN_A, seq: mark }, log: () => {} });
  expect(await projection.flush(5_000)).toBe(true);
  return sink.records.filter((r) => r.row.run === RUN_A).map((r) => `${r.kind}:${r.row.row_id}`);
}

/** serve's start on `state` (startRuntime): buildBundle, the Runtime, then the catch-up. */
async function serveStart(state: string, sink: CallbackSink, lines: string[]) {
  const env = { DITA_V2_STATE_DIR: state, DITA_V2_JOURNAL_KEEP: "2", DITA_V2_RECONCILE_INTERVAL_MS: "0" };
  const log = (l: string) => lines.push(l);
  const bundle = await buildBundle(
    loadConfig(env),
    new SystemClock(),
    {},
    {
      journal: true,
      log,
      projectionSinks: [sink],
    },
  );
  const rt = new Runtime(bundle, log);
  runtimes.push(rt);
  const reports = catchUp(bundle, log);
  return { bundle, rt, reports };
}

test("keep 2, a rotation in the last drain before a SIGKILL: the next start re-projects every row after the mark, then prunes", async () => {
  const state = tmp("prune-state-");
  const { mark, last } = killedAfterRotatingDrain(state);
  const journalDir = join(state, "journal");
  expect(snapshots(journalDir)).toHaveLength(2);
  const reference = join(tmp("prune-copy-"), "journal");
  cpSync(journalDir, reference, { recursive: true });
  const expected = await rowsAfterMark(reference, mark);
  expect(expected.length).toBeGreaterThan(0);

  const sink = new CallbackSink({ takesMaps: false });
  const lines: string[] = [];
  const { bundle, reports } = await serveStart(state, sink, lines);
  expect(await bundle.projection.flush(5_000)).toBe(true);
  expect(bundle.journalBelief?.seq).toBe(last);
  const got = sink.records.filter((r) => r.row.run === RUN_A).map((r) => `${r.kind}:${r.row.row_id}`);
  expect(expected.filter((id) => !got.includes(id))).toEqual([]); // no row after the mark is lost
  expect(got.sort()).toEqual(expected.sort());
  expect(reports.map((r) => [r.run, r.after_seq])).toEqual([[RUN_A, mark]]);
  expect(lines.filter((l) => /pruned/.test(l))).toEqual([]);
  expect(snapshots(journalDir)).toHaveLength(2); // the start still pruned, after the catch-up
});

test("a crash loop of serve starts without a rotation keeps no more than DITA_V2_JOURNAL_KEEP snapshots", async () => {
  const state = tmp("prune-loop-");
  killedAfterRotatingDrain(state);
  for (let i = 0; i < 4; i++) {
    const { rt } = await serveStart(state, new CallbackSink({ takesMaps: false }), []);
    expect(snapshots(join(state, "journal"))).toHaveLength(2);
    runtimes.splice(runtimes.indexOf(rt), 1);
    await rt.shutdown(500);
  }
});
