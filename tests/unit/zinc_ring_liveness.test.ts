/**
 * Owner liveness in libzinc's intents ring and outcome lanes (ffi/README.md §4: each record exactly
 * once, a live owner is never skipped; §7: a lane is taken over only from a dead owner). Compiles
 * the C harness ffi/tests/ring_liveness.c (the unity build with -DZINC_TEST_HOOKS, so each case
 * drives the library's own steps one at a time: the races are exact, not timed) and runs one
 * process per case; each exits 0 when the behaviour holds and prints what it saw otherwise.
 * ZINC_FFI_DIR points the test at another copy of ffi/ (default: this repository's).
 */

import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FFI_DIR = process.env.ZINC_FFI_DIR ?? join(import.meta.dir, "../../ffi");

function buildHarness(): string {
  const dir = mkdtempSync(join(tmpdir(), "zinc_ring_liveness_"));
  const bin = join(dir, "ring_liveness");
  const cmd = ["gcc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-DZINC_TEST_HOOKS", "-Wall", "-Wextra", "-Werror"];
  const r = Bun.spawnSync([...cmd, "-o", bin, join(FFI_DIR, "tests/ring_liveness.c")], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`building the ring liveness harness failed: ${r.stderr.toString()}`);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return bin;
}

const harness = buildHarness();

function runCase(name: string): { code: number | null; out: string } {
  const prefix = `dita_test_ring_liveness_${name}_${process.pid}`;
  const r = Bun.spawnSync([harness, name, prefix], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  return { code: r.exitCode, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

test("a fork()ed child stamps its own start time: its ring cell is not skipped, its lane not taken over", () => {
  const r = runCase("fork_child_start");
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});

test("a late, fenced-off producer's start-time store does not get the live next owner skipped", () => {
  const r = runCase("late_fenced_start");
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});

test("skipping a dead owner's cell hands the owner word on before freeing it: no spurious ABANDONED", () => {
  const r = runCase("skip_release_order");
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});
