/**
 * Journals back into the projection: the rows a kernel lifetime projected are rebuilt from its
 * journal (kernel/segment_replay.ts or, for a single-file JSON-lines journal of an older build,
 * kernel/journal_outcomes.ts; then projection/replay.ts) with the same ids, and the sinks keep each
 * id once, so re-projecting is always safe.
 *
 *  - `catchUp(bundle, log)` at serve start: the projected mark (`<state dir>/spool/projected.mark`)
 *    says which run's rows are spooled up to which journal seq. A SIGKILL loses the rows of the
 *    inputs after it (at most one drain, ~10 ms); this re-projects them — from the newest snapshot
 *    at or before the segment holding the mark's next input, so at most about one segment is
 *    replayed — and every later run in full (runs that died before their first mark), into the new
 *    process's spools, before the new run projects anything. A run whose last journaled input is
 *    the mark (it stopped cleanly) needs nothing: the journal recovery already knows its last seq.
 *    When the journal no longer keeps the mark's next input (rotations pruned it while a mark that
 *    stopped after a SPOOL_FULL stayed behind, or the journal was moved aside), the lost seq range is
 *    logged and every run the journal keeps (all newer than the mark) is re-projected in full.
 *    Then (and only then: the rebuilt rows are in the spools) it prunes the bundle's journal to its
 *    `keep` snapshots, which the start's `begin` left unpruned, so every start, a crash loop's too,
 *    stays bounded without deleting a segment the catch-up needs.
 *  - `projectJournal(projection, path, opts)`: one JSON-lines journal; `projectSegments(projection,
 *    dir, opts)`: the segmented journal, from a mark or (`from` null) every run it keeps;
 *    `replayIntoSinks(path, env)` does either for `dita-v2 replay --project` into the ClickHouse the
 *    environment names (a private temporary spool, flushed before it returns; maps and the topic are
 *    never written by a replay).
 *
 * Limits: diagnostics the launcher issued itself (edge refusals, orphans) and those of inputs the
 * kernel refused are not journaled and are not rebuilt; transitions are rebuilt only in DEBUG (the
 * mode of the replaying process); rows of segments older than the kept snapshots
 * (DITA_V2_JOURNAL_KEEP) cannot be rebuilt.
 *
 * Entry points: `catchUp`, `projectJournal`, `projectSegments`, `replayIntoSinks`.
 */

import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { RUN_ID_RE } from "../contracts/records.ts";
import {
  type JournalStep,
  listJournal,
  replayOutcomes,
  segmentOf,
  type WalkVisitor,
  walkJournal,
} from "../kernel/index.ts";
import { createProjection, type Mark, type Projection, readProjectedMark } from "../projection/index.ts";
import type { Bundle } from "./bundle.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { newRunId } from "./run_id.ts";
import { SystemClock } from "./system_clock.ts";

export interface JournalProjectionReport {
  path: string;
  run: string;
  entries: number;
  /** Entries after `after_seq`, whose rows were rebuilt. */
  projected: number;
  after_seq: number;
}

/** Rebuilds the records of the journal at `path` (inputs after `afterSeq`) into `projection`'s sinks. */
export function projectJournal(
  projection: Projection,
  path: string,
  opts: { debug: boolean; afterSeq: number },
): JournalProjectionReport {
  let run = "";
  let projector: ReturnType<Projection["replay"]> | null = null;
  const r = replayOutcomes(path, (header) => {
    if (header.run === undefined)
      throw new Error(`${path}: journal has no run id (written before run ids): its rows cannot be rebuilt`);
    if (header.strategy !== undefined && header.strategy !== projection.strategy)
      throw new Error(
        `${path}: journal of strategy ${header.strategy}, this projection is ${projection.strategy} (set DITA_V2_STRATEGY)`,
      );
    run = header.run;
    const p = projection.replay(header.run, opts);
    projector = p;
    return (step: JournalStep, kernel) => p.step(step, (id) => kernel.slot(id), kernel.account());
  });
  const p = projector as ReturnType<Projection["replay"]> | null;
  p?.finish();
  return { path, run, entries: r.entries, projected: p?.projected ?? 0, after_seq: opts.afterSeq };
}

