/**
 * The chaos matrix (src/chaos/cases_*.ts): every case on the mock venue and on bingx-sim. After
 * every step the auditor checks exchange truth (positions, open orders, wallet), quantity
 * compliance, fill-price tracking (average prices, realized PnL, fees and settlements against the
 * venue's fills) and the kernel's invariants; at the end the venue must be flat with capital equal
 * to the wallet, and every process's journal must replay to its hash. Each run prints
 * `SEED=N case=NAME venue=V` first; repeat one with
 * `dita-v2 chaos --matrix --case NAME --venue V --seed N`.
 */

import { describe, expect, test } from "bun:test";
import { type CaseVerdict, MATRIX, runCase, type VenueKind } from "../../src/chaos/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

const VENUES: readonly VenueKind[] = ["mock", "sim"];
const SEED_BASE = 1_000;

test("the matrix has at least 24 cases with unique kebab-case names; live-safe cases are flagged", () => {
  expect(MATRIX.length).toBeGreaterThanOrEqual(24);
  expect(new Set(MATRIX.map((c) => c.name)).size).toBe(MATRIX.length);
  for (const c of MATRIX) expect(c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(MATRIX.filter((c) => c.liveSafe).length).toBeGreaterThan(0);
  expect(MATRIX.filter((c) => !c.liveSafe).length).toBeGreaterThan(0);
});

for (const venue of VENUES) {
  describe(`chaos matrix on ${venue === "sim" ? "bingx-sim" : "the mock venue"}`, () => {
    MATRIX.forEach((mc, i) => {
      const seed = SEED_BASE + i;
      test(`${mc.name}: ${mc.title}`, async () => {
        console.log(`SEED=${seed} case=${mc.name} venue=${venue}`);
        const v: CaseVerdict = await runCase(mc, { venue, seed, clock: new SystemClock() });
        if (!v.clean) console.log(JSON.stringify(v.findings, null, 1));
        expect(v.findings).toEqual([]);
        expect(v.replay_hash).toBe(v.state_hash);
        expect(v.steps.length).toBeGreaterThanOrEqual(2);
      }, 60_000);
    });
  });
}
