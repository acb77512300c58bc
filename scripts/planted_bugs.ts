/**
 * Planted bugs: how many realistic one-line bugs (scripts/_planted_sample.ts) the test suite
 * catches, by tier. Not part of `npm test`; run it by hand (it takes about an hour on 2 cores):
 *
 *   bun scripts/planted_bugs.ts [--only ID,ID] [--scratch DIR]
 *
 * It copies this checkout (tar) to a scratch directory (node_modules linked, never touched), builds it
 * once, and records which tests fail on the unmutated tree (the baseline). Then, for each planted
 * bug: apply it in the scratch copy (libzinc rebuilt when a C file changed), run the fast tier —
 * `bun test` over tests/unit, tests/property, tests/hardening, tests/chaos (no external service;
 * the bugs are all in TypeScript or C, so the kernel's `cargo test` cannot see them and is not
 * run) — and, only when the fast tier missed it, rebuild dist/dita-v2 and run the slow tier
 * (tests/integration, tests/e2e: ClickHouse, Hazelcast, supervisord, the built executable). A bug
 * is caught when a test fails that passed on the baseline. The file is restored after each bug.
 * Results: bench/results/planted_bugs.json (per bug: caught by fast / by all, the first catching
 * tests and the commit it was measured at), with the command and the baseline failures. With
 * `--only`, the bugs re-run replace their earlier results and the others are kept.
 */

import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PLANTED, type Plant } from "./_planted_sample.ts";

const root = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const scratch = flag("--scratch") ?? "/tmp/dita-planted";
const only = flag("--only")?.split(",");
const GROUP_TIMEOUT_MS = 15 * 60_000;

/** Fast tier first (cheapest groups first), then the slow tier; memory.test.ts keeps known failures, so no --bail there. */
const FAST: readonly string[][] = [
  ["tests/unit"],
  [
    "tests/hardening/numbers.test.ts",
    "tests/hardening/off_by_one.test.ts",
    "tests/hardening/races.test.ts",
    "tests/hardening/time.test.ts",
  ],
  ["tests/hardening/memory.test.ts"],
  ["tests/property"],
  ["tests/chaos"],
];
const SLOW: readonly string[][] = [["tests/integration"], ["tests/e2e"]];

