/**
 * Bench: the built executable `dist/dita-v2` over HTTP on loopback, one run, side by side:
 *
 *   health    GET /health requests/s and p50/p99 under `wrk` (Debian; the Bun client with N
 *             connections when wrk cannot be had; the tool used is recorded). Target ≥ 20,000/s
 *             and p99 ≤ 5 ms on the project's 2-core machine. Median of RUNS runs.
 *   intents   POST /intents end to end on the mock venue, sequential on one keep-alive client:
 *             MARK_PRICE round trips, ENTER and EXIT round trips, and whole ENTER→POSITION_OPEN→
 *             EXIT→CLOSED cycles (fill seen by polling GET /slots/:id), p50/p99.
 *   idle_rss  serve with 8 slots, VmRSS from /proc/PID/status after warm-up (median of samples,
 *             before the load). Target ≤ 80 MB.
 *   once      `dist/dita-v2 once` wall time, median of 10 runs after 2 warm-up runs.
 *
 * Writes bench/results/http.json. Run: bun bench/http.ts (build first: npm run build).
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { bunRun, ensureWrk, type LoadOptions, type LoadResult, percentile, wrkRun } from "./http_load.ts";

const ROOT = join(import.meta.dir, "..");
const EXE = join(ROOT, "dist/dita-v2");
const RUNS = 3;
const LOAD: LoadOptions = { threads: 1, connections: 32, durationS: 5 };
const MARKS = 3000;
const CYCLES = 200;
const ONCE_RUNS = 10;
const TOKEN = "bench-http-token-0123456789abcdef";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 3) => Number(x.toFixed(d));

if (!existsSync(EXE)) throw new Error(`${EXE} is missing: run 'npm run build' first`);
const scratch = mkdtempSync(join(tmpdir(), "dita-bench-http-"));
const baseEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/root",
  DITA_V2_SLOTS: "8",
  DITA_V2_OPERATOR_TOKEN: TOKEN,
};

async function startServe(): Promise<{ url: string; pid: number; stop: () => Promise<number> }> {
  const proc = Bun.spawn([EXE, "serve"], {
    env: { ...baseEnv, DITA_V2_HTTP_PORT: "0", DITA_V2_STATE_DIR: join(scratch, "serve") },
    stdout: "ignore",
    stderr: "pipe",
  });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let err = "";
  for (let i = 0; i < 100; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    err += new TextDecoder().decode(value);
    const url = /serving (http:\/\/\S+)/.exec(err)?.[1];
    if (url) {
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return {
        url,
        pid: proc.pid,
        stop: async () => {
          proc.kill("SIGTERM");
          return proc.exited;
        },
      };
    }
  }
  proc.kill("SIGKILL");
  throw new Error(`serve did not start: ${err}`);
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

async function post(url: string, body: unknown): Promise<{ ms: number; json: any }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/intents`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
  });
  const json = await res.json();
  const ms = performance.now() - t0;
  if (res.status !== 200)
    throw new Error(`POST /intents ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(json)}`);
  return { ms, json };
}

async function waitStage(url: string, slot: number, stage: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    const body = (await (await fetch(`${url}/slots/${slot}`)).json()) as { stage?: string };
    if (body.stage === stage) return;
  }
  throw new Error(`slot ${slot} never reached ${stage}`);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50_ms: round(percentile(s, 0.5)), p99_ms: round(percentile(s, 0.99)) };
};

async function intents(url: string) {
  const marks: number[] = [];
  for (let i = 0; i < MARKS + 300; i++) {
    const r = await post(url, { type: "MARK_PRICE", asset: "BTC-USDT", price: 65000 + (i % 100) });
    if (i >= 300) marks.push(r.ms);
  }
  const enters: number[] = [],
    exits: number[] = [],
    cycles: number[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const slot = i % 8;
    const t0 = performance.now();
    enters.push(
      (
        await post(url, {
          type: "ENTER",
          slot_id: slot,
          trade_id: `HB${i}`,
          asset: "BTC-USDT",
          side: "LONG",
          size: 0.01,
          price: null,
          leverage: 5,
        })
      ).ms,
    );
    await waitStage(url, slot, "POSITION_OPEN");
    exits.push((await post(url, { type: "EXIT", slot_id: slot, size: 0.01, reason: "SIGNAL" })).ms);
    await waitStage(url, slot, "CLOSED");
    cycles.push(performance.now() - t0);
  }
  return {
    mark_price: stats(marks),
    enter_post: stats(enters),
    exit_post: stats(exits),
    enter_exit_cycle: stats(cycles),
  };
}

function onceWall(): { runs: number; wall_ms_median: number; min_ms: number; max_ms: number } {
  const times: number[] = [];
  for (let i = 0; i < ONCE_RUNS + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(EXE, ["once"], {
      env: { ...baseEnv, DITA_V2_STATE_DIR: join(scratch, "once") },
      stdio: "ignore",
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`dita-v2 once exited ${r.status}`);
    if (i >= 2) times.push(ms);
  }
  return {
    runs: ONCE_RUNS,
    wall_ms_median: round(median(times), 1),
    min_ms: round(Math.min(...times), 1),
    max_ms: round(Math.max(...times), 1),
  };
}

const tool = ensureWrk();
const serve = await startServe();
let result: Record<string, unknown>;
try {
  for (let i = 0; i < 200; i++)
    for (const p of ["/health", "/status", "/slots"]) await (await fetch(`${serve.url}${p}`)).arrayBuffer();
  await Bun.sleep(2000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++, await Bun.sleep(200)) samples.push(rssMb(serve.pid));
  const runs: LoadResult[] = [];
  for (let i = 0; i < RUNS; i++)
    runs.push(
      tool
        ? wrkRun(`${serve.url}/health`, { ...LOAD, threads: LOAD.threads })
        : await bunRun(`${serve.url}/health`, LOAD),
    );
  const health = {
    rps_median: round(median(runs.map((r) => r.rps)), 0),
    p50_ms_median: median(runs.map((r) => r.p50_ms)),
    p99_ms_median: median(runs.map((r) => r.p99_ms)),
    runs,
  };
  const rssAfterLoad = rssMb(serve.pid);
  const intentStats = await intents(serve.url);
  const idle = round(median(samples), 1);
  result = {
    bench: "http",
    runtime: `bun ${Bun.version}`,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    load_generator: { tool: tool ?? `bun fetch client (${LOAD.connections} connections)`, ...LOAD, runs: RUNS },
    health: {
      ...health,
      target: { rps_min: 20_000, p99_ms_max: 5 },
      within_target: health.rps_median >= 20_000 && health.p99_ms_median <= 5,
    },
    intents: { venue: "MOCK", client: "one sequential keep-alive fetch client", ...intentStats },
    idle_rss: {
      slots: 8,
      vmrss_mb_median: idle,
      samples_mb: samples.map((x) => round(x, 1)),
      after_load_mb: round(rssAfterLoad, 1),
      target_mb_max: 80,
      within_target: idle <= 80,
    },
    once: onceWall(),
  };
} finally {
  const code = await serve.stop();
  if (code !== 0) console.error(`serve exited ${code} on SIGTERM`);
  rmSync(scratch, { recursive: true, force: true });
}
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/http.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
