/**
 * Flatten's confirmation at the venue racing the venue's settlement, in the fast tier: a real
 * kernel and executor over the mock venue, whose reads a scripted double makes race.
 *
 * The flatten answers once the venue confirmed no position and no open order. One positions read
 * may lag the fills the kernel already heard (a stale snapshot), and a fill may land between the
 * positions read and the open-orders read. The confirmation must neither answer INCOMPLETE for a
 * book the venue settles flat within the bound, nor answer complete for a position the venue holds.
 */

import { afterEach, expect, test } from "bun:test";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import type { VenueAdapter, VenuePosition } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Flattener } from "../../src/launcher/flatten.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import type { MockVenueAdapter } from "../../src/venue/index.ts";
import { executorOver, mockVenue } from "../_support/executor.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(20); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

async function world(positions: (mock: MockVenueAdapter) => Promise<VenuePosition[]>) {
  const clock = new SystemClock();
  const mock = await mockVenue(4, clock);
  const venue: VenueAdapter = Object.create(mock, { positions: { value: () => positions(mock) } });
  const { kernel, executor, settle } = executorOver(venue, clock, kernels);
  const ops = { kernel, executor, venue, clock, log: () => {}, sleep: (ms: number) => Bun.sleep(ms) };
  const flattener = new Flattener({ ...ops, halt: () => {}, reconcileNow: async () => {} });
  return { mock, kernel, executor, flattener, settle };
}

test("a positions snapshot that lags the exit's fill once: the flatten waits for the venue and answers complete", async () => {
  let stale: VenuePosition[] | null = null; // the venue's answer from before the exit, served once
  const w = await world(async (mock) => {
    const answer = stale ?? (await mock.positions());
    stale = null;
    return answer;
  });
  w.executor.submitStrategy(btcEntry("C0"));
  await w.settle();
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  stale = await w.mock.positions();
  const report = await w.flattener.run({ timeout_ms: 5_000 } as FlattenRequest);
  expect(w.kernel.slot(0).stage).toBe("CLOSED");
  expect(await w.mock.positions()).toEqual([]); // flat at the venue
  expect(report.venue.positions).toEqual([]);
  expect(report.complete).toBe(true);
});

test("a fill landing between the positions read and the open-orders read is not confirmed flat", async () => {
  let fillAfterRead = true; // a resting order no slot holds fills right after the first positions read
  const w = await world(async (mock) => {
    const answer = await mock.positions();
    if (fillAfterRead) mock.setPrice("BTC-USDT", 59_000);
    fillAfterRead = false;
    return answer;
  });
  const order = { asset: "BTC-USDT", side: "BUY", position_side: "LONG", type: "LIMIT", reduce_only: false } as const;
  await w.mock.submit({ ...order, client_order_id: "by-hand-1", size: 0.01, price: 60_000 });
  const report = await w.flattener.run({ timeout_ms: 3_000 } as FlattenRequest);
  expect(await w.mock.positions()).toMatchObject([{ asset: "BTC-USDT", side: "LONG", size: 0.01 }]);
  expect(report.complete).toBe(false);
  expect(report.venue.positions.length + report.venue.open_orders.length).toBeGreaterThan(0);
});
