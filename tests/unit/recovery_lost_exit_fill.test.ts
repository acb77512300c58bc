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
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

test("an exit that filled at the venue while the process was down closes the trade at restart with its PnL and fee", async () => {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 11, clock, prices: { "BTC-USDT": 65_000 }, balance: 10_000 });
  await venue.connect();
  const first = freshKernel({ slots: 2, capital: 10_000 });
  kernels.push(first);
  const executor = new Executor(first, venue, clock, { afterApply: () => {} });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await executor.drain(1_000);
      await Bun.sleep(2);
    }
  };
  const enter = { type: "ENTER", slot_id: 0, trade_id: "R0", asset: "BTC-USDT", side: "LONG", size: 0.01 } as const;
  executor.submitStrategy({ ...enter, price: null, leverage: 3 });
  await settle();
  executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: 67_000, reason: "TP" });
  await settle();
  expect(first.slot(0)).toMatchObject({ stage: "EXIT_WORKING", exit_order: { status: "ACKED" } });
  const images = Array.from({ length: first.slotCount }, (_, i) => first.slotImage(i).slice());
  venue.setKnobs({ stream_drop: { after: 0 } }); // the process is down: nobody hears the fill
  venue.setPrice("BTC-USDT", 67_100);
  await Bun.sleep(10);
  venue.clearKnobs();

  const second = freshKernel({ slots: 2, capital: 0 });
  kernels.push(second);
  const report = await recover(
    {
      kernel: second,
      executor: new Executor(second, venue, clock, { afterApply: () => {} }),
      venue,
      nowMs: () => clock.nowMs(),
      log: () => {},
    },
    { source: "zinc", images },
    true,
  );
  expect(report.orphans).toEqual([]);
  expect(second.slot(0).stage).toBe("CLOSED");
  expect(second.slot(0).exit_order).toMatchObject({ status: "FILLED", filled_size: 0.01, avg_fill_price: 67_000 });
  expect(second.slot(0)).toMatchObject({ realized_pnl: 20, exit_order: { fee: 0.134 } }); // 0.01 × (67 000 − 65 000); a resting limit pays maker
  expect(report.capital).toBeCloseTo((await venue.balance()).balance, 6);
});
