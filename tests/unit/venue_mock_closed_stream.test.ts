/**
 * The mock venue's stream after close(): like BingX's user stream, a closed adapter delivers no
 * event. The venue still trades (a resting order the price crosses fills, queryable), and what
 * its stream held is delivered once connect() opens it again, as the BingX adapter's catch-up
 * reports an order's fate after a reconnect.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueEvent, VenueLeverage } from "../../src/contracts/venue.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";

const settle = () => new Promise((r) => setTimeout(r, 5));

test("after close() no event is delivered; the fill made meanwhile arrives after connect()", async () => {
  const m = new MockVenueAdapter({ seed: 3, clock: new ManualClock(1_000), prices: { "BTC-USDT": 65_000 } });
  const events: VenueEvent[] = [];
  m.onEvent((e) => events.push(e));
  await m.connect();
  const o = {
    client_order_id: "closed-1",
    asset: "BTC-USDT",
    side: "BUY" as const,
    position_side: "LONG" as const,
    type: "LIMIT" as const,
    price: 60_000,
    size: 0.01,
    reduce_only: false,
  };
  await m.submit(o);
  await settle();
  expect(events.map((e) => e.kind)).toEqual(["ACK"]);
  await m.close();
  m.setPrice("BTC-USDT", 59_000);
  await settle();
  expect(events.map((e) => e.kind)).toEqual(["ACK"]);
  expect((await m.queryOrder("BTC-USDT", "closed-1"))?.status).toBe("FILLED");
  await m.connect();
  await settle();
  expect(events.map((e) => e.kind)).toEqual(["ACK", "FULL_FILL"]);
});

test("a leverage push on its way when close() is called is not delivered, as the down stream's would not be", async () => {
  const m = new MockVenueAdapter({ seed: 4, clock: new ManualClock(1_000), prices: { "BTC-USDT": 65_000 } });
  const pushed: VenueLeverage[] = [];
  m.onLeverage((p) => pushed.push(p));
  await m.connect();
  m.setKnobs({ latency_ms: 20 });
  await m.setLeverage("BTC-USDT", "LONG", 4); // pushed 20 ms later
  await m.close();
  await new Promise((r) => setTimeout(r, 50));
  expect(pushed).toEqual([]);
});

test("a reconnect pushes each asset's leverage once, as BingX pushes the account's configuration at connect: a change made while closed is heard", async () => {
  const m = new MockVenueAdapter({
    seed: 5,
    clock: new ManualClock(1_000),
    prices: { "BTC-USDT": 65_000, "ETH-USDT": 3_000 },
  });
  const pushed: VenueLeverage[] = [];
  m.onLeverage((p) => pushed.push(p));
  await m.connect();
  await m.setLeverage("BTC-USDT", "LONG", 4);
  await settle();
  expect(pushed.map((p) => [p.asset, p.long])).toEqual([["BTC-USDT", 4]]);
  await m.close();
  await m.setLeverage("BTC-USDT", "LONG", 7); // while the stream is down: not pushed
  await settle();
  expect(pushed.length).toBe(1);
  await m.connect();
  await settle();
  expect(pushed.map((p) => [p.asset, p.long])).toEqual([
    ["BTC-USDT", 4],
    ["BTC-USDT", 7],
  ]); // ETH-USDT, never set, is not pushed
});
