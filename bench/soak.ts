/**
 * The soak (`npm run soak -- --minutes N`; not part of `npm test`): `dita-v2 serve` against
 * bingx-sim (its own process, 20 symbols listed) for N minutes under a realistic load, with
 * restarts and a projection sink outage, and a per-minute report of the resources that must stay
 * flat. Writes `<out>.json`, `<out>.svg` (one panel per metric) and `<out>.md` (the verdict).
 *
 *  - Load (`_soak_load.ts`): MARK_PRICE intents at 1 kHz in total across the 20 symbols, and a
 *    trader per slot cycling whole trades (ENTER market, hold 3 s, EXIT) on all 8 slots.
 *  - Journal: small segments (`--segment-mb`, default 2) and `--keep` (default 4), so it rotates
 *    and prunes many times in a run; the disk bound is checked.
 *  - Restarts: every `--restart-every` minutes (default 6; half a minute early, so one minute's row
 *    holds the stop, the start and the first seconds), alternately SIGTERM and SIGKILL, on the
 *    same state dir (restart from snapshot + tail, reconciled with the sim).
 *  - Sink outage: a real ClickHouse 18.16 (scripts/services/clickhouse.sh, private ports) is the
 *    projection sink; it is stopped for a tenth of the run around its middle and started again on
 *    the same data dir (the projection spools meanwhile and drains after).
 *  - Per minute: serve's RSS and open descriptors (/proc/<pid>), bytes under <state>/journal and
 *    <state>/spool, the projection's backlog and event-loop lag p99 and max (GET /status; the lag
 *    over the last minute of 50 ms probes),
 *    intent round trips p50/p99 (the load's own clocks).
 *
 *   bun bench/soak.ts [--minutes 30] [--restart-every 6] [--segment-mb 2] [--keep 4] [--out bench/results/soak]
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startClickHouse } from "../tests/integration/_services.ts";
import { EXE, ROOT } from "./_procs.ts";
import {
  Latencies,
  MarkFeed,
  SOAK_SYMBOLS as SYMBOLS,
  type Target,
  SOAK_TRADES as TRADES,
  Traders,
} from "./_soak_load.ts";
import { bytesUnder, procStats, safeRead, spawnUntil } from "./_soak_procs.ts";
import { type MinuteRow, percentile, svg, verdict } from "./_soak_report.ts";

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? d : process.argv[i + 1]!;
};
const MINUTES = Number(arg("--minutes", "30"));
const RESTART_EVERY = Number(arg("--restart-every", "6"));
const SEGMENT_MB = Number(arg("--segment-mb", "2"));
const KEEP = Number(arg("--keep", "4"));
const OUT = resolve(ROOT, arg("--out", "bench/results/soak"));
const WARMUP = MINUTES >= 10 ? 2 : 1;
const SLOTS = 8;
const TOKEN = "soak-operator-token-0001";
const OUTAGE = { from: MINUTES / 2 - MINUTES / 20, to: MINUTES / 2 + MINUTES / 20 };
if (!(MINUTES >= 1 && RESTART_EVERY > 0 && SEGMENT_MB >= 1 && KEEP >= 2)) throw new Error("soak: bad arguments");

const scratch = mkdtempSync(join(tmpdir(), "dita-soak-"));
const state = join(scratch, "state");
mkdirSync(state);
const since = Bun.nanoseconds();
const minutesNow = () => (Bun.nanoseconds() - since) / 60e9;
const log = (line: string) => console.log(`[${minutesNow().toFixed(2)} min] ${line}`);

const ch = await startClickHouse();
log(`clickhouse at ${ch.url}`);
const simPrices = SYMBOLS.map(([s, p]) => `${s}=${p}`).join(",");
const sim = await spawnUntil(
  [
    EXE,
    "sim",
    "--port",
    "0",
    "--api-key",
    "soak-key",
    "--secret",
    "soak-secret",
    "--seed",
    "18",
    "--prices",
    simPrices,
  ],
  {},
  join(scratch, "sim.log"),
  /bingx-sim listening on (http:\/\/\S+) \(ws (ws:\/\/\S+)\)/,
);
const serveEnv = {
  DITA_V2_VENUE: "BINGX",
  BINGX_BASE_URL: sim.m[1]!,
  BINGX_WS_URL: sim.m[2]!,
  BINGX_API_KEY: "soak-key",
  BINGX_API_SECRET: "soak-secret",
  DITA_V2_STATE_DIR: state,
  DITA_V2_HTTP_PORT: "0",
  DITA_V2_SLOTS: String(SLOTS),
  DITA_V2_OPERATOR_TOKEN: TOKEN,
  DITA_V2_CLICKHOUSE: "REAL",
  DITA_V2_CLICKHOUSE_URL: ch.url,
  DITA_V2_JOURNAL_SEGMENT_MB: String(SEGMENT_MB),
  DITA_V2_JOURNAL_KEEP: String(KEEP),
};

let starts = 0;
let startedNs = 0;
let target: Target | null = null;
let serve = null as ReturnType<typeof Bun.spawn> | null;
const restarts: Array<{ minute: number; signal: string; start_ms: number; recovered: string }> = [];

async function startServe(): Promise<number> {
  const file = join(scratch, `serve-${++starts}.log`);
  const t0 = Bun.nanoseconds();
  const s = await spawnUntil([EXE, "serve"], serveEnv, file, /serving (http:\/\/\S+)/);
  serve = s.proc;
  startedNs = t0;
  target = { url: s.m[1]!, token: TOKEN };
  return (Bun.nanoseconds() - t0) / 1e6;
}

async function restart(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  const old = serve!;
  target = null;
  old.kill(signal);
  await old.exited;
  const ms = await startServe();
  const text = safeRead(join(scratch, `serve-${starts}.log`));
  const recovered = /journal: recovered state \S+ from snapshot \d+ and \d+ input\(s\)/.exec(text)?.[0] ?? "";
  restarts.push({ minute: Math.ceil(minutesNow()), signal, start_ms: Math.round(ms), recovered });
  log(`restart (${signal}): serving again in ${ms.toFixed(0)} ms; ${recovered}`);
}

await startServe();
const stop = new AbortController();
const lat = new Latencies();
const feed = new MarkFeed(() => target, SYMBOLS, lat);
const traders = new Traders(() => target, TRADES, lat);
const load = Promise.all([feed.run(stop.signal), traders.run(stop.signal)]);

const rows: MinuteRow[] = [];
let nextRestart = RESTART_EVERY - 0.5; // mid-minute: the row of that minute holds the whole restart
let sinkDown = false;
let minute = 1;
let restartedThisMinute = false;
let downThisMinute = false;
let rssMax = 0;
let fdsMax = 0;
let snapshotMax = 0;
let cpuMark = { pid: -1, ticks: 0, ns: 0 };
while (minute <= MINUTES) {
  await Bun.sleep(1000);
  const now = minutesNow();
  if (now >= nextRestart && nextRestart < MINUTES) {
    await restart(restarts.length % 2 === 0 ? "SIGTERM" : "SIGKILL");
    nextRestart += RESTART_EVERY;
    restartedThisMinute = true;
  }
  if (!sinkDown && now >= OUTAGE.from && now < OUTAGE.to) {
    await ch.stop();
    sinkDown = true;
    log("sink outage: clickhouse stopped");
  } else if (sinkDown && now >= OUTAGE.to) {
    await ch.restart();
    sinkDown = false;
    log("sink outage over: clickhouse started again");
  }
  downThisMinute ||= sinkDown;
  const pid = (serve as ReturnType<typeof Bun.spawn> | null)?.pid;
  const ps = pid === undefined ? null : procStats(pid);
  if (ps !== null) {
    rssMax = Math.max(rssMax, ps.rss_mb);
    fdsMax = Math.max(fdsMax, ps.fds);
  }
  if (now < minute) continue;
  rows.push(await minuteRow(minute, restartedThisMinute, downThisMinute, rssMax, fdsMax));
  log(JSON.stringify(rows.at(-1)));
  minute++;
  restartedThisMinute = false;
  downThisMinute = sinkDown;
  rssMax = 0;
  fdsMax = 0;
}

async function minuteRow(m: number, restart: boolean, down: boolean, rss: number, fds: number): Promise<MinuteRow> {
  const pid = serve!.pid;
  const ps = procStats(pid) ?? { rss_mb: Number.NaN, fds: Number.NaN, cpu_ticks: Number.NaN };
  const ns = Bun.nanoseconds();
  const from = cpuMark.pid === pid ? cpuMark : { ticks: 0, ns: startedNs };
  const cpuPct = Math.round(((ps.cpu_ticks - from.ticks) / 100 / ((ns - from.ns) / 1e9)) * 1000) / 10;
  cpuMark = { pid, ticks: ps.cpu_ticks, ns };
  let lagDoc = { samples: 0, p99_ms: Number.NaN, max_ms: Number.NaN };
  let backlog = Number.NaN;
  try {
    const res = await fetch(`${target!.url}/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const st = (await res.json()) as { event_loop: typeof lagDoc; projection: { backlog_records: number } };
    lagDoc = st.event_loop;
    backlog = st.projection.backlog_records;
  } catch (e) {
    log(`status unreadable: ${(e as Error).message}`);
  }
  const j = bytesUnder(join(state, "journal"));
  for (const f of readdirSync(join(state, "journal")).filter((n) => n.startsWith("snapshot")))
    snapshotMax = Math.max(snapshotMax, statSync(join(state, "journal", f)).size);
  const taken = lat.take();
  const marks = taken.ms.get("mark") ?? [];
  const trades = taken.ms.get("trade") ?? [];
  const all = [...marks, ...trades];
  const mb = (b: number) => Math.round(b / 1e4) / 100;
  return {
    minute: m,
    restart,
    sink_down: down,
    rss_mb: ps.rss_mb,
    rss_mb_max: Math.max(rss, ps.rss_mb),
    fds: ps.fds,
    fds_max: Math.max(fds, ps.fds),
    journal_mb: mb(j.bytes),
    journal_files: j.files,
    spool_mb: mb(bytesUnder(join(state, "spool")).bytes),
    projection_backlog: backlog,
    lag_samples: lagDoc.samples,
    lag_p99_ms: lagDoc.p99_ms,
    lag_max_ms: lagDoc.max_ms,
    intent_p50_ms: percentile(all, 0.5),
    intent_p99_ms: percentile(all, 0.99),
    mark_p50_ms: percentile(marks, 0.5),
    mark_p99_ms: percentile(marks, 0.99),
    trade_p50_ms: percentile(trades, 0.5),
    trade_p99_ms: percentile(trades, 0.99),
    marks_ok: marks.length,
    marks_failed: taken.errors.get("mark") ?? 0,
    marks_skipped: taken.skipped,
    trade_intents_ok: trades.length,
    trade_intents_failed: taken.errors.get("trade") ?? 0,
    serve_cpu_pct: cpuPct,
    host_load_1m: Number(safeRead("/proc/loadavg").split(" ")[0]),
  };
}

stop.abort();
await load;
serve!.kill("SIGTERM");
const code = await serve!.exited;
sim.proc.kill("SIGTERM");
await sim.proc.exited;
await ch.destroy();

const boundMb = (KEEP * (SEGMENT_MB * 2 ** 20 + 2 ** 20) + KEEP * snapshotMax) / 1e6;
const v = verdict(rows, WARMUP, boundMb);
const summary = [
  `RSS: ${v.rss.flat ? "flat" : "NOT flat"}: after warm-up (${v.rss.minutes} minutes without a restart) between ${v.rss.min_ratio} and ${v.rss.max_ratio} of its median ${v.rss.median_mb} MB (rule: 0.9..1.1)`,
  `descriptors: ${v.fds.flat ? "flat" : "GROWING"}: ${v.fds.min}..${v.fds.max}; median of the first third ${v.fds.first_third_median}, of the last third ${v.fds.last_third_median} (minute ends, without restarts)`,
  `disk: journal ${v.disk.bounded ? "bounded" : "OVER its bound"}: at most ${v.disk.journal_max_mb} MB against keep ${KEEP} x (${SEGMENT_MB} MiB + a frame) + ${KEEP} snapshots = ${v.disk.bound_mb} MB; spool at most ${v.disk.spool_max_mb} MB, ${v.disk.spool_end_mb} MB at the end`,
  `event-loop lag: ${v.lag.ok ? "no spike" : "SPIKE"} over 50 ms outside restart minutes (worst ${v.lag.max_ms_outside_restarts} ms in minute ${v.lag.worst_minute}); restart minutes up to ${v.lag.max_ms_in_restarts} ms`,
  `projection: backlog at most ${Math.max(...rows.map((r) => r.projection_backlog))} records (during the outage: ${rows
    .filter((r) => r.sink_down)
    .map((r) => r.projection_backlog)
    .join(", ")}), ${rows.at(-1)!.projection_backlog} at the end`,
  `load: ${feed.sent} marks sent, ${traders.trades} trades closed; ${restarts.length} restarts; sink down minutes ${OUTAGE.from.toFixed(1)}..${OUTAGE.to.toFixed(1)}; serve exit ${code}`,
  `machine: a shared 2-core VM; other workers' builds, tests and benches ran alongside (host load average ${Math.min(...rows.map((r) => r.host_load_1m))}..${Math.max(...rows.map((r) => r.host_load_1m))} at the minute ends); the load generator, bingx-sim, ClickHouse and serve share those cores`,
];
const doc = {
  bench: "soak",
  minutes: MINUTES,
  config: {
    slots: SLOTS,
    symbols: SYMBOLS.length,
    mark_hz: 1000,
    segment_mb: SEGMENT_MB,
    keep: KEEP,
    restart_every_min: RESTART_EVERY,
    outage_min: OUTAGE,
    warmup_min: WARMUP,
  },
  machine: { cores: navigator.hardwareConcurrency, bun: Bun.version, note: "shared 2-core VM" },
  verdict: v,
  summary,
  restarts,
  minutes_rows: rows,
};
writeFileSync(`${OUT}.json`, `${JSON.stringify(doc, null, 2)}\n`);
writeFileSync(`${OUT}.svg`, svg(rows, `dita-v2 soak, ${MINUTES} min`));
writeFileSync(
  `${OUT}.md`,
  `# Soak, ${MINUTES} minutes\n\n![per-minute panels](${OUT.split("/").pop()}.svg)\n\n${summary.map((l) => `- ${l}`).join("\n")}\n`,
);
for (const l of summary) console.log(l);
rmSync(scratch, { recursive: true, force: true });
