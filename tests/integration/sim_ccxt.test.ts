/**
 * An independent BingX client library, ccxt (npm package, pinned exact in package.json; the npm
 * build runs under Bun as is, so no Python venv is needed), pointed at bingx-sim: its common calls
 * must work unchanged, in both position modes. ccxt's `urls.api` is overridden with the sim's URL
 * and every request it makes is recorded, so the test also proves no request left the machine.
 *
 * What ccxt calls, from its bingx source: loadMarkets reads the wallet config
 * (GET /openApi/wallets/v1/capital/config/getall) first, then USDT-M contracts, coin-M contracts
 * and spot symbols; fetchBalance reads /swap/v3/user/balance; the mode switch is
 * setPositionMode (POST /swap/v1/positionSide/dual); one-way orders go with positionSide BOTH,
 * hedged ones (`hedged: true`) with LONG/SHORT; fetchMyTrades reads /swap/v2/trade/allFillOrders.
 */

import { afterEach, describe, expect, test } from "bun:test";
import ccxt from "ccxt";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";

const API_KEY = "ccxtKeyAAAAbbbbCCCC0001";
const SECRET = "ccxtSecretZZZZyyyyXXXX0001";
const BTC = "BTC/USDT:USDT";

interface Rig {
  sim: SimHandle;
  ex: InstanceType<typeof ccxt.bingx>;
  urls: string[];
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.sim.stop();
  rig = undefined;
});

async function start(): Promise<Rig> {
  const sim = await startBingxSim({
    port: 0,
    apiKey: API_KEY,
    secret: SECRET,
    seed: 21,
    prices: { "BTC-USDT": 65_000 },
  });
  // ccxt's own throttle (its default for bingx) keeps it under the sim's per-endpoint limits.
  const ex = new ccxt.bingx({ apiKey: API_KEY, secret: SECRET, options: { defaultType: "swap" } });
  ex.urls.api = Object.fromEntries(
    Object.keys(ex.urls.api as Record<string, string>).map((k) => [k, `${sim.url}/openApi`]),
  );
  const urls: string[] = [];
  const send = ex.fetch.bind(ex);
  ex.fetch = (url: string, method?: string, headers?: any, body?: any) => {
    urls.push(url);
    return send(url, method, headers, body);
  };
  rig = { sim, ex, urls };
  return rig;
}

/** The calls every mode shares: markets, balance, leverage, orders, positions, trades, close-all. */
async function tradeRound(r: Rig, hedged: boolean): Promise<void> {
  const { ex, sim } = r;
  const markets = await ex.loadMarkets();
  expect(markets[BTC]).toMatchObject({ id: "BTC-USDT", swap: true, linear: true, settle: "USDT" });
  expect(markets[BTC]?.precision).toMatchObject({ amount: 0.0001, price: 0.1 });
  expect((await ex.fetchBalance()).USDT).toMatchObject({ free: 10_000, used: 0, total: 10_000 });
  await ex.setLeverage(5, BTC, { side: hedged ? "LONG" : "BOTH" });
  const params = hedged ? { hedged: true } : {};
  const bought = await ex.createOrder(BTC, "market", "buy", 0.02, undefined, params);
  expect(bought).toMatchObject({ status: "closed", filled: 0.02, average: 65_000.1 });
  const resting = await ex.createOrder(BTC, "limit", "buy", 0.01, 60_000, { ...params, clientOrderId: "ccxt-rest" });
  const open = await ex.fetchOpenOrders(BTC);
  expect(open.map((o) => o.id)).toEqual([resting.id]);
  await ex.cancelOrder(String(resting.id), BTC);
  expect(await ex.fetchOpenOrders(BTC)).toEqual([]);
  const sold = await ex.createOrder(BTC, "market", "sell", 0.005, undefined, { ...params, reduceOnly: true });
  expect(sold).toMatchObject({ filled: 0.005, average: 64_999.9 });
  const positions = await ex.fetchPositions([BTC]);
  expect(positions).toHaveLength(1);
  expect(positions[0]).toMatchObject({ side: "long", contracts: 0.015, entryPrice: 65_000.1, leverage: 5 });
  expect((positions[0]?.info as Record<string, unknown> | undefined)?.onlyOnePosition).toBe(!hedged);
  const trades = await ex.fetchMyTrades(BTC);
  expect(trades.map((t) => [t.order, t.side, t.price, t.amount])).toEqual([
    [bought.id, "buy", 65_000.1, 0.02],
    [sold.id, "sell", 64_999.9, 0.005],
  ]);
  const ticker = await ex.fetchTicker(BTC);
  const book = await ex.fetchOrderBook(BTC, 5);
  expect([ticker.bid, ticker.ask]).toEqual([book.bids[0]?.[0], book.asks[0]?.[0]]);
  expect(book.asks[0]?.[0]).toBeLessThan(book.asks[4]?.[0] ?? 0);
  const closed = await ex.closeAllPositions();
  expect(closed).toHaveLength(1);
  expect(await ex.fetchPositions([BTC])).toEqual([]);
  expect(sim.state().positions).toEqual([]);
  expect(r.urls.length).toBeGreaterThan(10);
  expect(r.urls.every((u) => u.startsWith(`${sim.url}/openApi/`))).toBe(true);
}

describe("ccxt's bingx client against bingx-sim", () => {
  test("hedge mode: markets, balance, leverage, market and limit orders, open orders, cancel, positions, trades, ticker, book, close all", async () => {
    const r = await start();
    expect((await r.ex.fetchPositionMode()).hedged).toBe(true);
    await tradeRound(r, true);
  }, 60_000);

  test("one-way mode, switched to through ccxt's setPositionMode: the same calls with positionSide BOTH", async () => {
    const r = await start();
    await r.ex.setPositionMode(false);
    expect((await r.ex.fetchPositionMode()).hedged).toBe(false);
    expect(r.sim.state().position_mode).toBe("oneway");
    await tradeRound(r, false);
    expect(r.sim.state().orders.every((o) => o.positionSide === "BOTH")).toBe(true);
  }, 60_000);

  test("setPositionMode while a position is open fails with BingX's 101212 and the mode stays", async () => {
    const r = await start();
    await r.ex.loadMarkets();
    await r.ex.createOrder(BTC, "market", "buy", 0.01, undefined, { hedged: true });
    const refused = await r.ex.setPositionMode(false).then(
      () => "switched",
      (e: Error) => e.message,
    );
    expect(refused).toContain("101212");
    expect((await r.ex.fetchPositionMode()).hedged).toBe(true);
  }, 60_000);
});
