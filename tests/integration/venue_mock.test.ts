/**
 * The venue contract suite against MockVenueAdapter, plus mock-only behaviour: determinism from
 * the seed, hung orders, latency and counted knobs.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { order, record, until, venueContract } from "./venue_contract.ts";

const PRICE = 65_000;

function makeMock(seed = 42): MockVenueAdapter {
  return new MockVenueAdapter({ seed, clock: new ManualClock(), prices: { "BTC-USDT": PRICE }, balance: 10_000 });
}

venueContract("MockVenueAdapter", async () => {
  const m = makeMock();
  return {
    adapter: m,
    asset: "BTC-USDT",
    price: PRICE,
    sellPrice: PRICE,
    feeRate: 0.0005,
    setPrice: (p) => m.setPrice("BTC-USDT", p),
    partialLegs: (n) => m.setKnobs({ partial_fill_legs: n }),
    cancelReject: (on) => m.setKnobs({ cancel_reject: on }),
    venueReject: () => {
      m.setKnobs({ reject: { code: 101204, message: "Insufficient margin", count: 1 } });
      return 0.01;
    },
    rateLimit: (hint) => m.setKnobs({ rate_limit: hint ? { retry_after_ms: 1500, count: 1 } : { count: 1 } }),
    duplicates: (on) => m.setKnobs({ duplicate_delivery: on }),
    reorder: (on) => m.setKnobs({ reordered_delivery: on }),
    reset: () => m.clearKnobs(),
    stop: async () => undefined,
  };
});

async function runScript(seed: number): Promise<string[]> {
  const m = makeMock(seed);
  const r = record(m);
  await m.connect();
  m.setKnobs({ partial_fill_legs: 2, reordered_delivery: true, duplicate_delivery: true });
  for (let i = 0; i < 3; i++) await m.submit({ ...order("BTC-USDT", { size: 0.02 }), client_order_id: `det-${i}` });
  await until(() => r.events.filter((e) => e.kind === "FULL_FILL").length >= 6, 2000, "fills");
  await m.close();
  return r.events.map((e) => `${e.kind}|${e.event_id}|${e.filled_size_cumulative}`);
}

test("the same seed and the same calls deliver the same events in the same order", async () => {
  const a = await runScript(7);
  const b = await runScript(7);
  expect(a).toEqual(b);
  const c = await runScript(8);
  expect(c).not.toEqual(a);
});

test("a hung order is accepted and then never acknowledged nor filled, yet the venue knows it", async () => {
  const m = makeMock();
  const r = record(m);
  await m.connect();
  m.setKnobs({ hung: true });
  const o = order("BTC-USDT");
  expect((await m.submit(o)).status).toBe("ACCEPTED");
  await new Promise((res) => setTimeout(res, 30));
  expect(r.of(o.client_order_id)).toEqual([]);
  expect((await m.queryOrder("BTC-USDT", o.client_order_id))?.status).toBe("NEW");
});

test("latency delays both the answer and the events by latency_ms", async () => {
  const m = makeMock();
  const r = record(m);
  await m.connect();
  m.setKnobs({ latency_ms: 40 });
  const o = order("BTC-USDT");
  const t0 = process.hrtime.bigint();
  await m.submit(o);
  expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeGreaterThanOrEqual(35);
  await until(() => r.of(o.client_order_id).some((e) => e.kind === "FULL_FILL"), 1000, "fill");
});

test("a resubmit with the same client order id returns the same order (no second order)", async () => {
  const m = makeMock();
  await m.connect();
  const o = order("BTC-USDT");
  const a = await m.submit(o);
  const b = await m.submit(o);
  expect(a).toEqual(b);
  expect((await m.positions("BTC-USDT"))[0]?.size).toBe(0.01);
});

test("closing more than the position holds is refused with code 101400", async () => {
  const m = makeMock();
  await m.connect();
  const res = await m.submit(order("BTC-USDT", { side: "SELL", reduce_only: true }));
  expect(res.status).toBe("REJECTED");
  if (res.status === "REJECTED") expect(res.event.venue_code).toBe("101400");
});

test("invalid knobs are refused with a Condition failed error", () => {
  const m = makeMock();
  expect(() => m.setKnobs({ latency_ms: -1 })).toThrow("Condition failed");
  expect(() => m.setKnobs({ partial_fill_legs: 0 })).toThrow("Condition failed");
});
