/**
 * The mock venue reserves margin for working opening orders, as BingX does: a resting LIMIT that
 * opens holds its remaining size × limit / leverage plus the taker fee on it out of the available
 * margin until it is cancelled or fills (a fill turns it into position margin, never counted
 * twice). A new opening order must fit what the reservations leave (else 101204, nothing placed).
 * A working close reserves nothing. Before, working orders reserved nothing, so many resting
 * limits each fitting the balance alone were all accepted.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest, VenueEvent } from "../../src/contracts/venue.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";

const TAKER = 0.0005;
const MAKER = 0.0002;
let n = 0;

function limitBuy(price: number, size: number, over: Partial<OrderRequest> = {}): OrderRequest {
  n++;
  return {
    client_order_id: `wm${n}`,
    asset: "BTC-USDT",
    side: "BUY",
    position_side: "LONG",
    type: "LIMIT",
    price,
    size,
    reduce_only: false,
    ...over,
  };
}

async function venue(balance: number): Promise<{ m: MockVenueAdapter; events: VenueEvent[] }> {
  const m = new MockVenueAdapter({ seed: 4, clock: new ManualClock(1_000), prices: { "BTC-USDT": 65_000 }, balance });
  const events: VenueEvent[] = [];
  m.onEvent((e) => events.push(e));
  await m.connect();
  return { m, events };
}

function marketBuy(size: number): OrderRequest {
  const { price: _, ...rest } = limitBuy(0, size);
  return { ...rest, type: "MARKET" };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
/** What a resting opening LIMIT reserves at leverage 10: margin plus the taker fee. */
const reserve = (price: number, size: number) => (size * price) / 10 + size * price * TAKER;

describe("mock venue: working opening orders reserve margin", () => {
  test("a second resting LIMIT that fits alone but not beside the first is refused 101204, nothing placed", async () => {
    const { m, events } = await venue(1_000);
    // A reserves 600 + 3 = 603; B needs 590 + 2.95 = 592.95: it fits 1 000, not the 397 left.
    const a = limitBuy(60_000, 0.1);
    expect((await m.submit(a)).status).toBe("ACCEPTED");
    const b = limitBuy(59_000, 0.1);
    const res = await m.submit(b);
    expect(res.status).toBe("REJECTED");
    if (res.status !== "REJECTED") return;
    expect(res.event.venue_code).toBe("101204");
    expect(res.event.venue_message).toBe("Insufficient margin, need 592.9500 USDT, available 397.0000");
    expect(await m.queryOrder("BTC-USDT", b.client_order_id)).toBeNull();
    expect((await m.openOrders()).map((o) => o.client_order_id)).toEqual([a.client_order_id]);
    await settle();
    expect(events.filter((e) => e.client_order_id === b.client_order_id).map((e) => e.kind)).toEqual(["REJECT"]);
  });

  test("cancelling the first releases its reservation: the second then fits", async () => {
    const { m } = await venue(1_000);
    const a = limitBuy(60_000, 0.1);
    await m.submit(a);
    expect((await m.submit(limitBuy(59_000, 0.1))).status).toBe("REJECTED");
    expect((await m.cancel("BTC-USDT", a.client_order_id)).status).toBe("REQUESTED");
    const b = limitBuy(59_000, 0.1);
    expect((await m.submit(b)).status).toBe("ACCEPTED");
    expect((await m.queryOrder("BTC-USDT", b.client_order_id))?.status).toBe("NEW");
  });

  test("a fill turns the reservation into position margin, never counted twice", async () => {
    const { m } = await venue(1_000);
    const a = limitBuy(60_000, 0.1);
    await m.submit(a);
    m.setPrice("BTC-USDT", 60_000); // A fills at its limit as a maker
    expect((await m.queryOrder("BTC-USDT", a.client_order_id))?.status).toBe("FILLED");
    // 1 000 − 1.2 maker fee − 600 position margin (no unrealized at 60 000) = 398.8, no reservation left.
    const available = 1_000 - 0.1 * 60_000 * MAKER - 600;
    expect(near((await m.balance()).available_margin, available)).toBe(true);
    // C needs 354 + 1.77: it fits 398.8, but would not if A's reservation still counted.
    expect((await m.submit(limitBuy(59_000, 0.06))).status).toBe("ACCEPTED");
  });

  test("the balance's available margin drops by the reservation while the order rests, and comes back on cancel", async () => {
    const { m } = await venue(1_000);
    const a = limitBuy(60_000, 0.1);
    await m.submit(a);
    const resting = await m.balance();
    expect(near(resting.available_margin, 1_000 - reserve(60_000, 0.1))).toBe(true);
    expect(resting.balance).toBe(1_000);
    expect(resting.equity).toBe(1_000);
    await m.cancel("BTC-USDT", a.client_order_id);
    expect((await m.balance()).available_margin).toBe(1_000);
  });

  test("the reservation follows the leverage set for the order's position side", async () => {
    const { m } = await venue(1_000);
    await m.setLeverage("BTC-USDT", "LONG", 20);
    await m.submit(limitBuy(60_000, 0.1));
    // 0.1 × 60 000 / 20 = 300 + 3 fee.
    expect(near((await m.balance()).available_margin, 697)).toBe(true);
  });

  test("many resting limits placed and cancelled leave the available margin exactly where it started", async () => {
    const { m } = await venue(10_000);
    const placed: string[] = [];
    for (let i = 0; i < 50; i++) {
      const o = limitBuy(60_000 - i * 7.3, 0.013);
      expect((await m.submit(o)).status).toBe("ACCEPTED");
      placed.push(o.client_order_id);
    }
    expect((await m.balance()).available_margin).toBeLessThan(10_000);
    for (const cid of placed) await m.cancel("BTC-USDT", cid);
    expect((await m.balance()).available_margin).toBe(10_000);
  });

  test("a working close reserves nothing", async () => {
    const { m } = await venue(10_000);
    await m.submit(marketBuy(0.1));
    const before = (await m.balance()).available_margin;
    const close = limitBuy(70_000, 0.1, { side: "SELL", reduce_only: true });
    expect((await m.submit(close)).status).toBe("ACCEPTED");
    expect((await m.queryOrder("BTC-USDT", close.client_order_id))?.status).toBe("NEW");
    expect((await m.balance()).available_margin).toBe(before);
  });

  test("a market order that fills at once leaves no reservation behind", async () => {
    const { m } = await venue(1_000);
    await m.submit(marketBuy(0.1));
    // 1 000 − 3.25 taker fee − 650 position margin.
    expect(near((await m.balance()).available_margin, 1_000 - 0.1 * 65_000 * TAKER - 650)).toBe(true);
  });
});
