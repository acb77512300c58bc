/**
 * A writer's zinc_open (the kernel starting) on a full /dev/shm. tmpfs sizes a file with ftruncate
 * whatever space is left, and the first store into a page it cannot back raises SIGBUS; zinc_open
 * runs outside libzinc's SIGBUS guard, so the kernel died at start (exit 135) instead of refusing
 * the region with a clear error. Compiles ffi/tests/open_full_shm.c and runs each case with a 64 KiB
 * tmpfs mounted on /dev/shm in a private mount namespace (`unshare -Urm`: the host's /dev/shm is
 * never touched); skipped where the machine refuses such a namespace.
 */

import { expect, test } from "bun:test";
import { buildHarness, runHarnessCase } from "../_support/c_harness.ts";

const canUnshare = Bun.spawnSync(["unshare", "-Urm", "true"], { stderr: "pipe" }).exitCode === 0;

/** One case with a 64 KiB tmpfs on /dev/shm, in a private mount namespace (the host's is untouched). */
function runCase(bin: string, name: string): { code: number | null; out: string } {
  const script = `mount -t tmpfs -o size=64k tmpfs /dev/shm && exec "$0" "$1"`;
  return runHarnessCase(["unshare", "-Urm", "sh", "-c", script, bin, name]);
}

const harness = canUnshare ? buildHarness("open_full_shm") : "";

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
