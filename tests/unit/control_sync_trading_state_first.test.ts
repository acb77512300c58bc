/**
 * One operator change that sets a trading state and lowers `max_drawdown_ratio` below the account's
 * drawdown. The kernel's drawdown watch runs when the limit is set (ACTIVE → REDUCING, one
 * DRAWDOWN_LIMIT, which the runtime answers with `followKernel`). The sync sends the trading state
 * before the limits, so the watch judges the state the operator asked for:
 *  - HALTED with the lower limit stays HALTED (sent after the limit, the watch's REDUCING was
 *    followed into the snapshot mid-sync and the next sync loosened the kernel from HALTED);
 *  - ACTIVE (from REDUCING) with the lower limit ends REDUCING: the new limit holds.
 * The kernel here is a stand-in that keeps its config and runs the watch as the Rust kernel does
 * (kernel/src/tests/controls.rs proves the kernel's side).
 */
import { expect, test } from "bun:test";
import type { TradingState } from "../../src/contracts/enums.ts";
import type { SystemInput } from "../../src/contracts/intents.ts";
import { InMemoryControlPlane } from "../../src/control/index.ts";
import type { KernelConfig } from "../../src/kernel/index.ts";
import { ControlSync } from "../../src/launcher/_control_sync.ts";
import { applyConfigure } from "../_support/control_sync.ts";
import { INITIAL } from "../integration/control_contract.ts";

const DRAWDOWN = 0.05;

function deskAt(state: TradingState) {
  const plane = new InMemoryControlPlane({ ...INITIAL, trading_state: state }, 4);
  const k = { ...INITIAL, trading_state: state } as unknown as KernelConfig & Record<string, unknown>;
  const sync: ControlSync = new ControlSync({
    control: plane,
    kernel: { config: () => ({ ...k }) } as never,
    clock: { nowMs: () => INITIAL.updated_at_ms } as never,
    applySystem: (input: SystemInput) => {
      if (applyConfigure(k, input) !== "MAX_DRAWDOWN_RATIO") return;
      const limit = k.max_drawdown_ratio;
      if (limit > 0 && k.trading_state === "ACTIVE" && DRAWDOWN >= limit) {
        k.trading_state = "REDUCING";
        sync.followKernel(); // the runtime's answer to DRAWDOWN_LIMIT
      }
    },
    publish: () => {},
    log: () => {},
  });
  const settle = () => {
    for (let i = 0; i < 3; i++) sync.syncIfChanged();
    return { kernel: k.trading_state, snapshot: plane.snapshot().trading_state };
  };
  return { sync, settle };
}

test("HALTED set with a drawdown limit below the drawdown stays HALTED in the kernel and the snapshot", () => {
  const desk = deskAt("ACTIVE");
  desk.sync.apply({ max_drawdown_ratio: 0.03, trading_state: "HALTED" });
  expect(desk.settle()).toEqual({ kernel: "HALTED", snapshot: "HALTED" });
});

test("ACTIVE set with a drawdown limit below the drawdown ends REDUCING: the new limit holds", () => {
  const desk = deskAt("REDUCING");
  desk.sync.apply({ max_drawdown_ratio: 0.03, trading_state: "ACTIVE" });
  expect(desk.settle()).toEqual({ kernel: "REDUCING", snapshot: "REDUCING" });
});
