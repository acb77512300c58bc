/**
 * A trade has at most 65 535 exit legs; a strategy re-pricing a limit exit by CANCEL and a new EXIT
 * spends one per re-price. The kernel warns (EXIT_LEGS_LOW, WARNING, `value` the legs left) with the
 * accepted EXIT that opens leg 65 280 (255 left), then every fifth leg, so the strategy and the
 * operator hear it while the position can still be closed. Fast tier: a runtime over the mock venue,
 * limit exits resting far above the market, each cancelled with nothing filled; the trade is brought
 * to leg 65 279 by restoring its own image with that leg (the path a recovery takes), so the legs
 * past 255 also cross the TypeScript image encoder and decoder, the journal and the venue's ids.
 */

import { afterEach, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { KernelOutcome, SlotRecord } from "../../src/contracts/records.ts";
import { encodeSlotImage } from "../../src/kernel/index.ts";
import type { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { btcEntry, startedRuntime, tempDirsPerTest, until } from "../_support/runtime.ts";

const tempDir = tempDirsPerTest("dita-legs-low-");
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
});

const restingExit: StrategyIntent = { type: "EXIT", slot_id: 0, size: 0.01, price: 90_000, reason: "TP" };

/** One exit leg resting at the venue, then cancelled with nothing filled; the EXIT's outcome. */
async function cancelledLeg(rt: Runtime): Promise<KernelOutcome> {
  const outcome = rt.submitStrategy(restingExit);
  await until(() => rt.b.kernel.slot(0).exit_order?.status === "ACKED");
  expect(rt.submitStrategy({ type: "CANCEL", slot_id: 0 }).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  return outcome;
}

test("the EXIT that opens exit leg 65 280 is accepted with EXIT_LEGS_LOW (255 left); legs 65 281-65 284 carry none", async () => {
  const { rt } = await startedRuntime(tempDir());
  runtimes.push(rt);
  expect(rt.submitStrategy(btcEntry("LOW1")).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  await cancelledLeg(rt);
  const s = rt.b.kernel.slot(0);
  const far: SlotRecord = {
    ...s,
    leg: 65_279,
    exit_order: { ...s.exit_order!, leg: 65_279, client_order_id: "LOW1-X65279" },
  };
  expect(rt.b.kernel.restoreSlot(encodeSlotImage(far), new SystemClock().nowMs()).accepted).toBe(true);
  expect(rt.b.kernel.slot(0)).toMatchObject({ leg: 65_279, exit_order: { leg: 65_279 } });
  const outcomes: KernelOutcome[] = [];
  for (let leg = 65_280; leg <= 65_285; leg++) outcomes.push(await cancelledLeg(rt));
  const warned = outcomes.flatMap((o, i) =>
    o.diagnostics.map((d) => [65_280 + i, d.code, d.severity, d.details.value]),
  );
  expect(warned).toEqual([
    [65_280, "EXIT_LEGS_LOW", "WARNING", 255],
    [65_285, "EXIT_LEGS_LOW", "WARNING", 250],
  ]);
  expect(outcomes.every((o) => o.accepted)).toBe(true);
  expect(rt.b.kernel.slot(0)).toMatchObject({
    stage: "POSITION_OPEN",
    leg: 65_285,
    size: 0.01,
    exit_order: { leg: 65_285, client_order_id: "LOW1-X65285", status: "CANCELLED" },
  });
}, 60_000);
