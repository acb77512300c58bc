/**
 * bingx-sim order life cycle over real loopback HTTP: place, query, cancel, idempotent client
 * ids, exact 19-digit ids in the JSON text, hedge-mode positions and balance following fills,
 * resting limit orders filling when the book crosses, and BingX's size/position refusals.
 *
 * Prices: the book's best ask is the first tick above the mark and the best bid the last tick
 * below it (src/sim/book.ts), so with BTC at 65000 (tick 0.1) a small BUY fills at 65000.1 and a
 * small SELL at 64999.9; with ETH at 3200 (tick 0.01) at 3200.01 and 3199.99.
 */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { call, type Harness, place, startSim } from "./fixtures/sim_client.ts";

const ORDER = "/openApi/swap/v2/trade/order";
let h: Harness;
beforeEach(async () => {
  h = await startSim();
});
afterEach(async () => {
  await h.sim.stop();
});

describe("bingx-sim orders", () => {
  test("a limit order rests, is found by orderId and clientOrderId, then cancels", async () => {
    const placed = await place(h, { type: "LIMIT", price: "60000", clientOrderID: "life-1" });
    expect(placed.body.code).toBe(0);
    const id = placed.body.data.order.orderId as string;
    const byId = await call(h, "GET", ORDER, { symbol: "BTC-USDT", orderId: id });
    expect(byId.body.data.order).toMatchObject({
      status: "NEW",
      clientOrderId: "life-1",
      origQty: "0.01",
      price: "60000",
    });
    const byClient = await call(h, "GET", ORDER, { symbol: "BTC-USDT", clientOrderId: "life-1" });
    expect(byClient.body.data.order.orderId).toBe(id);
    const open = await call(h, "GET", "/openApi/swap/v2/trade/openOrders", { symbol: "BTC-USDT" });
    expect(open.body.data.orders).toHaveLength(1);
    const cancelled = await call(h, "DELETE", ORDER, { symbol: "BTC-USDT", orderId: id });
    expect(cancelled.body.data.order.status).toBe("CANCELLED");
    const again = await call(h, "DELETE", ORDER, { symbol: "BTC-USDT", orderId: id });
    expect(again.body.code).toBe(80016);
    expect((await call(h, "GET", "/openApi/swap/v2/trade/openOrders")).body.data.orders).toHaveLength(0);
  });

  test("order ids are 19-digit integers written as exact JSON numbers above 2^53", async () => {
    const placed = await place(h, { clientOrderID: "big-id" });
    const match = placed.text.match(/"orderId":(\d+)[,}]/);
    expect(match).not.toBeNull();
    const digits = (match as RegExpMatchArray)[1] as string;
    expect(digits).toHaveLength(19);
    expect(BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(h.sim.state().orders[0]?.orderId).toBe(digits);
    const queried = await call(h, "GET", ORDER, { symbol: "BTC-USDT", orderId: digits });
    expect(queried.text).toContain(`"orderId":${digits},`);
  });

  test("a small market buy fills at the best ask, one tick above the mark, and charges 0.05% taker commission", async () => {
    const placed = await place(h, { quantity: "0.1", clientOrderID: "mkt" });
    expect(placed.body.data.order).toMatchObject({ status: "FILLED", avgPrice: "65000.1", executedQty: "0.1" });
    const q = await call(h, "GET", ORDER, { symbol: "BTC-USDT", clientOrderId: "mkt" });
    expect(Number(q.body.data.order.commission)).toBeCloseTo(-6500.01 * 0.0005, 6);
    expect(Number(q.body.data.order.cumQuote)).toBeCloseTo(6500.01, 6);
  });

  test("cancelling a filled order answers 80018 and an unknown order 80016", async () => {
    const placed = await place(h, { clientOrderID: "filled-1" });
    const r = await call(h, "DELETE", ORDER, { symbol: "BTC-USDT", clientOrderId: "filled-1" });
    expect(r.body.code).toBe(80018);
    const unknown = await call(h, "DELETE", ORDER, { symbol: "BTC-USDT", orderId: "1234567890123456789" });
    expect(unknown.body.code).toBe(80016);
    expect(placed.body.code).toBe(0);
  });

  test("a repeated clientOrderID never creates a second order (109201 within 1 s, refused after)", async () => {
    expect((await place(h, { clientOrderID: "dup-1" })).body.code).toBe(0);
    expect((await place(h, { clientOrderID: "dup-1" })).body.code).toBe(109201);
    h.clock.advance(1500);
    const later = await place(h, { clientOrderID: "DUP-1" });
    expect(later.body.code).not.toBe(0);
    const s = h.sim.state();
    expect(s.orders).toHaveLength(1);
    expect(s.counters.placed_by_client_id["dup-1"]).toBe(1);
    expect(s.positions[0]?.positionAmt).toBe(0.01);
  });

  test("client order ids are lower-cased, as BingX does", async () => {
    await place(h, { type: "LIMIT", price: "60000", clientOrderID: "MiXeD-Case" });
    const q = await call(h, "GET", ORDER, { symbol: "BTC-USDT", clientOrderId: "mixed-case" });
    expect(q.body.data.order.clientOrderId).toBe("mixed-case");
  });

  test("positions, realised profit and balance follow an open-long then close-long round trip", async () => {
    await place(h, { side: "BUY", positionSide: "LONG", quantity: "0.1" });
    let pos = await call(h, "GET", "/openApi/swap/v2/user/positions", { symbol: "BTC-USDT" });
    expect(pos.body.data[0]).toMatchObject({
      positionSide: "LONG",
      positionAmt: "0.1",
      avgPrice: "65000.1",
      availableAmt: "0.1",
      onlyOnePosition: false,
    });
    h.sim.setPrice("BTC-USDT", 66000);
    pos = await call(h, "GET", "/openApi/swap/v2/user/positions");
    expect(Number(pos.body.data[0].unrealizedProfit)).toBeCloseTo((66000 - 65000.1) * 0.1, 6);
    const close = await place(h, { side: "SELL", positionSide: "LONG", quantity: "0.1", clientOrderID: "close-1" });
    expect(close.body.code).toBe(0);
    expect((await call(h, "GET", "/openApi/swap/v2/user/positions")).body.data).toHaveLength(0);
    const q = await call(h, "GET", ORDER, { symbol: "BTC-USDT", clientOrderId: "close-1" });
    expect(Number(q.body.data.order.avgPrice)).toBe(65999.9);
    expect(Number(q.body.data.order.profit)).toBeCloseTo((65999.9 - 65000.1) * 0.1, 6);
    const bal = await call(h, "GET", "/openApi/swap/v2/user/balance");
    const fees = 6500.01 * 0.0005 + 6599.99 * 0.0005;
    expect(Number(bal.body.data.balance.balance)).toBeCloseTo(10000 + 99.98 - fees, 3);
  });

  test("a short position profits when the price falls (open = SELL+SHORT, close = BUY+SHORT)", async () => {
    await place(h, { side: "SELL", positionSide: "SHORT", quantity: "1", symbol: "ETH-USDT" });
    h.sim.setPrice("ETH-USDT", 3100);
    await place(h, { side: "BUY", positionSide: "SHORT", quantity: "1", symbol: "ETH-USDT" });
    expect(h.sim.state().balance.realised).toBeCloseTo(3199.99 - 3100.01, 6);
  });

  test("closing more than the position answers 101400 and changes nothing", async () => {
    expect((await place(h, { side: "SELL", positionSide: "LONG", quantity: "0.01" })).body.code).toBe(101400);
    await place(h, { quantity: "0.01" });
    const r = await place(h, { side: "SELL", positionSide: "LONG", quantity: "0.02" });
    expect(r.body.code).toBe(101400);
    expect(h.sim.state().positions[0]?.positionAmt).toBe(0.01);
  });

  test("quantity is truncated to the step; below the minimum answers 101400", async () => {
    const r = await place(h, { quantity: "0.012345" });
    expect(r.body.data.order.executedQty).toBe("0.0123");
    expect((await place(h, { quantity: "0.00001" })).body.code).toBe(101400);
  });

  test("an order needing more margin than available answers 101204", async () => {
    const r = await place(h, { quantity: "10" });
    expect(r.body.code).toBe(101204);
    expect(h.sim.state().orders).toHaveLength(0);
  });

  test("a resting buy limit fills at its price when the mark falls through it", async () => {
    const placed = await place(h, { type: "LIMIT", price: "64000", quantity: "0.05", clientOrderID: "lim" });
    expect(placed.body.data.order.status).toBe("NEW");
    h.sim.setPrice("BTC-USDT", 64500);
    expect(h.sim.state().orders[0]?.status).toBe("NEW");
    h.sim.setPrice("BTC-USDT", 63990);
    const q = await call(h, "GET", ORDER, { symbol: "BTC-USDT", clientOrderId: "lim" });
    expect(q.body.data.order).toMatchObject({ status: "FILLED", avgPrice: "64000", executedQty: "0.05" });
    expect(Number(q.body.data.order.commission)).toBeCloseTo(-64000 * 0.05 * 0.0002, 6);
  });

  test("a marketable limit fills at once; an IOC limit that cannot fill expires", async () => {
    const m = await place(h, { type: "LIMIT", price: "66000", clientOrderID: "marketable" });
    expect(m.body.data.order.status).toBe("FILLED");
    const ioc = await place(h, { type: "LIMIT", price: "60000", timeInForce: "IOC" });
    expect(ioc.body.data.order.status).toBe("EXPIRED");
    expect((await place(h, { type: "LIMIT", price: "66000", timeInForce: "PostOnly" })).body.code).toBe(101215);
  });

  test("the admin price endpoint moves the mark and premiumIndex reports it", async () => {
    await fetch(`${h.sim.url}/_sim/price`, {
      method: "POST",
      body: JSON.stringify({ symbol: "BTC-USDT", price: 70000 }),
    });
    const r = await call(h, "GET", "/openApi/swap/v2/quote/premiumIndex", { symbol: "BTC-USDT" });
    expect(r.body.data.markPrice).toBe("70000");
  });

  test("cancel-all cancels every open order of the symbol; allOrders keeps the history", async () => {
    await place(h, { type: "LIMIT", price: "60000" });
    await place(h, { type: "LIMIT", price: "61000" });
    const r = await call(h, "DELETE", "/openApi/swap/v2/trade/allOpenOrders", { symbol: "BTC-USDT" });
    expect(r.body.data.success).toHaveLength(2);
    const all = await call(h, "GET", "/openApi/swap/v2/trade/allOrders", { symbol: "BTC-USDT" });
    expect(all.body.data.orders.map((o: any) => o.status)).toEqual(["CANCELLED", "CANCELLED"]);
  });

  test("leverage is set per symbol and side and bounded by the contract maximum", async () => {
    const set = await call(h, "POST", "/openApi/swap/v2/trade/leverage", {
      symbol: "BTC-USDT",
      side: "LONG",
      leverage: 20,
    });
    expect(set.body.data).toEqual({ leverage: 20, symbol: "BTC-USDT" });
    const get = await call(h, "GET", "/openApi/swap/v2/trade/leverage", { symbol: "BTC-USDT" });
    expect(get.body.data).toMatchObject({ longLeverage: 20, shortLeverage: 10, maxLongLeverage: 125 });
    expect(
      (await call(h, "POST", "/openApi/swap/v2/trade/leverage", { symbol: "BTC-USDT", side: "LONG", leverage: 500 }))
        .body.code,
    ).toBe(101414);
  });

  test("a test order validates like a real one but places nothing", async () => {
    const r = await call(h, "POST", "/openApi/swap/v2/trade/order/test", {
      symbol: "BTC-USDT",
      side: "BUY",
      positionSide: "LONG",
      type: "MARKET",
      quantity: "0.01",
    });
    expect(r.body.code).toBe(0);
    expect(h.sim.state().orders).toHaveLength(0);
  });
});
