/**
 * A trade has at most 255 exit legs; a strategy re-pricing a limit exit by CANCEL and a new EXIT
 * spends one per re-price. The kernel warns (EXIT_LEGS_LOW, WARNING, `value` the legs left) with the
 * accepted EXIT that opens leg 200, then every fifth leg, so the strategy and the operator hear it
 * while the position can still be closed. Fast tier: a runtime over the mock venue, limit exits
 * resting far above the market, each cancelled with nothing filled.
 */

import { afterEach, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { KernelOutcome } from "../../src/contracts/records.ts";
import type { Runtime } from "../../src/launcher/runtime.ts";
import { btcEntry, startedRuntime, tempDirsPerTest, until } from "../_support/runtime.ts";

const tempDir = tempDirsPerTest("dita-legs-low-");
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
});

const restingExit: StrategyIntent = { type: "EXIT", slot_id: 0, size: 0.01, price: 90_000, reason: "TP" };

test("the EXIT that opens exit leg 200 is accepted with EXIT_LEGS_LOW (55 left); legs 201-204 carry none", async () => {
  const { rt } = await startedRuntime(tempDir());
  runtimes.push(rt);
  expect(rt.submitStrategy(btcEntry("LOW1")).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  const outcomes: KernelOutcome[] = [];
  for (let leg = 1; leg <= 205; leg++) {
    outcomes.push(rt.submitStrategy(restingExit));
    await until(() => rt.b.kernel.slot(0).exit_order?.status === "ACKED");
    expect(rt.submitStrategy({ type: "CANCEL", slot_id: 0 }).accepted).toBe(true);
    await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  }
  const warned = outcomes.flatMap((o, i) => o.diagnostics.map((d) => [i + 1, d.code, d.severity, d.details.value]));
  expect(warned).toEqual([
    [200, "EXIT_LEGS_LOW", "WARNING", 55],
    [205, "EXIT_LEGS_LOW", "WARNING", 50],
  ]);
  expect(outcomes.every((o) => o.accepted)).toBe(true);
  expect(rt.b.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: 205, size: 0.01 });
}, 60_000);