export interface ReplayIntoSinksReport extends JournalProjectionReport {
  /** Rows the replay rebuilt that ClickHouse did not hold yet. */
  rows_inserted: number;
  /** Rows it already held (same id): a replay of a projected journal inserts none. */
  rows_already_stored: number;
}

/** `dita-v2 replay JOURNAL --project`: the journal's rows into DITA_V2_CLICKHOUSE_URL, flushed. */
export async function replayIntoSinks(
  path: string,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<ReplayIntoSinksReport> {
  const config = loadConfig(env);
  if (config.clickhouse !== "REAL")
    throw new ConfigError(
      "DITA_V2_CLICKHOUSE",
      "replay --project writes into ClickHouse: set it to REAL (and its URL)",
    );
  const dir = mkdtempSync(join(tmpdir(), "dita-replay-"));
  const projection = await createProjection({
    strategy: config.strategy,
    run: newRunId(), // the projection's own; replayed rows carry the journal's run
    stateDir: dir,
    clock: new SystemClock(),
    clickhouse: { url: config.clickhouse_url, database: config.clickhouse_database },
    required: true,
    onDiagnostic: (d) => log(`projection ${d.code}: ${d.message}`),
  });
  try {
    const debug = config.mode === "DEBUG";
    const r = statSync(path).isDirectory()
      ? sum(path, projectSegments(projection, path, { debug, from: null, log }))
      : projectJournal(projection, path, { debug, afterSeq: 0 });
    if (!(await projection.flush(60_000)))
      throw new Error("replay: ClickHouse did not take every row within 60 s (run it again: it is idempotent)");
    const ch = projection.stats().sinks[0]!;
    return {
      ...r,
      rows_inserted: ch.records_written - ch.records_duplicate,
      rows_already_stored: ch.records_duplicate,
    };
  } finally {
    await projection.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Re-projects what the previous runs' spools may be missing, then prunes the journal (see the module comment). */
export function catchUp(b: Bundle, log: (line: string) => void): JournalProjectionReport[] {
  const done = reproject(b, log);
  b.journal?.prune(); // after the catch-up, never before: it reads the oldest kept segments
  return done;
}

function reproject(b: Bundle, log: (line: string) => void): JournalProjectionReport[] {
  const mark = readProjectedMark(b.config.state_dir);
  const dir = join(b.config.state_dir, "journal");
  if (mark === null) return [];
  const last = b.journalBelief;
  if (last !== null && last.run === mark.run && last.seq <= mark.seq) return []; // stopped cleanly
  const debug = b.config.mode === "DEBUG";
  const legacy = listJournal(dir)
    .legacy.sort((x, y) => startMs(basename(x)) - startMs(basename(y)) || x.localeCompare(y))
    .map((path) => ({ path, ...journalEnds(path) }));
  const from = legacy.findIndex((j) => j.run === mark.run);
  const done: JournalProjectionReport[] = [];
  const each = (what: string, f: () => JournalProjectionReport[]) => {
    try {
      for (const r of f()) {
        log(`catch-up: run ${r.run}: re-projected ${r.projected} input(s) after seq ${r.after_seq} from ${r.path}`);
        done.push(r);
      }
    } catch (e) {
      log(`catch-up: ${what}: ${(e as Error).message.split("\n")[0]} (its rows after the mark are not rebuilt)`);
    }
  };
  if (from >= 0) {
    for (const [i, j] of legacy.slice(from).entries()) {
      const afterSeq = i === 0 ? mark.seq : 0;
      if (j.run === null || j.lastSeq <= afterSeq) continue; // nothing after the mark, or not re-projectable
      each(j.path, () => [projectJournal(b.projection, j.path, { debug, afterSeq })]);
    }
    each(dir, () => projectSegments(b.projection, dir, { debug, from: null, skipRun: b.run, log }));
  } else if (segmentOf(dir, mark.run, mark.seq + 1) !== null) {
    each(dir, () => projectSegments(b.projection, dir, { debug, from: mark, skipRun: b.run, log }));
  } else {
    // The input after the mark is no longer kept: rotations pruned it (a mark that stopped after a
    // SPOOL_FULL while the run went on), or the journal was moved aside. Whatever the journal still
    // keeps is newer than the mark (pruning removes the oldest first), so all of it may be missing.
    log(
      `catch-up: the projected mark names run ${mark.run} seq ${mark.seq}, but ${dir} no longer keeps its next input (pruned by rotation, or the journal was moved aside): rows of run ${mark.run} from seq ${mark.seq + 1} up to what is kept cannot be rebuilt; re-projecting every run the journal keeps`,
    );
    each(dir, () => projectSegments(b.projection, dir, { debug, from: null, skipRun: b.run, log }));
  }
  return done;
}

export interface SegmentProjectionOptions {
  debug: boolean;
  /** Rows after this mark (and every later run's); null: every run the journal keeps. */
  from: Mark | null;
  /** A run not to re-project (the live one). */
  skipRun?: string;
  log: (line: string) => void;
}

/** Rebuilds the records of the segmented journal `dir` into `projection`'s sinks, one report per run. */
export function projectSegments(
  projection: Projection,
  dir: string,
  o: SegmentProjectionOptions,
): JournalProjectionReport[] {
  const from = o.from;
  const atMost = from === null ? null : segmentOf(dir, from.run, from.seq + 1);
  if (from !== null && atMost === null) return [];
  const reports: JournalProjectionReport[] = [];
  let current: { p: ReturnType<Projection["replay"]>; r: JournalProjectionReport } | null = null;
  let reached = from === null;
  const finish = () => {
    if (current === null) return;
    current.p.finish();
    current.r.projected = current.p.projected;
    reports.push(current.r);
    current = null;
  };
  const visitor: WalkVisitor = {
    run: (run, strategy, _seq, kernel) => {
      finish();
      if (strategy !== projection.strategy)
        throw new Error(
          `${dir}: run ${run} of strategy ${strategy}, this projection is ${projection.strategy} (set DITA_V2_STRATEGY)`,
        );
      reached ||= run === from?.run;
      if (!reached || run === o.skipRun) return;
      const p = projection.replay(run, { debug: o.debug, afterSeq: run === from?.run ? from.seq : 0 });
      p.seed(kernel.slots());
      const afterSeq = run === from?.run ? from.seq : 0;
      current = { p, r: { path: dir, run, entries: 0, projected: 0, after_seq: afterSeq } };
    },
    step: (step: JournalStep, kernel) => {
      if (current === null) return;
      current.r.entries++;
      current.p.step(step, (id) => kernel.slot(id), kernel.account());
    },
  };
  const walked = walkJournal(dir, { from: atMost === null ? "oldest" : { atMost }, log: o.log, visitor });
  walked?.kernel.destroy();
  finish();
  return reports;
}

/** One report for `replay DIR --project`: every run's counts added up. */
function sum(dir: string, reports: JournalProjectionReport[]): JournalProjectionReport {
  return {
    path: dir,
    run: reports.map((r) => r.run).join(","),
    entries: reports.reduce((n, r) => n + r.entries, 0),
    projected: reports.reduce((n, r) => n + r.projected, 0),
    after_seq: 0,
  };
}

/** Journal files are named `<start ms>-<pid>.jsonl`. */
function startMs(name: string): number {
  const n = Number(/^(\d+)-/.exec(name)?.[1] ?? Number.NaN);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

/** The run id of a journal's header and the seq of its last complete entry, read from its two ends. */
function journalEnds(path: string): { run: string | null; lastSeq: number } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = readAt(fd, 0, Math.min(size, 4096));
    let run: string | null = null;
    try {
      const h = JSON.parse(head.split("\n")[0] ?? "") as { run?: unknown };
      run = typeof h.run === "string" && RUN_ID_RE.test(h.run) ? h.run : null;
    } catch {
      run = null;
    }
    const tailBytes = Math.min(size, 1 << 20);
    const lines = readAt(fd, size - tailBytes, tailBytes).split("\n");
    let lastSeq = 0;
    for (let i = lines.length - 2; i >= 0 && lastSeq === 0; i--) {
      const seq = /^\{"seq":(\d+),/.exec(lines[i] ?? "")?.[1];
      if (seq !== undefined) lastSeq = Number(seq);
    }
    return { run, lastSeq };
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): string {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n).toString("utf8");
}
