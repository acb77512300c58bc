/**
 * Recorded kernel behaviour: seeded random runs (the property tests' Driver) reduced to one
 * digest each over every outcome (acceptance, transitions, diagnostics with their messages),
 * every slot image and the account after every input. Internal changes (speed-ups, refactors)
 * must leave every digest as recorded; a deliberate behaviour change re-records them:
 *
 *   bun tests/_support/kernel_golden.ts --write
 *
 * Entry points: `goldenDigests(runs)`, `GOLDEN_FILE`.
 */

import { join } from "node:path";
import fc from "fast-check";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { actionArb, Driver } from "./kernel_actions.ts";

export const GOLDEN_FILE = join(import.meta.dir, "../property/kernel_outcomes.golden.json");
export const GOLDEN_RUNS = 200;
const SLOTS = 4;

/** The digest of one seeded run; `tamper` changes the n-th input (for the canary test). */
export function runDigest(seed: number, tamper?: (input: Record<string, unknown>, n: number) => void): string {
  const actions = fc.sample(fc.array(actionArb(SLOTS), { minLength: 60, maxLength: 200 }), { seed, numRuns: 1 })[0]!;
  const k = ExecutionKernel.open({ slotCount: SLOTS, activeSlotLimit: 3, hungOrderMs: 5_000 });
  const digest = new Bun.CryptoHasher("sha256");
  const record = (outcome: unknown) => {
    digest.update(JSON.stringify(outcome));
    for (let s = 0; s < SLOTS; s++) digest.update(k.slotImage(s));
    digest.update(JSON.stringify(k.account()));
  };
  record(k.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: 1_700_000_000_000 }));
  const driver = new Driver(k);
  let n = 0;
  for (const action of actions) {
    const input = driver.materialize(action);
    if (input === null) continue;
    tamper?.(input as Record<string, unknown>, n++);
    driver.sent.push(input);
    record(k.apply(input));
  }
  k.destroy();
  return digest.digest("hex").slice(0, 32);
}

export function goldenDigests(runs = GOLDEN_RUNS): string[] {
  return Array.from({ length: runs }, (_, i) => runDigest(i + 1));
}

if (import.meta.main && process.argv.includes("--write")) {
  const digests = goldenDigests();
  await Bun.write(GOLDEN_FILE, `${JSON.stringify({ runs: GOLDEN_RUNS, slots: SLOTS, digests }, null, 1)}\n`);
  console.log(`wrote ${digests.length} digests to ${GOLDEN_FILE}`);
}
