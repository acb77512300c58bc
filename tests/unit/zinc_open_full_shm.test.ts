/**
 * A writer's zinc_open (the kernel starting) on a full /dev/shm. tmpfs sizes a file with ftruncate
 * whatever space is left, and the first store into a page it cannot back raises SIGBUS; zinc_open
 * runs outside libzinc's SIGBUS guard, so the kernel died at start (exit 135) instead of refusing
 * the region with a clear error. Compiles ffi/tests/open_full_shm.c and runs each case with a 64 KiB
 * tmpfs mounted on /dev/shm in a private mount namespace (`unshare -Urm`: the host's /dev/shm is
 * never touched); skipped where the machine refuses such a namespace.
 * ZINC_FFI_DIR points the test at another copy of ffi/ (default: this repository's).
 */

import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FFI_DIR = process.env.ZINC_FFI_DIR ?? join(import.meta.dir, "../../ffi");
const canUnshare = Bun.spawnSync(["unshare", "-Urm", "true"], { stderr: "pipe" }).exitCode === 0;

function buildHarness(): string {
  const dir = mkdtempSync(join(tmpdir(), "zinc_open_full_shm_"));
  const bin = join(dir, "open_full_shm");
  const cmd = ["gcc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror"];
  const r = Bun.spawnSync([...cmd, "-o", bin, join(FFI_DIR, "tests/open_full_shm.c")], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`building the full /dev/shm harness failed: ${r.stderr.toString()}`);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return bin;
}

function runCase(bin: string, name: string): { code: number | null; out: string } {
  const script = `mount -t tmpfs -o size=64k tmpfs /dev/shm && exec "$0" "$1"`;
  const r = Bun.spawnSync(["unshare", "-Urm", "sh", "-c", script, bin, name], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: 20_000,
  });
  return { code: r.exitCode, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

const harness = canUnshare ? buildHarness() : "";

test.skipIf(!canUnshare)("a writer's open on a full /dev/shm is refused naming the file, not killed by SIGBUS", () => {
  const r = runCase(harness, "fresh");
  expect(r.out).toContain("No space left on device");
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});

test.skipIf(!canUnshare)(
  "a writer re-initialising a half-created region on a full /dev/shm is refused, not killed by SIGBUS",
  () => {
    const r = runCase(harness, "half_created");
    expect(r.out).toContain("No space left on device");
    expect(r.out).not.toContain("FAIL");
    expect(r.code).toBe(0);
  },
);
