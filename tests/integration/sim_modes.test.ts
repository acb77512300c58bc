/**
 * bingx-sim position modes and the position-wide endpoints over loopback HTTP: reading and
 * switching the mode (refused with 101212 while a position or order is open), one-way netting
 * with positionSide BOTH and reduce-only orders, leverage side BOTH, closeAllPositions in both
 * modes, the fill history's fields and filters, the wallet config ccxt reads before loading
 * markets, and the two auditor-canary faults.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { call, type Harness, place, startSim } from "./fixtures/sim_client.ts";

const DUAL = "/openApi/swap/v1/positionSide/dual";
const POSITIONS = "/openApi/swap/v2/user/positions";
let h: Harness;
afterEach(async () => {
  await h.sim.stop();
});

const mode = async () => (await call(h, "GET", DUAL)).body.data.dualSidePosition;
const setMode = (hedge: boolean) => call(h, "POST", DUAL, { dualSidePosition: String(hedge) });
const positions = async () => (await call(h, "GET", POSITIONS, { symbol: "BTC-USDT" })).body.data as any[];

describe("bingx-sim position modes", () => {
  test("the account starts in hedge mode; positionSide/dual reads and switches it while flat", async () => {
    h = await startSim();
    expect(await mode()).toBe("true");
    expect((await setMode(false)).body.data).toEqual({ dualSidePosition: "false" });
    expect(await mode()).toBe("false");
    expect(h.sim.state().position_mode).toBe("oneway");
    h.clock.advance(1000);
    expect((await setMode(false)).body.code).toBe(0);
    expect((await call(h, "POST", DUAL, { dualSidePosition: "maybe" })).body.code).toBe(80014);
  });

  test("a switch with an open position or an open order answers 101212 and changes nothing", async () => {
    h = await startSim();
    await place(h, { quantity: "0.01" });
    expect((await setMode(false)).body.code).toBe(101212);
    await place(h, { side: "SELL", positionSide: "LONG", quantity: "0.01" });
    await place(h, { type: "LIMIT", price: "60000", clientOrderID: "resting" });
    h.clock.advance(1000);
    expect((await setMode(false)).body.code).toBe(101212);
    expect(await mode()).toBe("true");
    await call(h, "DELETE", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "resting" });
    h.clock.advance(1000);
    expect((await setMode(false)).body.code).toBe(0);
  });

  test("each mode takes only its own position sides: hedge refuses BOTH, one-way refuses LONG and SHORT (80014)", async () => {
    h = await startSim();
    expect((await place(h, { positionSide: "BOTH" })).body.code).toBe(80014);
    await setMode(false);
    expect((await place(h, { positionSide: "LONG" })).body.code).toBe(80014);
    expect((await place(h, { positionSide: "BOTH", clientOrderID: "both" })).body.data.order.positionSide).toBe("BOTH");
    const q = await call(h, "GET", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", clientOrderId: "both" });
    expect(q.body.data.order).toMatchObject({ positionSide: "BOTH", reduceOnly: false, status: "FILLED" });
  });

  test("one-way mode nets: a sell larger than the long closes it and opens a short with the rest", async () => {
    h = await startSim({ positionMode: "oneway" });
    await place(h, { positionSide: "BOTH", quantity: "0.02" });
    expect(await positions()).toMatchObject([{ positionSide: "LONG", positionAmt: "0.02", onlyOnePosition: true }]);
    const flip = await place(h, { side: "SELL", positionSide: "BOTH", quantity: "0.05", clientOrderID: "flip" });
    expect(flip.body.data.order.status).toBe("FILLED");
    expect(await positions()).toMatchObject([{ positionSide: "SHORT", positionAmt: "0.03", avgPrice: "64999.9" }]);
    expect(h.sim.state().balance.realised).toBeCloseTo((64999.9 - 65000.1) * 0.02, 8);
  });

  test("one-way reduce-only orders never open: with no position or above it they answer 101400", async () => {
    h = await startSim({ positionMode: "oneway" });
    const reduce = { side: "SELL", positionSide: "BOTH", reduceOnly: "true" };
    expect((await place(h, { ...reduce, quantity: "0.01" })).body.code).toBe(101400);
    await place(h, { positionSide: "BOTH", quantity: "0.02" });
    expect((await place(h, { ...reduce, quantity: "0.03" })).body.code).toBe(101400);
    expect((await place(h, { ...reduce, quantity: "0.02" })).body.data.order.status).toBe("FILLED");
    expect(await positions()).toEqual([]);
  });

  test("leverage takes side BOTH in one-way mode only, LONG/SHORT in hedge mode only", async () => {
    h = await startSim();
    const lev = (side: string) =>
      call(h, "POST", "/openApi/swap/v2/trade/leverage", { symbol: "BTC-USDT", side, leverage: 7 });
    expect((await lev("BOTH")).body.code).toBe(80014);
    await setMode(false);
    expect((await lev("LONG")).body.code).toBe(80014);
    expect((await lev("BOTH")).body.code).toBe(0);
    const got = (await call(h, "GET", "/openApi/swap/v2/trade/leverage", { symbol: "BTC-USDT" })).body.data;
    expect(got).toMatchObject({ longLeverage: 7, shortLeverage: 7 });
  });

  for (const positionMode of ["hedge", "oneway"] as const) {
    test(`closeAllPositions closes every position with a market order (${positionMode}) and cancels the closing orders first`, async () => {
      h = await startSim({ positionMode });
      const ps = positionMode === "hedge" ? "LONG" : "BOTH";
      await place(h, { positionSide: ps, quantity: "0.02" });
      await place(h, { symbol: "ETH-USDT", side: "SELL", positionSide: positionMode === "hedge" ? "SHORT" : "BOTH" });
      const tp = { type: "LIMIT", price: "70000", side: "SELL", positionSide: ps, quantity: "0.01" };
      await place(h, positionMode === "hedge" ? tp : { ...tp, reduceOnly: "true" });
      const r = await call(h, "POST", "/openApi/swap/v2/trade/closeAllPositions");
      expect(r.body.data.success).toHaveLength(2);
      expect(r.body.data.failed).toBeNull();
      expect(r.text).toMatch(/"success":\[\d{19},\d{19}\]/);
      const s = h.sim.state();
      expect(s.positions).toEqual([]);
      expect(s.orders.filter((o) => o.type === "LIMIT").map((o) => o.status)).toEqual(["CANCELLED"]);
    });
  }

  test("allFillOrders reports each fill with BingX's fields, filters by orderId and time, and requires tradingUnit, startTs and endTs", async () => {
    h = await startSim();
    const a = (await place(h, { quantity: "0.01", clientOrderID: "fa" })).body.data.order.orderId;
    h.clock.advance(5000);
    await place(h, { quantity: "0.02", clientOrderID: "fb" });
    const base = { symbol: "BTC-USDT", tradingUnit: "COIN", startTs: 0, endTs: h.clock.nowMs() };
    const all = (await call(h, "GET", "/openApi/swap/v2/trade/allFillOrders", base)).body.data.fill_orders;
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ orderId: a, volume: "0.01", price: "65000.1", currency: "USDT" });
    expect(all[0]).toMatchObject({ side: "BUY", positionSide: "LONG", clientOrderID: "fa", onlyOnePosition: false });
    expect(all[0].filledTm).toBe("2023-11-14T22:13:20Z");
    expect(all[0].filledTime).toBe("2023-11-15T06:13:20.000+0800");
    expect(Number(all[0].commission)).toBeCloseTo(-650.001 * 0.0005, 6);
    const byId = await call(h, "GET", "/openApi/swap/v2/trade/allFillOrders", { ...base, orderId: a });
    expect(byId.body.data.fill_orders).toHaveLength(1);
    const late = await call(h, "GET", "/openApi/swap/v2/trade/allFillOrders", { ...base, startTs: h.clock.nowMs() });
    expect(late.body.data.fill_orders.map((f: any) => f.clientOrderID)).toEqual(["fb"]);
    const { tradingUnit: _, ...noUnit } = base;
    expect((await call(h, "GET", "/openApi/swap/v2/trade/allFillOrders", noUnit)).body.code).toBe(80014);
  });

  test("the wallet config lists USDT and each contract's base coin, deposits and withdrawals disabled", async () => {
    h = await startSim();
    const coins = (await call(h, "GET", "/openApi/wallets/v1/capital/config/getall")).body.data;
    expect(coins.map((c: any) => c.coin)).toEqual(["USDT", "BTC", "ETH"]);
    expect(coins[0].networkList[0]).toMatchObject({ depositEnable: false, withdrawEnable: false });
    expect((await call(h, "GET", "/openApi/wallets/v1/capital/config/getall", { coin: "eth" })).body.data).toHaveLength(
      1,
    );
  });
});

describe("bingx-sim auditor-canary faults", () => {
  test("fill_price_skew reports fills off the book's price while the wallet books the true price", async () => {
    h = await startSim();
    const r = await fetch(`${h.sim.url}/_sim/faults`, {
      method: "POST",
      body: JSON.stringify({ fill_price_skew: 0.01 }),
    });
    expect(r.status).toBe(200);
    const placed = await place(h, { quantity: "0.1" });
    expect(Number(placed.body.data.order.avgPrice)).toBeCloseTo(65000.1 * 1.01, 4);
    expect(Number((await positions())[0].avgPrice)).toBe(65000.1);
    expect(h.sim.state().balance.wallet).toBeCloseTo(10_000 - 6500.01 * 0.0005, 8);
  });

  test("fill_qty_skew moves the position by more than the fill reports", async () => {
    h = await startSim();
    h.sim.faults.fill_qty_skew = 0.5;
    const placed = await place(h, { quantity: "0.02" });
    expect(placed.body.data.order.executedQty).toBe("0.02");
    expect((await positions())[0].positionAmt).toBe("0.03");
  });

  test("skew patches outside their bounds answer 400 and change nothing", async () => {
    h = await startSim();
    for (const patch of [{ fill_price_skew: 0.9 }, { fill_qty_skew: -1 }, { fill_qty_skew: "x" }]) {
      const r = await fetch(`${h.sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify(patch) });
      expect(r.status).toBe(400);
    }
    expect(h.sim.state().faults).toMatchObject({ fill_price_skew: 0, fill_qty_skew: 0 });
  });
});
