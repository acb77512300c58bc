/**
 * `npm test`: build, then run every suite — `cargo test` for the kernel and `bun test` for
 * unit, property, integration, e2e and chaos tests — and print the plain summary line
 * `N passed, N failed` computed from cargo's result lines and bun's JUnit report.
 * Integration tests start the real services they need (ClickHouse, Hazelcast, supervisord)
 * themselves and fail, never skip, when a service cannot be had.
 *
 *   bun scripts/test.ts [bun test filters...]
 */

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kernelCargoEnv } from "./_kernel_cargo.ts";

const root = join(import.meta.dir, "..");
const filters = process.argv.slice(2);

function step(cmd: string[], env: Record<string, string> = {}): { code: number; out: string } {
  const r = Bun.spawnSync(cmd, { cwd: root, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const out = `${r.stdout.toString()}${r.stderr.toString()}`;
  process.stdout.write(out);
  return { code: r.exitCode ?? 1, out };
}

const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], {
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
});
if (build.exitCode !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

let passed = 0;
let failed = 0;
let skipped = 0;

/**
 * The tidy checks a maintainer expects on every run, each counted as one test: the TypeScript
 * formatter and linter (Biome, biome.json), the type checker (server and console browser code),
 * rustfmt and clippy on the kernel.
 */
const TIDY: ReadonlyArray<readonly [name: string, cmd: string[], env?: Record<string, string>]> = [
  ["biome check (format + lint)", [join(root, "node_modules/.bin/biome"), "check", "."]],
  ["tsc --noEmit", [join(root, "node_modules/.bin/tsc"), "--noEmit", "-p", "."]],
  // The console's browser code has its own project (DOM types, no Bun types).
  ["tsc --noEmit (console ui)", [join(root, "node_modules/.bin/tsc"), "--noEmit", "-p", "src/console/ui"]],
  ["cargo fmt --check", ["cargo", "fmt", "--check", "--manifest-path", "kernel/Cargo.toml"]],
  [
    "cargo clippy -D warnings",
    ["cargo", "clippy", "--release", "--all-targets", "--manifest-path", "kernel/Cargo.toml", "--", "-D", "warnings"],
    kernelCargoEnv(root).env,
  ],
];

if (filters.length === 0) {
  for (const [name, cmd, env] of TIDY) {
    const r = step(cmd, env);
    if (r.code === 0) passed++;
    else {
      failed++;
      console.log(`tidy: ${name} failed (exit ${r.code})`);
    }
  }
  // The build's flags: a different RUSTFLAGS would rebuild (and replace) the release library.
  const cargo = step(["cargo", "test", "--release", "--manifest-path", "kernel/Cargo.toml"], kernelCargoEnv(root).env);
  for (const m of cargo.out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (cargo.code !== 0 && !/test result/.test(cargo.out)) failed += 1;
}

mkdirSync(join(root, ".cache"), { recursive: true });
const junit = join(root, ".cache/junit-bun.xml");
const bunTest = Bun.spawnSync(
  [
    process.execPath,
    "test",
    "--reporter=junit",
    `--reporter-outfile=${junit}`,
    ...(filters.length ? filters : ["tests/"]),
  ],
  { cwd: root, stdout: "inherit", stderr: "inherit", env: { ...process.env, DITA_V2_TEST: "1" } },
);
if (existsSync(junit)) {
  const xml = readFileSync(junit, "utf8");
  const cases = [...xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
  for (const c of cases) {
    const body = c[2] ?? "";
    if (/<skipped/.test(body)) {
      skipped++;
      continue;
    }
    if (/<failure|<error/.test(body)) failed++;
    else passed++;
  }
} else {
  failed += 1;
}
if (bunTest.exitCode !== 0 && failed === 0) failed += 1; // a crash outside any test case
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 ? 0 : 1);
