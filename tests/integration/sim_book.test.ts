/**
 * bingx-sim's order book over real loopback HTTP: market orders walk it (one fill per level,
 * avgPrice = VWAP of the legs, REST, stream and fill history agreeing), depth and ticker answer
 * from it, limit orders take up to their price and rest the remainder, resting limits fill as
 * makers only against the liquidity that crosses them, taken liquidity comes back when the mark
 * moves or after a quiet second, and the book is a function of the seed.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { call, type Harness, openStream, orderEvents, place, startSim } from "./fixtures/sim_client.ts";

const DEPTH = "/openApi/swap/v2/quote/depth";
const FILLS = "/openApi/swap/v2/trade/allFillOrders";
let h: Harness;
afterEach(async () => {
  await h.sim.stop();
});

type Pair = [string, string];
const levels = (pairs: Pair[]) => pairs.map(([p, q]) => ({ price: Number(p), qty: Number(q) }));
async function book(symbol = "BTC-USDT", limit = 20) {
  const d = (await call(h, "GET", DEPTH, { symbol, limit })).body.data;
  return { bids: levels(d.bids), asks: levels(d.asks).reverse(), raw: d };
}
async function fills(params: Record<string, string | number> = {}) {
  const all = { symbol: "BTC-USDT", tradingUnit: "COIN", startTs: 0, endTs: h.clock.nowMs(), ...params };
  return (await call(h, "GET", FILLS, all)).body.data.fill_orders as any[];
}

describe("bingx-sim order book", () => {
  test("depth lists bids best first and asks deepest first; the best ask is one tick above the mark, the best bid one below", async () => {
    h = await startSim();
    const { bids, asks, raw } = await book("BTC-USDT", 5);
    expect(raw.bids).toHaveLength(5);
    expect(raw.asksCoin).toEqual(raw.asks);
    expect(typeof raw.T).toBe("number");
    expect(bids[0]?.price).toBe(64999.9);
    expect(asks[0]?.price).toBe(65000.1);
    for (let i = 1; i < 5; i++) {
      expect(bids[i]?.price).toBeCloseTo((bids[i - 1]?.price ?? 0) - 0.1, 6);
      expect(asks[i]?.price).toBeCloseTo((asks[i - 1]?.price ?? 0) + 0.1, 6);
    }
    expect(Number(raw.asks[0][0])).toBeGreaterThan(Number(raw.asks[4][0]));
    expect((await call(h, "GET", DEPTH, { symbol: "BTC-USDT", limit: 7 })).body.code).toBe(80014);
  });

  test("a market buy larger than the best ask walks the book: one fill per level, avgPrice is the VWAP, REST, stream and fill history agree", async () => {
    h = await startSim({ balance: 100_000 });
    const stream = await openStream(h);
    const before = await book();
    const size = Number(((before.asks[0]?.qty ?? 0) + (before.asks[1]?.qty ?? 0) + 0.01).toFixed(4));
    const placed = await place(h, { quantity: String(size), clientOrderID: "walk" });
    const order = placed.body.data.order;
    expect(order.status).toBe("FILLED");
    const legs = await fills({ orderId: order.orderId });
    expect(legs.map((f) => Number(f.price))).toEqual([65000.1, 65000.2, 65000.3]);
    expect(legs.map((f) => Number(f.volume))).toEqual([before.asks[0]?.qty ?? -1, before.asks[1]?.qty ?? -1, 0.01]);
    const vwap = legs.reduce((s, f) => s + Number(f.volume) * Number(f.price), 0) / size;
    expect(Number(order.avgPrice)).toBeCloseTo(vwap, 6);
    await stream.waitFor(() => orderEvents(stream).filter((e) => e.o.x === "TRADE").length === 3);
    const trades = orderEvents(stream).filter((e) => e.o.x === "TRADE");
    expect(trades.map((e) => Number(e.o.L))).toEqual([65000.1, 65000.2, 65000.3]);
    expect(trades.map((e) => e.o.X)).toEqual(["PARTIALLY_FILLED", "PARTIALLY_FILLED", "FILLED"]);
    expect(Number(trades[2]?.o.z)).toBe(size);
    expect(Number(trades[2]?.o.ap)).toBeCloseTo(Number(order.avgPrice), 6);
    const rest = (await call(h, "GET", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", orderId: order.orderId }))
      .body.data.order;
    expect(rest).toMatchObject({ executedQty: String(size), avgPrice: order.avgPrice });
    const after = await book();
    expect(after.asks[0]).toEqual({ price: 65000.3, qty: Number(((before.asks[2]?.qty ?? 0) - 0.01).toFixed(4)) });
    stream.ws.close();
  });

  test("taken liquidity stays taken until the mark moves or a quiet second passes on the sim clock", async () => {
    h = await startSim();
    const top = (await book()).asks[0];
    await place(h, { quantity: "0.01" });
    expect((await book()).asks[0]?.qty).toBeCloseTo((top?.qty ?? 0) - 0.01, 8);
    h.clock.advance(1000);
    expect((await book()).asks[0]).toEqual(top);
    await place(h, { quantity: "0.01" });
    h.sim.setPrice("BTC-USDT", 65010);
    const moved = await book();
    expect(moved.asks[0]?.price).toBe(65010.1);
    expect(moved.bids[0]?.price).toBe(65009.9);
  });

  test("the book is a function of the seed: the same seed gives the same levels, another seed other sizes", async () => {
    h = await startSim({ seed: 5 });
    const a = (await book()).raw;
    await h.sim.stop();
    h = await startSim({ seed: 5 });
    expect((await book()).raw).toEqual(a);
    await h.sim.stop();
    h = await startSim({ seed: 6 });
    expect((await book()).raw).not.toEqual(a);
  });

  test("a limit buy through the best ask takes asks up to its price only and rests the rest (GTC); IOC expires the rest; FOK fills nothing unless all can", async () => {
    h = await startSim({ balance: 100_000 });
    const { asks } = await book();
    const upTo2 = (asks[0]?.qty ?? 0) + (asks[1]?.qty ?? 0);
    const qty = String(Number((upTo2 + 0.5).toFixed(4)));
    const fok = await place(h, { type: "LIMIT", price: "65000.2", timeInForce: "FOK", quantity: qty });
    expect(fok.body.data.order).toMatchObject({ status: "EXPIRED", executedQty: "0" });
    const gtc = await place(h, { type: "LIMIT", price: "65000.2", quantity: qty, clientOrderID: "gtc" });
    expect(gtc.body.data.order.status).toBe("PARTIALLY_FILLED");
    expect(Number(gtc.body.data.order.executedQty)).toBeCloseTo(upTo2, 8);
    const open = (await call(h, "GET", "/openApi/swap/v2/trade/openOrders", { symbol: "BTC-USDT" })).body.data.orders;
    expect(open.map((o: any) => o.clientOrderId)).toEqual(["gtc"]);
    const ioc = await place(h, { type: "LIMIT", price: "65000.3", timeInForce: "IOC", quantity: "5" });
    expect(ioc.body.data.order.status).toBe("EXPIRED");
    expect(Number(ioc.body.data.order.executedQty)).toBeCloseTo(asks[2]?.qty ?? 0, 8);
  });

  test("PostOnly is refused at or through the best ask and rests inside the spread", async () => {
    h = await startSim();
    expect((await place(h, { type: "LIMIT", price: "65000.1", timeInForce: "PostOnly" })).body.code).toBe(101215);
    const inside = await place(h, { type: "LIMIT", price: "65000", timeInForce: "PostOnly" });
    expect(inside.body.data.order.status).toBe("NEW");
  });

  test("a resting limit fills at its own price as maker, only against the liquidity that crosses it, the rest later", async () => {
    h = await startSim({ balance: 100_000 });
    const placed = await place(h, { type: "LIMIT", price: "64000", quantity: "6", clientOrderID: "rest" });
    expect(placed.body.data.order.status).toBe("NEW");
    h.sim.setPrice("BTC-USDT", 63999.85); // best ask 63999.9: one level at or below 64000
    const crossing = h.sim.state().orders[0];
    expect(crossing?.status).toBe("PARTIALLY_FILLED");
    const first = crossing?.executedQty ?? 0;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(6);
    h.sim.setPrice("BTC-USDT", 63990); // ~100 levels at or below 64000 now
    const done = h.sim.state().orders[0];
    expect(done).toMatchObject({ status: "FILLED", executedQty: 6, avgPrice: 64000 });
    expect(done?.commission).toBeCloseTo(6 * 64000 * 0.0002, 6);
    const legs = await fills({ orderId: done?.orderId ?? "" });
    expect(new Set(legs.map((f) => f.price))).toEqual(new Set(["64000"]));
  });

  test("the ticker reports the mark as last price, the book's best bid and ask, the window's high and low and the account's volume", async () => {
    h = await startSim();
    await place(h, { quantity: "0.05" });
    h.sim.setPrice("BTC-USDT", 66000);
    h.sim.setPrice("BTC-USDT", 64000);
    const t = (await call(h, "GET", "/openApi/swap/v2/quote/ticker", { symbol: "BTC-USDT" })).body.data;
    expect(t).toMatchObject({ symbol: "BTC-USDT", lastPrice: "64000", openPrice: "65000", highPrice: "66000" });
    expect(t).toMatchObject({ lowPrice: "64000", volume: "0.05", bidPrice: 63999.9, askPrice: 64000.1 });
    expect(Number(t.priceChangePercent)).toBeCloseTo(-1.54, 2);
    const all = (await call(h, "GET", "/openApi/swap/v2/quote/ticker")).body.data;
    expect(all.map((x: any) => x.symbol)).toEqual(["BTC-USDT", "ETH-USDT"]);
  });

  test("a mark below one tick leaves no bids: depth shows none, a market sell expires unfilled, nothing crashes", async () => {
    h = await startSim({ prices: { "DOGE-USDT": 0.15 }, balance: 100_000 });
    h.sim.setPrice("DOGE-USDT", 0.000001);
    const { raw } = await book("DOGE-USDT");
    expect(raw.bids).toEqual([]);
    expect(raw.asks.length).toBeGreaterThan(0);
    const sell = await place(h, { symbol: "DOGE-USDT", side: "SELL", positionSide: "SHORT", quantity: "2000000" });
    expect(sell.body.data.order).toMatchObject({ status: "EXPIRED", executedQty: "0" });
    expect(h.sim.state().books["DOGE-USDT"]).toEqual({ bid: 0, ask: 0.00001 });
  });
});
