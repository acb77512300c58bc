/**
 * Stage breakdowns over rounds (bench/ring_stages.ts, bench/http_stages.ts): the variants run in
 * alternating rounds (`bun bench/X.ts [TRADES_PER_ROUND (100)] [ROUNDS (2)]`, one scratch directory
 * removed after), each round's figures flattened to `a.b` keys, the median over rounds per key, the
 * ratio of two such summaries, and the result written to bench/results/<bench>.json.
 *
 * Entry points: `alternatingRounds(tag, variants)`, `overRounds(rounds)`, `ratiosOf(a, b)`,
 * `writeStageResult(bench, body)`, `BACK_TO_BACK_MS`.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { StageOptions } from "./_stage_rig.ts";

const KEY = "benchStagesKeyAAAAbbbbCCCC0123";
const SECRET = "benchStagesSecretZZZZyyyy98765";
/** Back to back: orders this many ms apart, the adapter's placement budget lifted. */
export const BACK_TO_BACK_MS = 3;

/** Each variant once per round, in order, for the rounds the command line asks; the runs and the set-up. */
export async function alternatingRounds<K extends string>(
  tag: string,
  variants: Record<K, (o: StageOptions) => Promise<object>>,
): Promise<{ runs: Record<K, object[]>; setup: Record<string, number> }> {
  const trades = Number(process.argv[2] ?? 100);
  const rounds = Number(process.argv[3] ?? 2);
  const names = Object.keys(variants) as K[];
  const runs = Object.fromEntries(names.map((k) => [k, [] as object[]])) as Record<K, object[]>;
  const scratch = mkdtempSync(join(tmpdir(), `dita-bench-${tag}-`));
  try {
    for (let r = 0; r < rounds; r++)
      for (const k of names) runs[k].push(await variants[k]({ trades, key: KEY, secret: SECRET, scratch }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { runs, setup: { trades_per_round: trades, rounds, back_to_back_ms: BACK_TO_BACK_MS } };
}

/** bench/results/<bench>.json: the bench's name, the runtime, the load average now, then `body`. */
export function writeStageResult(bench: string, body: object): void {
  const result = {
    bench,
    runtime: `bun ${Bun.version}`,
    context: { load_average_1_5_15: loadavg().map((x) => Number(x.toFixed(2))) },
    ...body,
  };
  const dir = join(import.meta.dir, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${bench}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** Every numeric leaf of a stage breakdown, flattened to `a.b` keys. */
function leaves(o: Record<string, unknown>, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "number") out[prefix + k] = v;
    else if (v !== null && typeof v === "object")
      Object.assign(out, leaves(v as Record<string, unknown>, `${prefix}${k}.`));
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The median over rounds of each stage figure. */
export function overRounds(xs: readonly object[]): Record<string, number> {
  const flat = xs.map((x) => leaves(x as Record<string, unknown>));
  return Object.fromEntries(Object.keys(flat[0]!).map((k) => [k, Number(median(flat.map((f) => f[k]!)).toFixed(1))]));
}

/** a[k] / b[k] for every key both hold (b[k] > 0), counts and rehearsal tallies aside. */
export function ratiosOf(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(a)
      .filter((k) => k !== "n" && !k.startsWith("signing_us.rehearsals") && (b[k] ?? 0) > 0)
      .map((k) => [k, Number((a[k]! / b[k]!).toFixed(2))]),
  );
}
