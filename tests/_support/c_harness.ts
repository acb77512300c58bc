/**
 * The C harnesses in ffi/tests (libzinc's unity build driven step by step): compiled once per test
 * file into a temporary directory (removed at exit), then run one process per case. A case exits 0
 * when the behaviour holds and prints what it saw (FAIL ...) otherwise.
 * ZINC_FFI_DIR points the tests at another copy of ffi/ (default: this repository's).
 *
 * Entry points: `buildHarness(name, defines)`, `runHarnessCase(bin, name, args)`.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FFI_DIR = process.env.ZINC_FFI_DIR ?? join(import.meta.dir, "../../ffi");

/** Compiles ffi/tests/<name>.c with the Makefile's warnings as errors; `defines`: e.g. ["ZINC_TEST_HOOKS"]. */
export function buildHarness(name: string, defines: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), `zinc_${name}_`));
  const bin = join(dir, name);
  const cmd = [
    "gcc",
    "-O2",
    "-std=c11",
    "-D_GNU_SOURCE",
    ...defines.map((d) => `-D${d}`),
    "-Wall",
    "-Wextra",
    "-Werror",
  ];
  const r = Bun.spawnSync([...cmd, "-o", bin, join(FFI_DIR, `tests/${name}.c`)], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`building the ${name} harness failed: ${r.stderr.toString()}`);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return bin;
}

/** Runs `argv` (the harness and its arguments) with a 20 s bound: its exit code and all it printed. */
export function runHarnessCase(argv: readonly string[]): { code: number | null; out: string } {
  const r = Bun.spawnSync([...argv], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  return { code: r.exitCode, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}
