/**
 * Strategy clients benchmark, one run, side by side (writes bench/results/clients.json). The
 * kernel is the built executable (`dist/dita-v2 serve`, real Zinc, journal on, the default
 * adaptive idle spin); every figure is measured in this run:
 *  (1) Submit → outcome: one MARK_PRICE at a time through the ring and the outcome lane, by the
 *      Python client (clients_python.py) and the TypeScript client, p50/p99/max µs and the waits
 *      over 10 ms, in ROUNDTRIP_ROUNDS rounds (bench/_clients_roundtrip.ts); with `--base`, that
 *      commit's clients against the same serve, alternating.
 *  (2) Throughput from one Python process: push_many (the ring drained by the kernel) and pipelined
 *      batches with every outcome read back, against POST /intents over HTTP (wrk with a POST
 *      script, else a Bun client with 32 connections): intents/s and the ratio.
 *  (3) Intent → the order request's first byte at the venue: bingx-sim (in this process, rate
 *      limits lifted) behind a C relay (ffi/bench_first_byte.c) that reports each request's first
 *      byte with the kernel's receive timestamp, on the clock the intents are stamped with
 *      (CLOCK_REALTIME): no process's wake-up on the data is in the figure. Ring: the TypeScript
 *      client's push; HTTP: POST /intents by Bun's fetch (which hands the request to its own
 *      thread) and by a client that writes it in its own turn on a kept-alive connection
 *      (`http_own_turn`, the adapter's transport, as wrk writes): the difference is the client's.
 *      Market entries and exits, p50/p99 µs, after warm-up trades. Orders are
 *      paced under the adapter's own placement budget (BingX's 10/s × the 0.8 margin), as a
 *      strategy within the venue's limits sends them: the figure is the order path, not a wait in
 *      the throttle (which bench/throttle.ts measures).
 *  (4) Where the ring path's time goes, stage by stage: the same path with the runtime in one
 *      bun process (the code serve runs, with its eager JIT tiers), stamped at each hand-over,
 *      with the drain → dispatch stage and the transport cut finer, and the signing timed in the
 *      placement against the path warmer's rehearsals of it (bench/_clients_stages.ts).
 * For context: the plain-C futex ping-pong floor and the load average, measured at the start.
 *
 * (3) runs side by side, in alternating rounds: this build with the path warmer off, with the
 * engine's default JIT tiers (DITA_V2_JIT=DEFAULT), with the ring spun on every turn
 * (DITA_V2_RING_WAIT=SPIN), and as configured by default; with
 * `--base COMMIT` that commit's serve too (built once in .cache/clients-base-<commit>), with
 * each serve's CPU while idle; the ratios are this build's over each other variant's.
 *
 *   bun bench/clients.ts [ROUNDTRIPS (20000)] [TRADES (200)] [PUSHES (500000)] [--base COMMIT]
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DitaClient } from "../clients/typescript/index.ts";
import { startBingxSim } from "../src/sim/index.ts";
import { HttpWire } from "../src/venue/bingx/http_wire.ts";
import { httpIntentRate } from "./_clients_http.ts";
import { pythonBench, roundtrips } from "./_clients_roundtrip.ts";
import { stagesInChild } from "./_clients_stages.ts";
import { PLACEMENT_PACE_MS, placementPacer, realtimeNs, startProbe } from "./_venue_probe.ts";
import { percentile } from "./http_load.ts";
import { futexFloor } from "./zinc_harness.ts";

const ROOT = join(import.meta.dir, "..");
const EXE = join(ROOT, "dist/dita-v2");
const baseAt = process.argv.indexOf("--base");
const BASE = baseAt > 0 ? process.argv[baseAt + 1] : undefined;
if (BASE !== undefined && !/^[0-9a-f]{7,40}$/.test(BASE)) throw new Error(`--base needs a commit id, got ${BASE}`);
const numbers = process.argv.slice(2).filter((a, i, all) => a !== "--base" && all[i - 1] !== "--base");
const ROUNDTRIPS = Number(numbers[0] ?? 20_000);
const TRADES = Number(numbers[1] ?? 200);
const PUSHES = Number(numbers[2] ?? 500_000);
const VENUE_ROUNDS = 4;
const ROUNDTRIP_ROUNDS = 3;
const IDLE_CPU_S = 10;
const WARMUP_TRADES = 10;
const TOKEN = "bench-clients-token-0123456789abcdef";
const KEY = "benchClientsKeyAAAAbbbbCCCC0123";
const SECRET = "benchClientsSecretZZZZyyyy98765";
const round = (x: number, d = 1) => Number(x.toFixed(d));
if (!existsSync(EXE)) throw new Error(`${EXE} is missing: run 'npm run build' first`);
if (
  Bun.spawnSync(["make", "-s", "-C", join(ROOT, "ffi"), "build/bench_futex", "build/bench_first_byte"]).exitCode !== 0
)
  throw new Error("make -C ffi failed: the futex floor and the first-byte relay are C programs");
const scratch = mkdtempSync(join(tmpdir(), "dita-bench-clients-"));
const lib = Bun.spawnSync([EXE, "zinc-lib", "--out", join(scratch, "lib")])
  .stdout.toString()
  .trim();

async function serve(prefix: string, extra: Record<string, string>, exe = EXE) {
  const proc = Bun.spawn([exe, "serve"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DITA_V2_ZINC: "REAL",
      DITA_V2_ZINC_PREFIX: prefix,
      DITA_V2_STATE_DIR: join(scratch, prefix),
      DITA_V2_HTTP_PORT: "0",
      DITA_V2_OPERATOR_TOKEN: TOKEN,
      ...extra,
    },
    stdout: "ignore",
    stderr: "pipe",
  });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let log = "";
  while (!/serving (http:\/\/\S+)/.test(log)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve did not start: ${log}`);
    log += new TextDecoder().decode(value);
  }
  void (async () => {
    while (!(await reader.read()).done) {}
  })();
  const url = /serving (http:\/\/\S+)/.exec(log)![1]!;
  return {
    url,
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      for (const k of ["intents", "state", "outcomes"]) rmSync(`/dev/shm/${prefix}.${k}`, { force: true });
    },
  };
}

/** (1) and (2): a mock-venue serve; the Python client from its own process; HTTP alongside. */
async function pythonFigures() {
  const s = await serve(`dita_bench_py_${process.pid}`, { DITA_V2_VENUE: "MOCK" });
  try {
    const roundtrip = await roundtrips({
      prefix: `dita_bench_py_${process.pid}`,
      lib,
      n: ROUNDTRIPS,
      rounds: ROUNDTRIP_ROUNDS,
      ...(BASE === undefined ? {} : { baseDir: dirname(dirname(baseExecutable(BASE))) }),
    });
    type Rates = Record<string, number> & { drained_per_s: number; intents_per_s: number };
    const pushrate = pythonBench<Rates>("pushrate", `dita_bench_py_${process.pid}`, lib, PUSHES);
    const pipelined = pythonBench<Rates>("pipelined", `dita_bench_py_${process.pid}`, lib, Math.min(PUSHES, 200_000));
    const http = await httpIntentRate(s.url, TOKEN);
    return { roundtrip, pushrate, pipelined, http };
  } finally {
    await s.stop();
  }
}

