/**
 * A ring consumer (the kernel) killed in the middle of a drain, and the kernel that adopts the
 * region after it (ffi/README.md §4: the consumer never wedges forever; §8: pending intents stay in
 * the ring across an adoption). Compiles the C harness ffi/tests/ring_adopt.c (the unity build with
 * -DZINC_TEST_HOOKS, so the kill lands at an exact step) and runs one process per case; each exits 0
 * when the behaviour holds and prints what it saw otherwise.
 */

import { expect, test } from "bun:test";
import { buildHarness, runHarnessCase } from "../_support/c_harness.ts";

const harness = buildHarness("ring_adopt", ["ZINC_TEST_HOOKS"]);
const runCase = (name: string) => runHarnessCase([harness, name, `dita_test_ring_adopt_${name}_${process.pid}`]);

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
