/**
 * The restart version of reconcile_lost_exit_fill: a slot's limit exit fills at the venue while the
 * process is down. Recovery looks the exit up; the venue says FILLED. Those fills happened: the
 * kernel takes them as the event it missed (the trade closes at the exit's own price and fee)
 * instead of a RECONCILE to flat that would end the exit CANCELLED with nothing filled and the
 * trade's PnL and fees lost from the kernel's figures.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { executorOver, mockVenue, restartFrom, slotImages } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

test("an exit that filled at the venue while the process was down closes the trade at restart with its PnL and fee", async () => {
  const clock = new ManualClock(T0);
  const venue = await mockVenue(11, clock);
  const { kernel: first, executor, settle } = executorOver(venue, clock, kernels);
  executor.submitStrategy(btcEntry("R0"));
  await settle();
  executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: 67_000, reason: "TP" });
  await settle();
  expect(first.slot(0)).toMatchObject({ stage: "EXIT_WORKING", exit_order: { status: "ACKED" } });
  const images = slotImages(first);
  venue.setKnobs({ stream_drop: { after: 0 } }); // the process is down: nobody hears the fill
  venue.setPrice("BTC-USDT", 67_100);
  await Bun.sleep(10);
  venue.clearKnobs();

  const { kernel: second, report } = await restartFrom(images, venue, clock, kernels);
  expect(report.orphans).toEqual([]);
  expect(second.slot(0).stage).toBe("CLOSED");
  expect(second.slot(0).exit_order).toMatchObject({ status: "FILLED", filled_size: 0.01, avg_fill_price: 67_000 });
  expect(second.slot(0)).toMatchObject({ realized_pnl: 20, exit_order: { fee: 0.134 } }); // 0.01 × (67 000 − 65 000); a resting limit pays maker
  expect(report.capital).toBeCloseTo((await venue.balance()).balance, 6);
});
