/**
 * Runs the shared ZincPlane contract (intents, state, and the outcomes region) against both
 * implementations: the in-memory stand-in and the real /dev/shm regions through libzinc.
 */

import { InMemoryZincPlane, RealZincPlane } from "../../src/zinc/index.ts";
import { zincContract } from "./zinc_contract.ts";
import { outcomesContract } from "./zinc_outcomes_contract.ts";
import { cleanupPrefixes, ensureLib, uniquePrefix } from "./zinc_support.ts";

const libPath = ensureLib();

zincContract(
  "InMemoryZincPlane",
  () => InMemoryZincPlane.open({ slotCount: 4, ringCapacity: 8 }),
  () => undefined,
);
zincContract(
  "RealZincPlane",
  () => RealZincPlane.open({ libPath, prefix: uniquePrefix("contract"), slotCount: 4, ringCapacity: 8 }),
  cleanupPrefixes,
);
outcomesContract(
  "InMemoryZincPlane",
  () => InMemoryZincPlane.open({ slotCount: 4, ringCapacity: 8, outcomeLanes: 4 }),
  () => undefined,
);
outcomesContract(
  "RealZincPlane",
  () =>
    RealZincPlane.open({ libPath, prefix: uniquePrefix("outcomes"), slotCount: 4, ringCapacity: 8, outcomeLanes: 4 }),
  cleanupPrefixes,
);
