/**
 * Runs the shared control-plane contract against the in-memory plane and the plane published
 * in a real /dev/shm control region.
 */

import { InMemoryControlPlane, RealControlCommandClient, RealZincControlPlane } from "../../src/control/index.ts";
import { controlContract, INITIAL } from "./control_contract.ts";
import { cleanupPrefixes, ensureLib, uniquePrefix } from "./zinc_support.ts";

const libPath = ensureLib();

controlContract(
  "InMemoryControlPlane",
  () => {
    const plane = new InMemoryControlPlane(INITIAL, 4, 4);
    return { plane, client: plane.client() };
  },
  () => undefined,
);

controlContract(
  "RealZincControlPlane",
  () => {
    const prefix = uniquePrefix("control");
    const plane = RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL, mailboxCapacity: 4 });
    return { plane, client: RealControlCommandClient.open({ libPath, prefix, slotCount: 4 }) };
  },
  cleanupPrefixes,
);
