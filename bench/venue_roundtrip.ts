/**
 * Round trip through the real BingX adapter against bingx-sim on loopback: intent → order
 * acknowledged → fill applied by the kernel, for entries and exits, p50/p99 in milliseconds.
 * The path is the production one: ExecutionKernel → Executor → BingxVenueAdapter (signed REST
 * placement) → bingx-sim → gzip user stream → normalizer → kernel. The sim's per-key rate limits
 * and the adapter's throttle are raised so the bench measures latency, not BingX's 10 orders/s
 * budget. Also the adapter's
 * own overhead per request (bench/venue_adapter.ts measures it alone). Results in
 * bench/results/venue_roundtrip.json.
 *
 *   bun bench/venue_roundtrip.ts [TRADES (300)]
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StrategyIntent } from "../src/contracts/index.ts";
import type { KernelOutcome } from "../src/contracts/records.ts";
import { ExecutionKernel } from "../src/kernel/index.ts";
import { Executor } from "../src/launcher/executor.ts";
import { SystemClock } from "../src/launcher/system_clock.ts";
import { startBingxSim } from "../src/sim/index.ts";
import { endpoints } from "../src/venue/bingx/index.ts";
import { BingxVenueAdapter } from "../src/venue/index.ts";

const TRADES = Number(process.argv[2] ?? 300);
const KEY = "benchKeyAAAAbbbbCCCCdddd01234567";
const SECRET = "benchSecretZZZZyyyyXXXXwwww98765432";
const clock = new SystemClock();
const unlimited = Object.fromEntries(
  [
    "place_order",
    "test_order",
    "cancel_order",
    "cancel_all",
    "query_order",
    "open_orders",
    "all_orders",
    "positions",
    "balance",
    "leverage",
    "listen_key",
    "market",
  ].map((k) => [k, 100_000]),
);
const sim = await startBingxSim({
  port: 0,
  apiKey: KEY,
  secret: SECRET,
  seed: 7,
  prices: { "BTC-USDT": 65_000 },
  balance: 1_000_000,
  rateLimitsPerS: unlimited,
  ipLimits: false,
});
const adapter = new BingxVenueAdapter(
  {
    apiKey: KEY,
    secret: SECRET,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock,
    timeoutMs: 5000,
  },
  // The adapter's throttle is raised with the sim (bench/throttle.ts measures it at the real limits).
  { throttle: { limitsPerS: Object.fromEntries(Object.keys(endpoints.RATE_LIMITS_PER_S).map((k) => [k, 100_000])) } },
);
const kernel = ExecutionKernel.open({ slotCount: 1 });
let waiting: { until: (o: KernelOutcome) => boolean; resolve: () => void } | null = null;
const executor = new Executor(kernel, adapter, clock, {
  afterApply: (_input, o) => {
    if (waiting?.until(o)) {
      const w = waiting;
      waiting = null;
      w.resolve();
    }
  },
});
await adapter.connect();
executor.applySystem({ type: "SEED_CAPITAL", capital: (await adapter.balance()).balance, now_ms: clock.nowMs() });

/** Submits an intent and resolves when a transition to `stage` (by a fill) is applied. */
function timed(intent: StrategyIntent, stage: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = Bun.nanoseconds();
    const timer = setTimeout(() => reject(new Error(`no ${stage} within 5 s`)), 5000);
    waiting = {
      until: (o) =>
        o.transitions.some((t) => t.to === stage && (t.trigger === "FULL_FILL" || t.trigger === "PARTIAL_FILL")),
      resolve: () => {
        clearTimeout(timer);
        resolve((Bun.nanoseconds() - t0) / 1e6);
      },
    };
    const r = executor.submitStrategy(intent);
    if (!r.accepted) reject(new Error(`refused: ${JSON.stringify(r.diagnostics)}`));
  });
}

const entries: number[] = [];
const exits: number[] = [];
for (let i = 0; i < TRADES; i++) {
  entries.push(
    await timed(
      {
        type: "ENTER",
        slot_id: 0,
        trade_id: `RT${i}`,
        asset: "BTC-USDT",
        side: "LONG",
        size: 0.001,
        price: null,
        leverage: 5,
      },
      "POSITION_OPEN",
    ),
  );
  exits.push(await timed({ type: "EXIT", slot_id: 0, size: 0.001, price: null, reason: "SIGNAL" }, "CLOSED"));
}
await adapter.close();
await sim.stop();

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const warm = (xs: number[]) => xs.slice(Math.min(10, Math.floor(xs.length / 10)));
const result = {
  bench: "venue_roundtrip",
  runtime: `bun ${Bun.version}`,
  trades: TRADES,
  path: "ExecutionKernel -> Executor -> BingxVenueAdapter (signed REST) -> bingx-sim -> gzip user stream -> normalizer -> kernel",
  entry_intent_to_fill_applied_ms: {
    p50: +pct(warm(entries), 0.5).toFixed(3),
    p99: +pct(warm(entries), 0.99).toFixed(3),
  },
  exit_intent_to_fill_applied_ms: { p50: +pct(warm(exits), 0.5).toFixed(3), p99: +pct(warm(exits), 0.99).toFixed(3) },
  trade_seq: kernel.account().trade_seq,
};
kernel.destroy();
if (result.trade_seq !== TRADES)
  throw new Error(`Invariant: ${TRADES} trades should have settled, the kernel counts ${result.trade_seq}`);
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/venue_roundtrip.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
