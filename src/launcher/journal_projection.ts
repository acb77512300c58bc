/**
 * Journals back into the projection: the rows a kernel lifetime projected are rebuilt from its
 * journal (kernel/journal_outcomes.ts + projection/replay.ts) with the same ids, and the sinks keep
 * each id once, so re-projecting is always safe.
 *
 *  - `catchUp(bundle, log)` at serve start: the projected mark (`<state dir>/spool/projected.mark`)
 *    says which run's rows are spooled up to which journal seq. A SIGKILL loses the rows of the
 *    inputs after it (at most one drain, ~10 ms); this re-projects them, from that run's journal,
 *    and every later journal in full (runs that died before their first mark), into the new
 *    process's spools, before the new run projects anything. A run that stopped cleanly marked its
 *    last input: nothing to do, no journal is read past its last line.
 *  - `projectJournal(projection, path, opts)`: one journal; `replayIntoSinks(path, env)` does it for
 *    `dita-v2 replay --project` into the ClickHouse the environment names (a private temporary
 *    spool, flushed before it returns; maps and the topic are never written by a replay).
 *
 * Limits: diagnostics the launcher issued itself (edge refusals, orphans) and those of inputs the
 * kernel refused are not journaled and are not rebuilt; transitions are rebuilt only in DEBUG (the mode of the replaying process).
 *
 * Entry points: `catchUp`, `projectJournal`, `replayIntoSinks`.
 */

import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { RUN_ID_RE } from "../contracts/records.ts";
import { type JournalStep, replayOutcomes } from "../kernel/index.ts";
import { createProjection, type Projection, readProjectedMark } from "../projection/index.ts";
import type { Bundle } from "./bundle.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { newRunId } from "./run_id.ts";
import { SystemClock } from "./system_clock.ts";

export interface JournalProjectionReport {
  path: string;
  run: string;
  entries: number;
  /** Entries after `afterSeq`, whose rows were rebuilt. */
  projected: number;
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
  return { path, run, entries: r.entries, projected: p?.projected ?? 0 };
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
    const r = projectJournal(projection, path, { debug: config.mode === "DEBUG", afterSeq: 0 });
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

/** Re-projects what the previous runs' spools may be missing (see the module comment). */
export function catchUp(b: Bundle, log: (line: string) => void): JournalProjectionReport[] {
  const mark = readProjectedMark(b.config.state_dir);
  const dir = join(b.config.state_dir, "journal");
  if (mark === null || !existsSync(dir)) return [];
  const own = b.journal === null ? "" : basename(b.journal.path);
  const journals = readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl") && f !== own)
    .sort((x, y) => startMs(x) - startMs(y) || x.localeCompare(y))
    .map((f) => ({ path: join(dir, f), ...journalEnds(join(dir, f)) }));
  const from = journals.findIndex((j) => j.run === mark.run);
  if (from < 0) {
    log(`catch-up: the projected mark names run ${mark.run}, which no journal in ${dir} has: nothing to re-project`);
    return [];
  }
  const debug = b.config.mode === "DEBUG";
  const done: JournalProjectionReport[] = [];
  for (const [i, j] of journals.slice(from).entries()) {
    const afterSeq = i === 0 ? mark.seq : 0;
    if (j.run === null || j.lastSeq <= afterSeq) continue; // nothing after the mark, or not re-projectable
    try {
      const r = projectJournal(b.projection, j.path, { debug, afterSeq });
      log(`catch-up: run ${r.run}: re-projected ${r.projected} input(s) after seq ${afterSeq} from ${r.path}`);
      done.push(r);
    } catch (e) {
      log(
        `catch-up: ${j.path}: ${(e as Error).message.split("\n")[0]} (its rows after seq ${afterSeq} are not rebuilt)`,
      );
    }
  }
  return done;
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
