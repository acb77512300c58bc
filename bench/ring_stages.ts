/**
 * Where the ring path's time goes when it is cold against when it is hot, side by side in one run
 * (writes bench/results/ring_stages.json). The same stage breakdown as bench/clients.ts's section
 * (4) (bench/_clients_stages.ts: serve's runtime with its eager JIT tiers, bingx-sim behind the
 * first-byte relay, the TypeScript client pushing), in alternating rounds:
 *  - paced: market entries and exits paced under the adapter's placement budget (~8 per second),
 *    as a strategy within BingX's limits sends them: between two orders, the rest of the host runs
 *    and evicts the path from the CPU's caches;
 *  - back to back: the same orders 3 ms apart, the adapter's budget lifted (a bench-only throttle):
 *    the path stays in the caches.
 * Medians per stage (µs), the totals' p50/p99, and the ratio paced / back to back per stage: what
 * the order path costs when warm, and how much of the paced figure is the cold caches.
 *
 *   bun bench/ring_stages.ts [TRADES_PER_ROUND (100)] [ROUNDS (2)]
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { stagesInChild } from "./_clients_stages.ts";
import { overRounds, ratiosOf } from "./_stage_rounds.ts";

const ROOT = join(import.meta.dir, "..");
const trades = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 2);
const KEY = "benchStagesKeyAAAAbbbbCCCC0123";
const SECRET = "benchStagesSecretZZZZyyyy98765";
const BACK_TO_BACK_MS = 3;

type Stages = Awaited<ReturnType<typeof stagesInChild>>;
const scratch = mkdtempSync(join(tmpdir(), "dita-bench-ring-stages-"));
const runs: Record<"paced" | "back_to_back", Stages[]> = { paced: [], back_to_back: [] };
try {
  for (let r = 0; r < rounds; r++) {
    runs.paced.push(await stagesInChild({ trades, key: KEY, secret: SECRET, scratch }));
    runs.back_to_back.push(
      await stagesInChild({ trades, key: KEY, secret: SECRET, scratch, backToBackMs: BACK_TO_BACK_MS }),
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const paced = overRounds(runs.paced);
const hot = overRounds(runs.back_to_back);
const ratios = ratiosOf(paced, hot);
const result = {
  bench: "ring_stages",
  runtime: `bun ${Bun.version}`,
  context: { load_average_1_5_15: loadavg().map((x) => Number(x.toFixed(2))) },
  setup: { trades_per_round: trades, rounds, back_to_back_ms: BACK_TO_BACK_MS },
  paced_like_a_strategy_us: paced,
  back_to_back_us: hot,
  ratio_paced_over_back_to_back: ratios,
  rounds: runs,
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/ring_stages.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  JSON.stringify({ paced_total_p50: paced.total_p50, back_to_back_total_p50: hot.total_p50, ratios }, null, 1),
);
