/**
 * A writer's claim as a client sees it (ffi/README.md: a changed generation is a kernel restart).
 * Compiles the C harness ffi/tests/claim_order.c (the unity build with -DZINC_TEST_HOOKS, so the
 * claiming writer is stopped right after its pid names it: the race is exact, not timed) and runs
 * the case in its own process; it exits 0 when the behaviour holds and prints what it saw otherwise.
 */

import { expect, test } from "bun:test";
import { buildHarness, runHarnessCase } from "../_support/c_harness.ts";

const harness = buildHarness("claim_order", ["ZINC_TEST_HOOKS"]);

test("a reader that sees a new writer alive reads that writer's generation, never the one before it", () => {
  const r = runHarnessCase([harness, "generation_before_pid", `dita_test_claim_order_${process.pid}`]);
  expect(r.out).not.toContain("FAIL");
  expect(r.code).toBe(0);
});
