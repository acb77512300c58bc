/**
 * A placement whose answer never came (a timeout: UNKNOWN), whose hung-order query then found no
 * such order (the executor rejects it: ABSENT), and which then lands at the venue late: the kernel
 * holds it REJECTED and the slot is free, so nothing in the kernel will ever cancel it. The
 * executor cancels it at the venue as soon as the venue reports it live, so no order the kernel
 * rejected keeps resting (and filling into a position no slot owns).
 */

import { expect, test } from "bun:test";
import type { OrderRequest, SubmitResult, VenueAdapter } from "../../src/contracts/venue.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { kernelsPerTest } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 100_000 });

async function world() {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 7, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  const timedOut: OrderRequest[] = [];
  const cancels: string[] = [];
  // The placement's HTTP answer never comes: the adapter gives up (UNKNOWN), the request is still on its way.
  const venue: VenueAdapter = Object.create(mock, {
    submit: {
      value: async (r: OrderRequest): Promise<SubmitResult> => {
        timedOut.push(r);
        return { status: "UNKNOWN", reason: "timeout" };
      },
    },
    cancel: {
      value: (asset: string, cid: string) => {
        cancels.push(cid);
        return mock.cancel(asset, cid);
      },
    },
  });
  const k = kernel();
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {} });
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await executor.drain(1_000);
      await Bun.sleep(2);
    }
  };
  return { mock, kernel: k, executor, timedOut, cancels, settle };
}

test("an entry rejected as absent that lands at the venue late is cancelled there, not left resting", async () => {
  const w = await world();
  w.executor.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "LATE1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: 60_000,
    leverage: 3,
  });
  await w.settle();
  expect(w.timedOut).toHaveLength(1);
  expect(await w.executor.resolveByQuery(0)).toBe("ABSENT_REJECTED");
  expect(w.kernel.slot(0).stage).toBe("IDLE");
  // The request that timed out reaches the venue now: it rests (a limit below the market).
  const late = w.timedOut[0]!;
  expect((await w.mock.submit(late)).status).toBe("ACCEPTED");
  await w.settle();
  expect(w.cancels).toEqual([late.client_order_id]);
  expect(await w.mock.openOrders()).toEqual([]);
  expect(w.kernel.slot(0).stage).toBe("IDLE");
});
