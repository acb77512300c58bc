/**
 * The launcher's control sync (src/launcher/_control_sync.ts) against a mailbox another process
 * posts to at any moment: a command posted while an earlier one is being applied (its CONFIGURE
 * inputs, its publish) is applied by the next sync. Before, the sync ended by taking the region's
 * sequence as seen, which swallowed that post's bump: every later sync returned early and an
 * operator's HALTED stayed unapplied until some unrelated publish moved the sequence.
 */
import { expect, test } from "bun:test";
import { InMemoryControlPlane } from "../../src/control/index.ts";
import { ControlSync } from "../../src/launcher/_control_sync.ts";
import { INITIAL } from "../integration/control_contract.ts";

test("a command posted while the previous one is being applied is applied by the next sync", () => {
  const plane = new InMemoryControlPlane(INITIAL, 4);
  const client = plane.client();
  let postedDuringSync = false;
  const kernelConfig = {
    active_slot_limit: 2,
    trading_state: "ACTIVE",
    max_notional_per_trade: 0,
    max_gross_exposure: 0,
    max_orders_per_minute: 0,
    max_leverage: 0,
    max_drawdown_ratio: 0,
  };
  const sync = new ControlSync({
    control: plane,
    kernel: { config: () => kernelConfig } as never,
    clock: { nowMs: () => 1_700_000_000_000 } as never,
    applySystem: () => undefined,
    publish: () => {
      // Another operator's post lands while this sync is publishing the first command's snapshot.
      if (!postedDuringSync) {
        postedDuringSync = true;
        expect(client.post({ trading_state: "HALTED" }, 2)).toBe("OK");
      }
    },
    log: () => undefined,
  });
  expect(client.post({ mode: "DEBUG" }, 1)).toBe("OK");
  sync.syncIfChanged();
  expect(plane.snapshot().mode).toBe("DEBUG");
  for (let i = 0; i < 5; i++) sync.syncIfChanged(); // the control loop's next passes
  expect(plane.snapshot().trading_state).toBe("HALTED");
});