function sh(cmd: string[], cwd = scratch, timeoutMs = GROUP_TIMEOUT_MS): { code: number; out: string } {
  const r = Bun.spawnSync(cmd, {
    cwd,
    env: { ...process.env, DITA_V2_TEST: "1" },
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  return { code: r.exitCode ?? 124, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

function prepareScratch(): void {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const skip = ["node_modules", ".git", ".cache", ".dita-v2", "dist"].map((d) => `--exclude=./${d}`).join(" ");
  const copy = sh(["sh", "-c", `tar -C "$0" ${skip} -cf - . | tar -C "$1" -xf -`, root, scratch], root);
  if (copy.code !== 0) throw new Error(`copying ${root} to ${scratch} failed: ${copy.out.slice(0, 300)}`);
  symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"));
  build();
}

function build(): void {
  const b = sh([process.execPath, "scripts/build.ts"]);
  if (b.code !== 0) throw new Error(`build failed in ${scratch}: ${b.out.slice(-500)}`);
}

function buildZinc(): void {
  const b = sh(["make", "-s", "-C", "ffi", "build/libzinc.so"]); // ffi/Makefile: the one place its flags live
  if (b.code !== 0) throw new Error(`libzinc build failed: ${b.out.slice(0, 500)}`);
}

/** Runs one group; returns the names of the tests that failed (or a marker when the run itself failed). */
function runGroup(paths: readonly string[], bail: boolean): string[] {
  const junit = join(scratch, ".planted-junit.xml");
  rmSync(junit, { force: true });
  const r = sh([
    process.execPath,
    "test",
    ...(bail ? ["--bail"] : []),
    "--reporter=junit",
    `--reporter-outfile=${junit}`,
    ...paths,
  ]);
  if (!existsSync(junit)) return r.code === 0 ? [] : [`(${paths.join(" ")}: no report, exit ${r.code})`];
  const xml = readFileSync(junit, "utf8");
  const failed: string[] = [];
  for (const m of xml.matchAll(/<testcase\b[^>]*?name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g))
    if (/<failure|<error/.test(m[3] ?? "")) failed.push(m[1]!);
  if (failed.length === 0 && r.code !== 0) failed.push(`(${paths.join(" ")}: exit ${r.code} outside any test)`);
  return failed;
}

/** New failures of a tier against the baseline; stops at the first group that has some. */
function tier(groups: readonly string[][], baseline: ReadonlySet<string>): string[] {
  for (const g of groups) {
    const fresh = runGroup(g, !g.some((p) => p.includes("memory"))).filter((n) => !baseline.has(n));
    if (fresh.length > 0) return fresh.slice(0, 3);
  }
  return [];
}

function apply(plant: Plant): () => void {
  const path = join(scratch, plant.file);
  const original = readFileSync(path, "utf8");
  const at = original.indexOf(plant.find);
  if (at < 0 || original.indexOf(plant.find, at + 1) >= 0)
    throw new Error(`plant ${plant.id}: the text to replace must occur exactly once in ${plant.file}`);
  writeFileSync(path, original.slice(0, at) + plant.replace + original.slice(at + plant.find.length));
  if (plant.file.startsWith("ffi/")) buildZinc();
  return () => {
    writeFileSync(path, original);
    if (plant.file.startsWith("ffi/")) buildZinc();
  };
}

const commit = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: root }).stdout.toString().trim();
prepareScratch();
const baseFast = new Set(FAST.flatMap((g) => runGroup(g, false)));
const baseSlow = new Set(SLOW.flatMap((g) => runGroup(g, false)));
console.log(
  `baseline failures: fast ${[...baseFast].join(" | ") || "none"}; slow ${[...baseSlow].join(" | ") || "none"}`,
);
const results: Result[] = [];
const sample = PLANTED.filter((p) => !only || only.includes(p.id));
for (const plant of sample) {
  const restore = apply(plant);
  let byFast: string[] = [];
  let bySlow: string[] = [];
  let builtMutated = false;
  try {
    byFast = tier(FAST, baseFast);
    if (byFast.length === 0) {
      build();
      builtMutated = true;
      bySlow = tier(SLOW, baseSlow);
    }
  } finally {
    restore();
  }
  if (builtMutated) build(); // dist/dita-v2 must not keep the bug for the next one
  const caughtFast = byFast.length > 0;
  const caughtAll = caughtFast || bySlow.length > 0;
  console.log(`${plant.id}: fast ${caughtFast ? "CAUGHT" : "missed"}, all ${caughtAll ? "CAUGHT" : "missed"}`);
  results.push({
    ...plant,
    commit,
    caught_fast: caughtFast,
    caught_all: caughtAll,
    caught_by: caughtFast ? byFast : bySlow,
  });
}
const command = `bun scripts/planted_bugs.ts${only ? ` --only ${only.join(",")}` : ""}`;
summarize(merged(results), command);

interface Result extends Plant {
  commit: string;
  caught_fast: boolean;
  caught_all: boolean;
  caught_by: string[];
}

/** With --only, the bugs re-run replace their earlier results; the others are kept (each result names its commit). */
function merged(fresh: Result[]): Result[] {
  const file = join(root, "bench/results/planted_bugs.json");
  if (!only || !existsSync(file)) return fresh;
  const before = (JSON.parse(readFileSync(file, "utf8")) as { results: Result[] }).results;
  const byId = new Map(fresh.map((r) => [r.id, r]));
  return PLANTED.flatMap((p) => {
    const r = byId.get(p.id) ?? before.find((b) => b.id === p.id);
    return r ? [r] : [];
  });
}

/** The figures of the last full run, from the results file (kept across --only re-runs). */
function earlierFirstPass(): unknown {
  const file = join(root, "bench/results/planted_bugs.json");
  if (!existsSync(file)) return null;
  const d = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (d.first_pass) return d.first_pass;
  const keys = [
    "command",
    "commits",
    "sample_size",
    "caught_fast",
    "caught_all",
    "score_fast",
    "score_all",
    "survivors",
    "fast_misses",
  ];
  return Object.fromEntries(keys.map((k) => [k, d[k]]));
}

function summarize(all: Result[], command: string): void {
  const fast = all.filter((r) => r.caught_fast).length;
  const caught = all.filter((r) => r.caught_all).length;
  const out = {
    command,
    commits: [...new Set(all.map((r) => r.commit))],
    // A full run is the independent measure; --only re-runs keep the last full run's figures here.
    ...(only ? { first_pass: earlierFirstPass() } : {}),
    tiers: {
      fast: FAST.map((g) => g.join(" ")),
      slow: SLOW.map((g) => g.join(" ")),
      note: "fast = no external service; a bug is caught when a test fails that passed on the unmutated tree",
    },
    baseline_failures: { fast: [...baseFast], slow: [...baseSlow] },
    sample_size: all.length,
    caught_fast: fast,
    caught_all: caught,
    score_fast: Number((fast / all.length).toFixed(3)),
    score_all: Number((caught / all.length).toFixed(3)),
    survivors: all.filter((r) => !r.caught_all).map((r) => r.id),
    fast_misses: all.filter((r) => !r.caught_fast).map((r) => r.id),
    results: all,
  };
  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, "bench/results/planted_bugs.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`caught by fast ${fast}/${all.length}, by all ${caught}/${all.length}`);
}
