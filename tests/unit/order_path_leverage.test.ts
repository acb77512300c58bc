/**
 * The entry's leverage on the order path (real kernel and executor over the mock venue): a
 * leverage call whose answer was lost may still have changed the venue's leverage, so this process
 * no longer knows the venue's value and the next entry asking for the old value sets it again,
 * instead of trading at the value the failed call left.
 */

import { afterEach, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { OrderRequest, PositionSide, VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(20); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

const entry = (slot_id: number, leverage: number): StrategyIntent => ({
  type: "ENTER",
  slot_id,
  trade_id: `LV${slot_id}`,
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  price: null,
  leverage,
});

/** A venue whose leverage calls for `lostAt` take effect but never answer; each order notes the venue's leverage. */
async function world(lostAt: number) {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 4, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  let venueLeverage = 1;
  const orders: { order: OrderRequest; leverage: number }[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    setLeverage: {
      value: async (_a: string, _s: PositionSide, leverage: number) => {
        venueLeverage = leverage;
        if (leverage === lostAt) throw new Error("timeout after 5000 ms");
      },
    },
    submit: {
      value: (order: OrderRequest) => {
        orders.push({ order, leverage: venueLeverage });
        return mock.submit(order);
      },
    },
  });
  const kernel = freshKernel({ slots: 3, capital: 100_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {}, sleep: async () => {} });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await executor.drain(1_000);
      await Bun.sleep(2);
    }
  };
  return { kernel, executor, orders, settle };
}

test("after a leverage call whose answer was lost, an entry at the leverage set before sets it again", async () => {
  const w = await world(5);
  w.executor.submitStrategy(entry(0, 3));
  await w.settle();
  expect(w.kernel.slot(0).stage).toBe("POSITION_OPEN");
  w.executor.submitStrategy(entry(1, 5)); // its leverage call changed the venue, then timed out: rejected
  await w.settle();
  expect(w.kernel.slot(1).stage).toBe("IDLE");
  w.executor.submitStrategy(entry(2, 3));
  await w.settle();
  expect(w.kernel.slot(2).stage).toBe("POSITION_OPEN");
  expect(
    w.orders.map((o) => [o.order.client_order_id === w.kernel.slot(2).entry_order?.client_order_id, o.leverage]),
  ).toEqual([
    [false, 3],
    [true, 3], // the venue is back at 3 before slot 2's entry is placed
  ]);
});
