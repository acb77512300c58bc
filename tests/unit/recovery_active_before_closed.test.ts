/**
 * A belief that is not one consistent state (Hazelcast rows lagging one another) can hold an old
 * CLOSED image and an active image on one trade id. The kernel refuses the second of two slots
 * holding one trade id (client order ids derive from it: one slot would get the other's fills), so
 * recovery restores the active images first: the refusal lands on the stale CLOSED one, and the
 * open position is adopted instead of being reported an orphan.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { executorOver, mockVenue, restartFrom } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

async function trading(clock: ManualClock) {
  const venue = await mockVenue(5, clock);
  const { kernel, executor, settle } = executorOver(venue, clock, kernels);
  const enter = (slot_id: number) => executor.submitStrategy({ ...btcEntry("T1"), slot_id });
  return { venue, kernel, executor, settle, enter };
}

test("an active image is restored before a stale CLOSED image on its trade id: the position is adopted, the stale one refused", async () => {
  const clock = new ManualClock(T0);
  const old = await trading(clock); // an earlier trade T1 on slot 0, closed
  old.enter(0);
  await old.settle();
  old.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SIGNAL" });
  await old.settle();
  expect(old.kernel.slot(0).stage).toBe("CLOSED");
  const now = await trading(clock); // the belief's newer row: T1 open on slot 1
  now.enter(1);
  await now.settle();
  expect(now.kernel.slot(1).stage).toBe("POSITION_OPEN");
  const images = [old.kernel.slotImage(0).slice(), now.kernel.slotImage(1).slice()];

  const { kernel, report } = await restartFrom(images, now.venue, clock, kernels, "hazelcast");
  expect(report.restored).toEqual([1]);
  expect(report.refused.map((r) => r.slot_id)).toEqual([0]);
  expect(report.refused[0]!.message).toContain("held by slot 1");
  expect(report.orphans).toEqual([]);
  expect(kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", trade_id: "T1" });
});
