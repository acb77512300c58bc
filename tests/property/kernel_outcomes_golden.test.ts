/**
 * The kernel's behaviour is what was recorded: 200 seeded random runs (intents, fills,
 * duplicates, reconciles, hostile inputs) give, input by input, the same outcomes, slot images
 * and account as when `kernel_outcomes.golden.json` was written (first with the library from
 * before the 2026-11-25 speed-ups). A change here is a behaviour change: re-record on purpose
 * (`bun tests/_support/kernel_golden.ts --write`) and say why in the commit.
 * Canary: changing one input of one run changes its digest.
 */

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { GOLDEN_FILE, GOLDEN_RUNS, goldenDigests, runDigest } from "../_support/kernel_golden.ts";

const recorded = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as { runs: number; digests: string[] };

describe("kernel behaviour against the recorded runs", () => {
  test("every seeded run gives the recorded outcomes, slot images and account", () => {
    expect(recorded.runs).toBe(GOLDEN_RUNS);
    const now = goldenDigests();
    const changed = now.flatMap((d, i) => (d === recorded.digests[i] ? [] : [i + 1]));
    expect(changed, `runs (seeds) whose behaviour changed: ${changed.join(", ")}`).toEqual([]);
  });

  test("canary: one changed input in a run changes its digest", () => {
    const tampered = runDigest(1, (input, n) => {
      if (n === 5 && typeof input.now_ms === "number") input.now_ms += 1;
    });
    expect(tampered).not.toBe(recorded.digests[0]);
  });
});
