/**
 * Bench: the BingX throttle under 20 strategies' worth of intents. Per round: `dist/dita-v2 sim`
 * with its default (BingX's real) rate limits, `dist/dita-v2 serve` on BINGX against it with 20
 * slots, then 20 concurrent strategy clients for DURATION_S seconds, each doing ENTER (MARKET) →
 * fill → hold → EXIT → fill cycles through HTTP POST /intents.
 *
 * Offered load: a market "signal" every SIGNAL_MS; each strategy that is idle follows it with
 * probability FOLLOW (seeded), so up to 20 entries arrive at the same instant — twice the 10
 * placements/s BingX allows — and their exits follow after a seeded hold of HOLD_MS. Offered
 * orders per second (mean and the busiest second) are measured and reported.
 *
 * Reported per round, and the median over ROUNDS: the sim's 429 count (must be 0), orders the
 * sim executed, the throttle's added latency per request p50/p99 (from the adapter's stats in
 * GET /status, last 4096 requests, zeros included) and intent → ack p50/p99 (client send time to
 * the kernel's `now_ms` of the slot's first venue-driven transition: ACK, FILL or REJECT).
 *
 * Writes bench/results/throttle.json. Run: bun bench/throttle.ts [ROUNDS (3)] [DURATION_S (60)]
 * (build first: npm run build).
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { EXE, ROOT, startServeProc, startSimProc, type Transition, TransitionFeed } from "./_procs.ts";
import { percentile } from "./http_load.ts";

const ROUNDS = Number(process.argv[2] ?? 3);
const DURATION_S = Number(process.argv[3] ?? 60);
const STRATEGIES = 20;
const SIGNAL_MS = 4000;
const FOLLOW = 0.75;
const HOLD_MS = [500, 2500] as const;
const ASSETS = [
  ["BTC-USDT", 0.001],
  ["ETH-USDT", 0.02],
] as const;
const KEY = "benchThrottleKey0123456789abcdef";
const SECRET = "benchThrottleSecret0123456789abcdef";
const TOKEN = "bench-throttle-token-0123456789abcdef";
const VENUE_TRIGGERS = new Set(["ACK", "PARTIAL_FILL", "FULL_FILL", "REJECT"]);

if (!existsSync(EXE)) throw new Error(`${EXE} is missing: run 'npm run build' first`);

/** xorshift32: the bench's only randomness, seeded per strategy and round. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const round3 = (x: number) => Number(x.toFixed(3));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Tally {
  posted: number[]; // send instants of order-making intents (ms)
  ackMs: number[];
  cycles: number;
  rejected: number;
  refusedHttp: number;
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/intents`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
  });
  await res.text();
  return res.status;
}

/** Sends one order-making intent and waits for the slot's first venue-driven transition. */
async function order(
  url: string,
  feed: TransitionFeed,
  slot: number,
  body: unknown,
  t: Tally,
): Promise<Transition | null> {
  const acked = feed.next(slot, (x) => VENUE_TRIGGERS.has(x.trigger), 30_000);
  const sent = Date.now();
  t.posted.push(sent);
  if ((await post(url, body)) !== 200) {
    t.refusedHttp++;
    acked.catch(() => {});
    return null;
  }
  const ack = await acked;
  t.ackMs.push(ack.now_ms - sent);
  return ack;
}

async function strategy(url: string, feed: TransitionFeed, slot: number, round: number, start: number, t: Tally) {
  const draw = rng(round * 7919 + slot * 104_729 + 1);
  const [asset, size] = ASSETS[slot % ASSETS.length]!;
  for (let n = 0; ; n++) {
    const signal = start + Math.ceil((Date.now() - start + 1) / SIGNAL_MS) * SIGNAL_MS;
    if (signal >= start + DURATION_S * 1000) return;
    await sleep(signal - Date.now());
    if (draw() >= FOLLOW) continue;
    const enter = { type: "ENTER", slot_id: slot, trade_id: `TB${round}s${slot}n${n}`, asset, side: "LONG", size };
    const filled = feed.next(slot, (x) => x.to === "POSITION_OPEN" || x.to === "IDLE", 30_000);
    if ((await order(url, feed, slot, { ...enter, price: null, leverage: 5 }, t)) === null) {
      filled.catch(() => {});
      continue;
    }
    if ((await filled).to === "IDLE") {
      t.rejected++;
      continue;
    }
    await sleep(HOLD_MS[0] + draw() * (HOLD_MS[1] - HOLD_MS[0]));
    const closed = feed.next(slot, (x) => x.to === "CLOSED" || x.trigger === "REJECT", 30_000);
    if ((await order(url, feed, slot, { type: "EXIT", slot_id: slot, size, reason: "SIGNAL" }, t)) === null) {
      closed.catch(() => {});
      return; // the position stays open: this strategy stops, counted as refused
    }
    if ((await closed).to !== "CLOSED") t.rejected++;
    t.cycles++;
  }
}