/** CPU time (user + system) of a process in seconds, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A serve's CPU share of one core while nothing is sent to it, over IDLE_CPU_S seconds. */
async function idleCpuPercent(pid: number): Promise<number> {
  const before = cpuSeconds(pid);
  await Bun.sleep(IDLE_CPU_S * 1000);
  return round(((cpuSeconds(pid) - before) / IDLE_CPU_S) * 100, 2);
}

/**
 * (3): ring and HTTP intents to the order's first byte at the venue, one after the other per
 * trade, against the serve of `exe` with `env`; with `idle`, first that serve's CPU while idle.
 */
async function venueFirstByte(trades: number, exe: string, env: Record<string, string>, idle: boolean) {
  const unlimited = Object.fromEntries(
    [
      "place_order",
      "cancel_order",
      "query_order",
      "open_orders",
      "positions",
      "balance",
      "leverage",
      "listen_key",
      "market",
    ].map((k) => [k, 1e6]),
  );
  const sim = await startBingxSim({
    port: 0,
    apiKey: KEY,
    secret: SECRET,
    seed: 5,
    balance: 1e7,
    rateLimitsPerS: unlimited,
    ipLimits: false,
  });
  const probe = await startProbe(sim.port);
  const prefix = `dita_bench_venue_${process.pid}`;
  const s = await serve(
    prefix,
    {
      DITA_V2_VENUE: "BINGX",
      BINGX_BASE_URL: probe.url,
      BINGX_WS_URL: sim.wsUrl,
      BINGX_API_KEY: KEY,
      BINGX_API_SECRET: SECRET,
      ...env,
    },
    exe,
  );
  const idleCpu = idle ? await idleCpuPercent(s.pid) : null;
  const client = DitaClient.connect({ prefix, libPath: lib });
  const stage = async (want: string) => {
    while (client.slot(0).stage !== want) await client.waitForChange(100);
  };
  const lat = { ring: [] as number[], http: [] as number[], http_own_turn: [] as number[] };
  // POST /intents as a client that writes the request in its own turn on a kept-alive connection
  // (the venue adapter's own transport, as wrk does), beside Bun's fetch, which hands it to a thread.
  const wire = new HttpWire(s.url, { nowMs: Date.now });
  let unstamped = 0;
  const pace = placementPacer();
  try {
    for (let i = 0; i < trades + WARMUP_TRADES; i++) {
      for (const path of ["ring", "http", "http_own_turn"] as const) {
        for (const type of ["ENTER", "EXIT"] as const) {
          await pace();
          const arrival = probe.nextOrder();
          const t0 = realtimeNs();
          if (path === "ring") {
            if (type === "ENTER")
              client.push({
                type,
                slotId: 0,
                tradeId: `b${i}${path}`,
                asset: "BTC-USDT",
                side: "LONG",
                size: 0.001,
                leverage: 2,
              });
            else client.push({ type, slotId: 0, size: 0.001, reason: "SIGNAL" });
          } else {
            const body =
              type === "ENTER"
                ? {
                    type,
                    slot_id: 0,
                    trade_id: `b${i}${path}`,
                    asset: "BTC-USDT",
                    side: "LONG",
                    size: 0.001,
                    price: null,
                    leverage: 2,
                  }
                : { type, slot_id: 0, size: 0.001, reason: "SIGNAL" };
            void (path === "http" ? fetch : wire.fetch)(`${s.url}/intents`, {
              method: "POST",
              headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
              body: JSON.stringify(body),
            }).catch(() => {}); // the answer is not read; the connection's close at the end rejects it
          }
          const a = await arrival;
          if (!a.kernelStamp) unstamped++;
          if (i >= WARMUP_TRADES) lat[path].push((a.firstByteNs - t0) / 1000);
          await stage(type === "ENTER" ? "POSITION_OPEN" : "CLOSED");
        }
      }
    }
  } finally {
    client.close();
    wire.close();
    await s.stop();
    probe.stop();
    sim.stop();
  }
  return { lat, unstamped, idleCpu };
}

