/**
 * Where `POST /intents`' time goes, beside the ring path's, side by side in one run (writes
 * bench/results/http_stages.json). Alternating rounds of: the ring path paced like a strategy
 * (bench/_clients_stages.ts), POST /intents paced the same way, and POST /intents back to back (3 ms
 * apart, the adapter's budget lifted: the path stays in the CPU's caches) — bench/_http_stages.ts, each
 * in a bun process of its own with serve's eager JIT tiers. Medians over rounds per stage; the front of
 * each path (intent written → the executor's dispatch) against the other's, and the stages both share
 * (dispatch → first byte at the venue) as ratios HTTP / ring.
 *
 *   bun bench/http_stages.ts [TRADES_PER_ROUND (100)] [ROUNDS (2)]
 */

import { stagesInChild } from "./_clients_stages.ts";
import { httpStagesInChild } from "./_http_stages.ts";
import { alternatingRounds, BACK_TO_BACK_MS, overRounds, writeStageResult } from "./_stage_rounds.ts";

const { runs, setup } = await alternatingRounds("http-stages", {
  ring_paced: stagesInChild,
  http_paced: httpStagesInChild,
  http_back_to_back: (o) => httpStagesInChild({ ...o, backToBackMs: BACK_TO_BACK_MS }),
});
const ring = overRounds(runs.ring_paced);
const http = overRounds(runs.http_paced);
const hot = overRounds(runs.http_back_to_back);
const sum = (o: Record<string, number>, keys: string[]) => Number(keys.reduce((n, k) => n + o[k]!, 0).toFixed(1));
const front = {
  ring_push_to_dispatch: sum(ring, ["push_to_drain_wakeup", "drain_to_dispatch_kernel_outcome_journal"]),
  http_write_to_dispatch: sum(http, [
    "write_to_handler_http_parse_loopback",
    "handler_to_runtime_body_json_schema",
    "runtime_to_dispatch_rules_kernel_mirror_journal",
  ]),
};
const shared = [
  "dispatch_to_adapter_submit",
  "adapter_submit_to_transport_rules_mark_sign",
  "transport_to_first_byte_at_venue_encode_write_loopback",
];
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
const result = {
  setup,
  http_paced_like_a_strategy_us: http,
  http_back_to_back_us: hot,
  ring_paced_like_a_strategy_us: ring,
  front_to_dispatch_us: front,
  ratios_http_over_ring: {
    total_p50: ratio(http.total_p50!, ring.total_p50!),
    front_to_dispatch: ratio(front.http_write_to_dispatch, front.ring_push_to_dispatch),
    ...Object.fromEntries(shared.map((k) => [k, ratio(http[k]!, ring[k]!)])),
  },
  ratio_http_paced_over_back_to_back_total_p50: ratio(http.total_p50!, hot.total_p50!),
  rounds: runs,
};
writeStageResult("http_stages", result);
console.log(
  JSON.stringify({ http, ring_total_p50: ring.total_p50, front, ratios: result.ratios_http_over_ring }, null, 1),
);
