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
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

async function trading(clock: ManualClock) {
  const venue = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": 65_000 }, balance: 10_000 });
  await venue.connect();
  const kernel = freshKernel({ slots: 2, capital: 10_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await executor.drain(1_000);
      await Bun.sleep(2);
    }
  };
  const enter = (slot_id: number) =>
    executor.submitStrategy({
      type: "ENTER",
      slot_id,
      trade_id: "T1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: null,
      leverage: 3,
    });
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

  const kernel = freshKernel({ slots: 2, capital: 0 });
  kernels.push(kernel);
  const report = await recover(
    {
      kernel,
      executor: new Executor(kernel, now.venue, clock, { afterApply: () => {} }),
      venue: now.venue,
      nowMs: () => clock.nowMs(),
      log: () => {},
    },
    { source: "hazelcast", images },
    true,
  );
  expect(report.restored).toEqual([1]);
  expect(report.refused.map((r) => r.slot_id)).toEqual([0]);
  expect(report.refused[0]!.message).toContain("held by slot 1");
  expect(report.orphans).toEqual([]);
  expect(kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", trade_id: "T1" });
});