const summary = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { n: xs.length, p50_us: round(percentile(sorted, 0.5)), p99_us: round(percentile(sorted, 0.99)) };
};

/**
 * (3) for every variant, in VENUE_ROUNDS rounds that alternate them (each round a fresh sim and
 * serve per variant), so a change in the host's load falls on all of them alike.
 */
async function venueVariants() {
  const variants: { name: string; exe: string; env: Record<string, string> }[] = [
    ...(BASE ? [{ name: `base ${BASE}`, exe: baseExecutable(BASE), env: {} }] : []),
    { name: "now, path warmer off", exe: EXE, env: { DITA_V2_WARM_PATH_MS: "0" } },
    { name: "now, DITA_V2_JIT=DEFAULT", exe: EXE, env: { DITA_V2_JIT: "DEFAULT" } },
    { name: "now, DITA_V2_RING_WAIT=SPIN", exe: EXE, env: { DITA_V2_RING_WAIT: "SPIN" } },
    { name: "now", exe: EXE, env: {} },
  ];
  const got = variants.map(() => ({
    ring: [] as number[],
    http: [] as number[],
    http_own_turn: [] as number[],
    unstamped: 0,
    idle: [] as number[],
  }));
  for (let round = 0; round < VENUE_ROUNDS; round++)
    for (const [k, v] of variants.entries()) {
      const r = await venueFirstByte(Math.ceil(TRADES / VENUE_ROUNDS), v.exe, v.env, round === 0);
      got[k]!.ring.push(...r.lat.ring);
      got[k]!.http.push(...r.lat.http);
      got[k]!.http_own_turn.push(...r.lat.http_own_turn);
      got[k]!.unstamped += r.unstamped;
      if (r.idleCpu !== null) got[k]!.idle.push(r.idleCpu);
    }
  const rows = variants.map((v, k) => ({
    variant: v.name,
    ring: summary(got[k]!.ring),
    http: summary(got[k]!.http),
    http_own_turn: summary(got[k]!.http_own_turn),
    idle_cpu_percent_of_one_core: got[k]!.idle[0] ?? null,
    arrivals_without_kernel_timestamp: got[k]!.unstamped,
  }));
  const now = rows.at(-1)!;
  const ratio = (a: number, b: number) => round(a / b, 2);
  const versus = rows.slice(0, -1).map((r) => ({
    now_over: r.variant,
    ring_p50: ratio(now.ring.p50_us, r.ring.p50_us),
    ring_p99: ratio(now.ring.p99_us, r.ring.p99_us),
    http_p50: ratio(now.http.p50_us, r.http.p50_us),
    http_own_turn_p50: ratio(now.http_own_turn.p50_us, r.http_own_turn.p50_us),
  }));
  return { ring: now.ring, http: now.http, http_own_turn: now.http_own_turn, variants: rows, ratios: versus };
}

