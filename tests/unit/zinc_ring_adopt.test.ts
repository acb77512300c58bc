/**
 * A ring consumer (the kernel) killed in the middle of a drain, and the kernel that adopts the
 * region after it (ffi/README.md §4: the consumer never wedges forever; §8: pending intents stay in
 * the ring across an adoption). Compiles the C harness ffi/tests/ring_adopt.c (the unity build with
 * -DZINC_TEST_HOOKS, so the kill lands at an exact step) and runs one process per case; each exits 0
 * when the behaviour holds and prints what it saw otherwise.
 * ZINC_FFI_DIR points the test at another copy of ffi/ (default: this repository's).
 */

import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FFI_DIR = process.env.ZINC_FFI_DIR ?? join(import.meta.dir, "../../ffi");

function buildHarness(): string {
  const dir = mkdtempSync(join(tmpdir(), "zinc_ring_adopt_"));
  const bin = join(dir, "ring_adopt");
  const cmd = ["gcc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-DZINC_TEST_HOOKS", "-Wall", "-Wextra", "-Werror"];
  const r = Bun.spawnSync([...cmd, "-o", bin, join(FFI_DIR, "tests/ring_adopt.c")], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`building the ring adoption harness failed: ${r.stderr.toString()}`);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return bin;
}

const harness = buildHarness();

function runCase(name: string): { code: number | null; out: string } {
  const prefix = `dita_test_ring_adopt_${name}_${process.pid}`;
  const r = Bun.spawnSync([harness, name, prefix], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  return { code: r.exitCode, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

test("a kernel killed inside a skip: the next kernel finishes the skip and delivers the records behind it", () => {
  const r = runCase("killed_mid_skip");
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});

test("a kernel killed after releasing popped cells but before storing head: the next kernel goes on, no CORRUPT, no re-delivery", () => {
  const r = runCase("killed_mid_pop");
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});

test("a claimed cell whose owner word names another lap answers CORRUPT instead of stalling the ring silently", () => {
  const r = runCase("foreign_owner_lap");
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});
