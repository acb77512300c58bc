/**
 * `npm run bench`: build when needed, then run every top-level benchmark in bench/ one after the
 * other and report which failed. A top-level benchmark is a bench/*.ts whose opening comment
 * names its own `bench/results/<name>.json` (kernel, zinc, zinc_kernel, projection,
 * venue_adapter, http, throttle, ...); helpers (`_x.ts`, producers, harnesses, http_load.ts) do not.
 *
 *   bun scripts/bench.ts            every benchmark
 *   bun scripts/bench.ts http zinc  only these (names without .ts)
 *
 * Exit 0 when all ran, 1 when any failed (each failure is named on the last lines).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const only = process.argv.slice(2);
const TIMEOUT_MS = 30 * 60_000;

function isTopLevel(file: string): boolean {
  const name = file.replace(/\.ts$/, "");
  return (
    !file.startsWith("_") &&
    readFileSync(join(root, "bench", file), "utf8")
      .slice(0, 2000)
      .includes(`bench/results/${name}.json`)
  );
}

const all = readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".ts") && isTopLevel(f))
  .sort();
const chosen = only.length === 0 ? all : all.filter((f) => only.includes(f.replace(/\.ts$/, "")));
const unknown = only.filter((n) => !all.includes(`${n}.ts`));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(", ")}; known: ${all.map((f) => f.replace(/\.ts$/, "")).join(", ")}`,
  );
  process.exit(2);
}

const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--if-needed"], {
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
});
if (build.exitCode !== 0) {
  console.error("bench: build failed");
  process.exit(1);
}

const failed: string[] = [];
for (const file of chosen) {
  console.log(`\n=== bench/${file}`);
  const t0 = performance.now();
  const r = Bun.spawnSync([process.execPath, join("bench", file)], {
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
    timeout: TIMEOUT_MS,
  });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.exitCode === 0) console.log(`=== bench/${file}: ok (${s} s)`);
  else {
    console.log(`=== bench/${file}: FAILED (exit ${r.exitCode ?? r.signalCode}, ${s} s)`);
    failed.push(file);
  }
}
console.log(
  `\n${chosen.length - failed.length} benchmarks ran, ${failed.length} failed${failed.length ? `: ${failed.join(", ")}` : ""}`,
);
process.exit(failed.length === 0 ? 0 : 1);