/** The serve of commit `commit`, built once in its own worktree (.cache/clients-base-<commit>). */
function baseExecutable(commit: string): string {
  const dir = join(ROOT, ".cache", `clients-base-${commit}`);
  const exe = join(dir, "dist/dita-v2");
  if (existsSync(exe)) return exe;
  const run = (cmd: string[], cwd: string) => {
    const r = Bun.spawnSync(cmd, { cwd, stdout: "inherit", stderr: "inherit" });
    if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed in ${cwd}`);
  };
  if (!existsSync(dir)) run(["git", "worktree", "add", "--detach", dir, commit], ROOT);
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  run([process.execPath, "scripts/build.ts"], dir);
  return exe;
}

const floor = futexFloor(ROOT);
const load = loadavg().map((x) => round(x, 2));
const py = await pythonFigures();
const venue = await venueVariants();
const stages = await stagesInChild({ trades: Math.min(TRADES, 100), key: KEY, secret: SECRET, scratch });
const result = {
  bench: "clients",
  runtime: `bun ${Bun.version}, python3 (clients/python)`,
  context: { load_average_1_5_15: load, c_futex_pingpong_floor: floor },
  python_submit_to_outcome_us: { ...py.roundtrip.now.python, target: { p50_max: 30, p99_max: 200 } },
  typescript_submit_to_outcome_us: py.roundtrip.now.typescript,
  ...(py.roundtrip.base === null ? {} : { submit_to_outcome_base_clients_us: { commit: BASE, ...py.roundtrip.base } }),
  python_throughput: {
    push_many: py.pushrate,
    pipelined_with_outcomes: py.pipelined,
    http_post_intents: py.http,
    ratio_push_many_to_http: round(py.pushrate.drained_per_s / py.http.intents_per_s, 2),
    ratio_pipelined_to_http: round(py.pipelined.intents_per_s / py.http.intents_per_s, 2),
    target_intents_per_s_min: 100_000,
  },
  intent_to_venue_first_byte_us: {
    ...venue,
    placements_paced_ms: PLACEMENT_PACE_MS,
    targets: { ring: { p50_max: 100, p99_max: 500 }, http: { p50_max: 250 } },
  },
  ring_path_stages_us: stages,
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/clients.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
