/**
 * Owner liveness in libzinc's intents ring and outcome lanes (ffi/README.md §4: each record exactly
 * once, a live owner is never skipped; §7: a lane is taken over only from a dead owner). Compiles
 * the C harness ffi/tests/ring_liveness.c (the unity build with -DZINC_TEST_HOOKS, so each case
 * drives the library's own steps one at a time: the races are exact, not timed) and runs one
 * process per case; each exits 0 when the behaviour holds and prints what it saw otherwise.
 */

import { expect, test } from "bun:test";
import { buildHarness, runHarnessCase } from "../_support/c_harness.ts";

const harness = buildHarness("ring_liveness", ["ZINC_TEST_HOOKS"]);
const runCase = (name: string) => runHarnessCase([harness, name, `dita_test_ring_liveness_${name}_${process.pid}`]);

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
