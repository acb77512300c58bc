/**
 * A control region an earlier run left behind is not the running kernel's. A kernel started with
 * DITA_V2_CONTROL_PLANE=REAL_ZINC writes `<prefix>.control`; started again with the default (MEMORY)
 * it keeps the control plane in memory and never touches that file. Found by an audit: the TypeScript
 * client's `control()` and `dita-v2 strategy-status` showed the old file's snapshot (ACTIVE) while the
 * running kernel was HALTED (an ENTER refused TRADING_HALTED). The control region counts only when its
 * writer pid is the state region's; otherwise `control()` is null and strategy-status says whose it is.
 * (The Python client: clients/python/tests/test_control_stale.py.) Real regions in /dev/shm.
 */

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { strategyStatus } from "../../src/cli/strategy_status.ts";
import { RealZincControlPlane } from "../../src/control/index.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";
import { INITIAL } from "../integration/control_contract.ts";

const zinc = zincRegionsPerTest("control_stale");

function withControl(closeIt: boolean) {
  const { prefix } = zinc.plane({ slotCount: 2, namespace: "pink" });
  const control = RealZincControlPlane.open({ libPath: zinc.libPath, prefix, slotCount: 2, initial: INITIAL });
  if (closeIt)
    control.close(); // an earlier run's control plane: closed, its file left
  else zinc.cleanup(() => control.close());
  return prefix;
}

describe("a control region the running kernel does not write", () => {
  test("the client's control() is null and strategy-status names it another kernel process's", () => {
    const prefix = withControl(true);
    expect(zinc.client(prefix).control()).toBeNull();
    const doc = strategyStatus(zinc.libPath, prefix, 10);
    expect(doc.control).toMatchObject({ unreadable: expect.stringContaining("another kernel process's") });
  });

  test("a control file that is no region (another build's, garbage) is named unreadable; the rest is shown", () => {
    // Found by a review: opening it to read its writer pid threw, and the whole command with it.
    const { prefix } = zinc.plane({ slotCount: 2, namespace: "pink" });
    writeFileSync(`/dev/shm/${prefix}.control`, new Uint8Array(4096).fill(0x41), { mode: 0o600 });
    const doc = strategyStatus(zinc.libPath, prefix, 10);
    expect(doc.control).toMatchObject({ unreadable: expect.stringContaining("magic") });
    expect(doc.slots).toHaveLength(2);
  });

  test("the running kernel's own control region is read as before", () => {
    const prefix = withControl(false);
    expect(zinc.client(prefix).control()).toMatchObject({ tradingState: INITIAL.trading_state });
    const doc = strategyStatus(zinc.libPath, prefix, 10);
    expect(doc.control).toMatchObject({ trading_state: INITIAL.trading_state });
  });
});
