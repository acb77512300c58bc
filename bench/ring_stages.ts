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

import { stagesInChild } from "./_clients_stages.ts";
import { alternatingRounds, BACK_TO_BACK_MS, overRounds, ratiosOf, writeStageResult } from "./_stage_rounds.ts";

const { runs, setup } = await alternatingRounds("ring-stages", {
  paced: stagesInChild,
  back_to_back: (o) => stagesInChild({ ...o, backToBackMs: BACK_TO_BACK_MS }),
});
const paced = overRounds(runs.paced);
const hot = overRounds(runs.back_to_back);
const ratios = ratiosOf(paced, hot);
writeStageResult("ring_stages", {
  setup,
  paced_like_a_strategy_us: paced,
  back_to_back_us: hot,
  ratio_paced_over_back_to_back: ratios,
  rounds: runs,
});
console.log(
  JSON.stringify({ paced_total_p50: paced.total_p50, back_to_back_total_p50: hot.total_p50, ratios }, null, 1),
);
