/**
 * The mock venue's transport faults (testability hooks for the chaos matrix) and its fill history:
 * a 5xx fails before anything executes, a lost answer leaves an order that exists, a stream that
 * drops mid-fill loses the rest of that batch only, counted knobs switch themselves off, nonsense
 * knobs are refused, and the fill history holds one record per leg with that leg's fee.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest, VenueEvent } from "../../src/contracts/venue.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { marketBuy } from "../_support/venue_data.ts";

async function mock(): Promise<{ m: MockVenueAdapter; events: VenueEvent[] }> {
  const m = new MockVenueAdapter({ seed: 4, clock: new ManualClock(1_000), prices: { "BTC-USDT": 65_000 } });
  const events: VenueEvent[] = [];
  m.onEvent((e) => events.push(e));
  await m.connect();
  return { m, events };
}

const buy = (cid: string, size = 0.004): OrderRequest => marketBuy(cid, size);

test("http_5xx: the next placement answers UNKNOWN and nothing executed; the one after works", async () => {
  const { m } = await mock();
  m.setKnobs({ http_5xx: { count: 1 } });
  const r = await m.submit(buy("a1"));
  expect(r).toEqual({ status: "UNKNOWN", reason: "mock venue: HTTP 500 before execution; outcome unknown" });
  expect(await m.queryOrder("BTC-USDT", "a1")).toBeNull();
  expect(m.knobs().http_5xx).toBeUndefined();
  expect((await m.submit(buy("a2"))).status).toBe("ACCEPTED");
});

test("http_5xx on a cancel answers UNKNOWN and the order keeps working", async () => {
  const { m } = await mock();
  await m.submit({ ...buy("c1"), type: "LIMIT", price: 60_000 });
  m.setKnobs({ http_5xx: { count: 1 } });
  expect((await m.cancel("BTC-USDT", "c1")).status).toBe("UNKNOWN");
  expect((await m.queryOrder("BTC-USDT", "c1"))?.status).toBe("NEW");
});

test("drop_responses: the placement executes but answers UNKNOWN; querying finds the filled order", async () => {
  const { m, events } = await mock();
  m.setKnobs({ drop_responses: { count: 1 } });
  expect((await m.submit(buy("d1"))).status).toBe("UNKNOWN");
  await Bun.sleep(5);
  expect((await m.queryOrder("BTC-USDT", "d1"))?.status).toBe("FILLED");
  expect(events.map((e) => e.kind)).toEqual(["ACK", "FULL_FILL"]);
});

test("stream_drop after 2: of a four-leg fill batch two events arrive, the rest is lost, later batches arrive", async () => {
  const { m, events } = await mock();
  m.setKnobs({ partial_fill_legs: 4, stream_drop: { after: 2 } });
  await m.submit(buy("s1"));
  await Bun.sleep(5);
  expect(events.map((e) => e.kind)).toEqual(["ACK", "PARTIAL_FILL"]);
  expect((await m.queryOrder("BTC-USDT", "s1"))?.filled_size_cumulative).toBe(0.004);
  expect(m.knobs().stream_drop).toBeUndefined();
  await m.submit(buy("s2"));
  await Bun.sleep(5);
  expect(events.filter((e) => e.client_order_id === "s2")).toHaveLength(5);
});

test("stream_drop after more events than a batch holds counts down across batches", async () => {
  const { m, events } = await mock();
  m.setKnobs({ stream_drop: { after: 3 } });
  await m.submit(buy("t1")); // ACK + FULL_FILL: 2 delivered, 1 left
  await m.submit(buy("t2")); // ACK delivered, FULL_FILL lost
  await Bun.sleep(5);
  expect(events.map((e) => `${e.client_order_id}:${e.kind}`)).toEqual(["t1:ACK", "t1:FULL_FILL", "t2:ACK"]);
});

test("nonsense transport knobs are refused with a Condition failed line", async () => {
  const { m } = await mock();
  expect(() => m.setKnobs({ http_5xx: { count: 0 } })).toThrow("Condition failed: http_5xx.count");
  expect(() => m.setKnobs({ drop_responses: { count: 1.5 } })).toThrow("Condition failed: drop_responses.count");
  expect(() => m.setKnobs({ stream_drop: { after: -1 } })).toThrow("Condition failed: stream_drop.after");
});

test("the fill history has one record per leg with that leg's quantity, price and fee, and every order is listed", async () => {
  const { m } = await mock();
  m.setKnobs({ partial_fill_legs: 2 });
  await m.submit(buy("f1", 0.004));
  const fills = m.fills();
  expect(fills.map((f) => [f.client_order_id, f.qty, f.price])).toEqual([
    ["f1", 0.002, 65_000],
    ["f1", 0.002, 65_000],
  ]);
  for (const f of fills) expect(f.fee).toBeCloseTo(0.002 * 65_000 * 0.0005, 12);
  expect(m.allOrders().map((o) => [o.client_order_id, o.status])).toEqual([["f1", "FILLED"]]);
});