async function runRound(round: number) {
  const scratch = mkdtempSync(join(tmpdir(), "dita-bench-throttle-"));
  const sim = await startSimProc(KEY, SECRET, 100 + round);
  const serve = await startServeProc({
    DITA_V2_VENUE: "BINGX",
    DITA_V2_SLOTS: String(STRATEGIES),
    DITA_V2_STATE_DIR: scratch,
    DITA_V2_OPERATOR_TOKEN: TOKEN,
    BINGX_BASE_URL: sim.url,
    BINGX_WS_URL: sim.wsUrl,
    BINGX_API_KEY: KEY,
    BINGX_API_SECRET: SECRET,
  });
  const feed = new TransitionFeed(serve.url, TOKEN);
  await sleep(300); // the event stream is open before the first intent
  const t: Tally = { posted: [], ackMs: [], cycles: 0, rejected: 0, refusedHttp: 0 };
  const start = Date.now();
  await Promise.all(Array.from({ length: STRATEGIES }, (_, slot) => strategy(serve.url, feed, slot, round, start, t)));
  const elapsedS = (Date.now() - start) / 1000;
  const status = (await (
    await fetch(`${serve.url}/status`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  ).json()) as {
    venue: { throttle: Record<string, number> };
  };
  const simState = (await (await fetch(`${sim.url}/_sim/state`)).json()) as { counters: Record<string, number> };
  feed.close();
  await serve.stop();
  await sim.stop();
  rmSync(scratch, { recursive: true, force: true });
  const perSecond = new Map<number, number>();
  for (const at of t.posted) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  const acks = sorted(t.ackMs);
  const th = status.venue.throttle;
  return {
    sim_429: simState.counters.rate_limited!,
    orders_sent: simState.counters.orders_placed!,
    cycles: t.cycles,
    rejected: t.rejected,
    refused_http: t.refusedHttp,
    offered_orders_per_s_mean: round3(t.posted.length / elapsedS),
    offered_orders_per_s_peak: Math.max(...perSecond.values()),
    throttle: {
      requests: th.requests!,
      waited: th.waited!,
      refused: th.refused!,
      rate_limited: th.rate_limited!,
      queued_max: th.queued_max!,
      wait_ms_p50: th.wait_ms_p50!,
      wait_ms_p99: th.wait_ms_p99!,
      wait_ms_max: th.wait_ms_max!,
    },
    intent_to_ack_ms: { n: acks.length, p50: percentile(acks, 0.5), p99: percentile(acks, 0.99) },
  };
}

const rounds: Awaited<ReturnType<typeof runRound>>[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const res = await runRound(r);
  console.log(`round ${r}: ${JSON.stringify(res)}`);
  rounds.push(res);
}
const med = (f: (x: (typeof rounds)[number]) => number) => median(rounds.map(f));
const result = {
  bench: "throttle",
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown" },
  setup: {
    rounds: ROUNDS,
    duration_s: DURATION_S,
    strategies: STRATEGIES,
    signal_ms: SIGNAL_MS,
    follow_probability: FOLLOW,
    hold_ms: HOLD_MS,
    assets: ASSETS,
    sim_limits: "bingx-sim defaults (place 10/s, cancel/query 5/s, market 50/s per key)",
    margin: 0.8,
  },
  median: {
    sim_429: med((x) => x.sim_429),
    orders_sent: med((x) => x.orders_sent),
    offered_orders_per_s_mean: med((x) => x.offered_orders_per_s_mean),
    offered_orders_per_s_peak: med((x) => x.offered_orders_per_s_peak),
    throttle_wait_ms_p50: med((x) => x.throttle.wait_ms_p50),
    throttle_wait_ms_p99: med((x) => x.throttle.wait_ms_p99),
    intent_to_ack_ms_p50: med((x) => x.intent_to_ack_ms.p50),
    intent_to_ack_ms_p99: med((x) => x.intent_to_ack_ms.p99),
  },
  sim_429_total: rounds.reduce((a, x) => a + x.sim_429, 0),
  rounds,
};
console.log(JSON.stringify(result.median));
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/throttle.json"), `${JSON.stringify(result, null, 2)}\n`);
if (result.sim_429_total !== 0) {
  console.error(`throttle bench: the sim answered ${result.sim_429_total} 429s`);
  process.exit(1);
}
