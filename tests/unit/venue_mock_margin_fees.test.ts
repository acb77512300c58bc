/**
 * The mock venue checks margin and charges maker fees as bingx-sim does (src/sim/order_rules.ts
 * `checkFunds`, src/sim/fills.ts): an opening order needs size × price / leverage plus the taker
 * fee on it within the available margin (price: the limit for a LIMIT, else the venue's price),
 * else it is refused 101204 "Insufficient margin" and nothing changes; a close needs none. A
 * limit that rests and fills later pays the maker rate (0.02%), one that crosses at once taker
 * (0.05%). Before, every order filled whatever the balance and every fill paid taker.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest, VenueEvent } from "../../src/contracts/venue.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";

const PRICE = 65_000;
const TAKER = 0.0005;
const MAKER = 0.0002;
let n = 0;

function req(over: Partial<OrderRequest> = {}): OrderRequest {
  n++;
  return {
    client_order_id: `mf${n}`,
    asset: "BTC-USDT",
    side: "BUY",
    position_side: "LONG",
    type: "MARKET",
    size: 0.01,
    reduce_only: false,
    ...over,
  };
}

async function venue(balance: number, seed = 3): Promise<{ m: MockVenueAdapter; events: VenueEvent[] }> {
  const m = new MockVenueAdapter({ seed, clock: new ManualClock(1_000), prices: { "BTC-USDT": PRICE }, balance });
  const events: VenueEvent[] = [];
  m.onEvent((e) => events.push(e));
  await m.connect();
  return { m, events };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

async function snapshot(m: MockVenueAdapter) {
  return { balance: await m.balance(), positions: await m.positions(), orders: m.allOrders(), fills: m.fills() };
}

describe("mock venue margin", () => {
  test("an opening order whose margin exceeds the available margin is refused 101204 Insufficient margin, nothing filled, no state changed", async () => {
    const { m, events } = await venue(1_000);
    const before = await snapshot(m);
    // 0.16 × 65 000 / 10 = 1 040 USDT of margin (+ 5.2 fee) against 1 000 available.
    const o = req({ size: 0.16 });
    const res = await m.submit(o);
    expect(res.status).toBe("REJECTED");
    if (res.status !== "REJECTED") return;
    expect(res.event.reject_reason).toBe("VENUE");
    expect(res.event.venue_code).toBe("101204");
    expect(res.event.venue_message).toBe("Insufficient margin, need 1045.2000 USDT, available 1000.0000");
    await settle();
    expect(events.map((e) => e.kind)).toEqual(["REJECT"]);
    expect(await m.queryOrder("BTC-USDT", o.client_order_id)).toBeNull();
    expect(await snapshot(m)).toEqual(before);
  });

  test("an opening order whose margin and fee fit fills", async () => {
    const { m } = await venue(1_000);
    // 0.15 × 65 000 / 10 = 975 + 4.875 fee = 979.875 ≤ 1 000.
    expect((await m.submit(req({ size: 0.15 }))).status).toBe("ACCEPTED");
    expect((await m.positions("BTC-USDT"))[0]?.size).toBe(0.15);
  });

  test("the taker fee counts toward the margin an opening order needs", async () => {
    // 1 × 65 000 / 10 = 6 500 margin fits 6 510, but with the 32.5 fee it does not.
    const { m } = await venue(6_510);
    const res = await m.submit(req({ size: 1 }));
    expect(res.status).toBe("REJECTED");
    if (res.status === "REJECTED") expect(res.event.venue_code).toBe("101204");
    expect(await m.positions()).toEqual([]);
  });

  test("the leverage set at the venue for the position's side divides the margin", async () => {
    const { m } = await venue(1_000);
    await m.setLeverage("BTC-USDT", "LONG", 20);
    // 0.16 × 65 000 / 20 = 520 + 5.2 fee fits.
    expect((await m.submit(req({ size: 0.16 }))).status).toBe("ACCEPTED");
    // The SHORT side keeps the default leverage 10: 1 040 + 5.2 does not fit what is left.
    const res = await m.submit(req({ side: "SELL", position_side: "SHORT", size: 0.16 }));
    expect(res.status).toBe("REJECTED");
    if (res.status === "REJECTED") expect(res.event.venue_code).toBe("101204");
  });

  test("the margin held by open positions is not available to a new opening order", async () => {
    const { m } = await venue(1_000);
    expect((await m.submit(req({ size: 0.15 }))).status).toBe("ACCEPTED");
    // Available ≈ 1 000 − 4.875 fee − 975 used = 20.125; 0.01 needs 65 + 0.325.
    const res = await m.submit(req({ size: 0.01 }));
    expect(res.status).toBe("REJECTED");
    if (res.status === "REJECTED") expect(res.event.venue_code).toBe("101204");
    expect((await m.positions("BTC-USDT"))[0]?.size).toBe(0.15);
  });

  test("a close needs no margin: it is accepted with nothing available", async () => {
    const { m } = await venue(1_000);
    await m.submit(req({ size: 0.15 }));
    m.setPrice("BTC-USDT", 64_000); // −150 unrealized: available margin is now negative
    expect((await m.balance()).available_margin).toBeLessThan(0);
    const close = await m.submit(req({ side: "SELL", size: 0.15, reduce_only: true }));
    expect(close.status).toBe("ACCEPTED");
    expect(await m.positions()).toEqual([]);
  });

  test("a LIMIT's margin is reckoned at its limit price, as bingx-sim does", async () => {
    const { m } = await venue(1_030);
    // At the limit 60 000: 0.17 × 60 000 / 10 = 1 020 + 5.1 fits 1 030; at 65 000 it would not.
    const o = req({ type: "LIMIT", price: 60_000, size: 0.17 });
    expect((await m.submit(o)).status).toBe("ACCEPTED");
    expect((await m.queryOrder("BTC-USDT", o.client_order_id))?.status).toBe("NEW");
    const dear = await m.submit(req({ type: "LIMIT", price: 61_000, size: 0.17 }));
    expect(dear.status).toBe("REJECTED");
    if (dear.status === "REJECTED") expect(dear.event.venue_code).toBe("101204");
  });
});

describe("mock venue fees", () => {
  test("a limit order that rests and fills later pays the maker rate", async () => {
    const { m, events } = await venue(10_000);
    const o = req({ type: "LIMIT", price: 64_000, size: 0.02 });
    expect((await m.submit(o)).status).toBe("ACCEPTED");
    m.setPrice("BTC-USDT", 63_900);
    await settle();
    const full = events.find((e) => e.client_order_id === o.client_order_id && e.kind === "FULL_FILL");
    expect(full?.last_fill_price).toBe(64_000);
    const fee = 0.02 * 64_000 * MAKER;
    expect(near(full?.fee_cumulative ?? -1, fee)).toBe(true);
    expect(near(m.fills()[0]?.fee ?? -1, fee)).toBe(true);
    expect(near((await m.balance()).balance, 10_000 - fee)).toBe(true);
  });

  test("a resting limit filled in legs pays the maker rate on every leg", async () => {
    const { m } = await venue(10_000);
    m.setKnobs({ partial_fill_legs: 2 });
    await m.submit(req({ type: "LIMIT", price: 64_000, size: 0.02 }));
    m.setPrice("BTC-USDT", 64_000);
    const fills = m.fills();
    expect(fills.length).toBe(2);
    for (const f of fills) expect(near(f.fee, f.qty * 64_000 * MAKER)).toBe(true);
  });

  test("a limit that crosses at once pays the taker rate", async () => {
    const { m, events } = await venue(10_000);
    const o = req({ type: "LIMIT", price: 66_000, size: 0.02 });
    await m.submit(o);
    await settle();
    const full = events.find((e) => e.client_order_id === o.client_order_id && e.kind === "FULL_FILL");
    expect(full?.last_fill_price).toBe(PRICE);
    expect(near(full?.fee_cumulative ?? -1, 0.02 * PRICE * TAKER)).toBe(true);
  });

  test("a resting close filled later pays the maker rate", async () => {
    const { m } = await venue(10_000);
    await m.submit(req({ size: 0.02 }));
    await m.submit(req({ side: "SELL", type: "LIMIT", price: 66_000, size: 0.02, reduce_only: true }));
    m.setPrice("BTC-USDT", 66_000);
    const [open, close] = m.fills();
    expect(near(open?.fee ?? -1, 0.02 * PRICE * TAKER)).toBe(true);
    expect(near(close?.fee ?? -1, 0.02 * 66_000 * MAKER)).toBe(true);
  });
});

describe("mock venue determinism with margin and maker fees", () => {
  test("the same seed and calls give the same events, refusals and fees", async () => {
    const run = async (seed: number) => {
      const { m, events } = await venue(1_000, seed);
      await m.submit({ ...req({ size: 0.1 }), client_order_id: "d1" });
      await m.submit({ ...req({ size: 0.1 }), client_order_id: "d2" });
      await m.submit({ ...req({ type: "LIMIT", price: 64_000, size: 0.001 }), client_order_id: "d3" });
      m.setPrice("BTC-USDT", 63_000);
      await settle();
      return events.map((e) => `${e.kind}|${e.event_id}|${e.venue_code ?? ""}|${e.fee_cumulative}`);
    };
    const a = await run(9);
    expect(await run(9)).toEqual(a);
    expect(a.some((line) => line.startsWith("REJECT|") && line.includes("|101204|"))).toBe(true);
  });
});
