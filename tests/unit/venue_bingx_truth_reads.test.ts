/**
 * The venue's truth reads (positions, open orders) are what recovery, live reconciliation and
 * flatten's confirmation believe (src/venue/bingx/adapter.ts, _parse.ts). An answer that is not
 * the list BingX sends, or that holds an entry this client cannot read, fails the read as
 * MALFORMED: it is never taken as "no positions" / "no open orders" (a flatten would answer flat
 * with a position open; recovery would hand a slot a zero position), nor as the partial list of
 * the entries that did parse. An empty list is still an empty book.
 */

import { afterEach, expect, test } from "bun:test";
import { simAdapter, simOnClock } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const POSITIONS = "/openApi/swap/v2/user/positions?";
const OPEN_ORDERS = "/openApi/swap/v2/trade/openOrders?";

/** An adapter over bingx-sim whose next answer to `path` carries `data` instead of the sim's. */
async function venueAnswering(path: string) {
  const { sim, clock } = await simOnClock(11);
  const answers: unknown[] = [];
  const network = (url: string, init: RequestInit): Promise<Response> => {
    clock.advance(1_000); // every request keeps within the venue's and the client's rate budgets
    if (!url.includes(path) || answers.length === 0) return fetch(url, init);
    const body = JSON.stringify({ code: 0, msg: "", data: answers.shift() });
    return Promise.resolve(new Response(body, { status: 200, headers: { "content-type": "application/json" } }));
  };
  const adapter = simAdapter(sim, clock, { fetch: network });
  await adapter.connect();
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  return { adapter, answers };
}

const position = {
  symbol: "BTC-USDT",
  positionSide: "LONG",
  positionAmt: "0.01",
  avgPrice: "65000",
  unrealizedProfit: "0",
  leverage: "3",
};

test("a positions answer that is not a list, or holds an unreadable entry, fails the read as MALFORMED", async () => {
  const { adapter, answers } = await venueAnswering(POSITIONS);
  for (const data of [
    null,
    {},
    "[]",
    { positions: [position] },
    [position, { symbol: "ETH-USDT", positionAmt: "x" }],
    [7],
  ]) {
    answers.push(data);
    const read = await adapter.positions().then(
      (p) => ({ ok: true, p }),
      (e: Error & { kind?: string }) => ({ ok: false, kind: e.kind, message: e.message }),
    );
    expect(read).toMatchObject({ ok: false, kind: "MALFORMED" });
  }
  answers.push([]);
  expect(await adapter.positions()).toEqual([]);
  answers.push([position]);
  expect((await adapter.positions()).map((p) => [p.asset, p.side, p.size])).toEqual([["BTC-USDT", "LONG", 0.01]]);
});

test("an open-orders answer that is not BingX's list, or holds an unreadable entry, fails the read as MALFORMED", async () => {
  const { adapter, answers } = await venueAnswering(OPEN_ORDERS);
  for (const data of [null, "orders", { orders: null }, { orders: {} }, { orders: [{ orderId: 5 }] }]) {
    answers.push(data);
    const read = await adapter.openOrders().then(
      (o) => ({ ok: true, o }),
      (e: Error & { kind?: string }) => ({ ok: false, kind: e.kind, message: e.message }),
    );
    expect(read).toMatchObject({ ok: false, kind: "MALFORMED" });
  }
  answers.push({ orders: [] });
  expect(await adapter.openOrders()).toEqual([]);
});

/** A conditional order as BingX lists it among open orders (set by hand on BingX's page: no client id). */
const conditional = (type: string, orderId: string) => ({
  symbol: "BTC-USDT",
  orderId,
  side: "SELL",
  positionSide: "LONG",
  type,
  origQty: "0.01",
  price: type.endsWith("MARKET") ? "0" : "59000",
  stopPrice: "60000",
  executedQty: "0",
  avgPrice: "0",
  cumQuote: "0",
  profit: "",
  commission: "",
  status: "NEW",
  time: 1_700_000_000_000,
  updateTime: 1_700_000_000_000,
  clientOrderId: "",
});

test("an open stop, take-profit, trigger or trailing order is read as the MARKET or LIMIT it executes as, never failing the read", async () => {
  const { adapter, answers } = await venueAnswering(OPEN_ORDERS);
  const types = ["STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRIGGER_LIMIT", "TRIGGER_MARKET"];
  const more = ["TRAILING_STOP_MARKET", "TRAILING_TP_SL", "TRIGGER_REVERSE_MARKET"];
  answers.push({ orders: [...types, ...more].map((t, i) => conditional(t, `159778385078675046${i}`)) });
  const read = await adapter.openOrders();
  expect(read.map((o) => o.type)).toEqual([
    "MARKET",
    "MARKET",
    "LIMIT",
    "LIMIT",
    "LIMIT",
    "MARKET",
    "MARKET",
    "MARKET",
    "MARKET",
  ]);
  expect(read[0]).toMatchObject({
    venue_order_id: "1597783850786750460",
    side: "SELL",
    position_side: "LONG",
    size: 0.01,
  });
  for (const hostile of ["SOMETHING_NEW", "constructor", "__proto__", "toString"]) {
    answers.push({ orders: [conditional(hostile, "1597783850786750469")] });
    const unknown = await adapter.openOrders().then(
      () => "read",
      (e: Error & { kind?: string }) => e.kind,
    );
    expect([hostile, unknown]).toEqual([hostile, "MALFORMED"]);
  }
});
