/**
 * The kernel's throughput now against a base commit, side by side in one run: the base is checked
 * out into `.cache/kernel-base-<commit>` (a git worktree, built once with its own scripts and its
 * own profile-guided optimization), then `bench/kernel.ts` runs in the base and here in turns,
 * B A B A ..., and each figure's ratio now/base is taken pair by pair (the machine's drift hits
 * both sides of a pair alike). Medians of the pairs; results in bench/results/kernel_vs_base.json.
 *
 *   bun bench/kernel_vs_base.ts [--base COMMIT] [--pairs N] [--rounds R]
 *
 * Default base: 0207ef4, the last commit before the kernel boundary work (ABI 1.0 → 1.3: inputs
 * by source, trading state and risk limits checked on every ENTER/EXIT, FLATTEN).
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const argv = process.argv;
const opt = (name: string, d: string) => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? d) : d);
const BASE = opt("--base", "0207ef4");
const PAIRS = Number(opt("--pairs", "5"));
const ROUNDS = opt("--rounds", "5");
const FIGURES = [
  "single_call_median",
  "batched_median",
  "batched_one_thread_median",
  "batched_pre_encoded_records_median",
];

const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
const baseCommit = git("rev-parse", "--short", BASE);
const baseDir = join(root, ".cache", `kernel-base-${baseCommit}`);

if (!existsSync(baseDir)) {
  mkdirSync(join(root, ".cache"), { recursive: true });
  git("worktree", "add", "--detach", baseDir, baseCommit);
  symlinkSync(join(root, "node_modules"), join(baseDir, "node_modules"));
}
if (!existsSync(join(baseDir, "dist", "dita-v2"))) {
  const b = spawnSync(process.execPath, ["scripts/build.ts"], { cwd: baseDir, stdio: "inherit" });
  if (b.status !== 0) throw new Error(`building the base ${baseCommit} failed (exit ${b.status})`);
}

function run(dir: string): Record<string, number> {
  const r = spawnSync(process.execPath, ["bench/kernel.ts", "--rounds", ROUNDS], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench/kernel.ts in ${dir} failed: ${r.stderr.slice(-400)}`);
  const doc = JSON.parse(readFileSync(join(dir, "bench/results/kernel.json"), "utf8"));
  return doc.inputs_per_s as Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pairs: Array<{ base: Record<string, number>; now: Record<string, number> }> = [];
for (let i = 0; i < PAIRS; i++) {
  const base = run(baseDir);
  const now = run(root);
  pairs.push({ base, now });
  console.error(`pair ${i + 1}/${PAIRS}: ${FIGURES.map((f) => `${f} ${(now[f]! / base[f]!).toFixed(3)}`).join(" · ")}`);
}
const summary = Object.fromEntries(
  FIGURES.map((f) => [
    f,
    {
      base_median: median(pairs.map((p) => p.base[f]!)),
      now_median: median(pairs.map((p) => p.now[f]!)),
      ratio_now_over_base_median: Number(median(pairs.map((p) => p.now[f]! / p.base[f]!)).toFixed(3)),
      ratio_min: Number(Math.min(...pairs.map((p) => p.now[f]! / p.base[f]!)).toFixed(3)),
      ratio_max: Number(Math.max(...pairs.map((p) => p.now[f]! / p.base[f]!)).toFixed(3)),
    },
  ]),
);
const result = {
  bench: "kernel_vs_base",
  base: baseCommit,
  now: git("rev-parse", "--short", "HEAD"),
  pairs: PAIRS,
  rounds_per_run: Number(ROUNDS),
  load_average: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number),
  summary,
  runs: pairs,
};
writeFileSync(join(import.meta.dir, "results/kernel_vs_base.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
