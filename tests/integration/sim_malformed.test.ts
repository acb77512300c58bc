/**
 * bingx-sim refuses bad client input with BingX's codes and keeps serving: non-JSON bodies,
 * missing or mistyped parameters, huge numbers, unknown symbols and paths, oversize input.
 */

import { afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { API_KEY, call, type Harness, place, read, sign, startSim } from "./fixtures/sim_client.ts";

let h: Harness;
beforeAll(async () => {
  h = await startSim();
});
beforeEach(() => {
  // One sim serves the whole file; a fresh second of sim time keeps the 10/s order budget apart.
  h.clock.advance(1000);
});
afterEach(async () => {
  const alive = await fetch(`${h.sim.url}/openApi/swap/v2/server/time`);
  expect(alive.status).toBe(200);
});

async function rawPost(body: string, contentType = "application/json") {
  return read(
    await fetch(`${h.sim.url}/openApi/swap/v2/trade/order`, {
      method: "POST",
      headers: { "X-BX-APIKEY": API_KEY, "Content-Type": contentType },
      body,
    }),
  );
}

describe("bingx-sim malformed input", () => {
  test("a non-JSON body answers 100400", async () => {
    expect((await rawPost("{not json")).body.code).toBe(100400);
    expect((await rawPost("[1,2,3]")).body.code).toBe(100400);
  });

  test("missing required order fields answer 80014", async () => {
    for (const omit of ["symbol", "side", "type", "quantity"]) {
      const params: Record<string, string> = {
        symbol: "BTC-USDT",
        side: "BUY",
        positionSide: "LONG",
        type: "MARKET",
        quantity: "0.01",
      };
      delete params[omit];
      const r = await call(h, "POST", "/openApi/swap/v2/trade/order", params);
      expect(r.body.code).toBe(80014);
    }
    expect((await place(h, { type: "LIMIT" })).body.code).toBe(80014);
  });

  test("wrong types and enum values answer 80014", async () => {
    expect((await place(h, { quantity: "abc" })).body.code).toBe(80014);
    expect((await place(h, { quantity: "-1" })).body.code).toBe(80014);
    expect((await place(h, { quantity: "0x10" })).body.code).toBe(80014);
    expect((await place(h, { side: "HOLD" })).body.code).toBe(80014);
    expect((await place(h, { type: "STOP_MARKET" })).body.code).toBe(80014);
    expect((await place(h, { positionSide: "BOTH" })).body.code).toBe(80014);
    expect((await place(h, { reduceOnly: "maybe" })).body.code).toBe(80014);
    expect((await place(h, { clientOrderID: "x".repeat(41) })).body.code).toBe(80014);
  });

  test("huge numbers are refused, never crash", async () => {
    expect((await place(h, { quantity: "1".repeat(400) })).body.code).toBe(80014);
    expect((await place(h, { quantity: "1e308" })).body.code).toBe(80014);
    expect((await place(h, { type: "LIMIT", price: "99999999999999999999" })).body.code).toBe(80014);
    const q = await call(h, "GET", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT", orderId: "9".repeat(30) });
    expect(q.body.code).toBe(80014);
  });

  test("a JSON body with a big numeric orderId keeps its digits", async () => {
    const placed = await place(h, { type: "LIMIT", price: "60000", clientOrderID: "json-big" });
    const id = placed.body.data.order.orderId as string;
    const ts = h.clock.nowMs();
    const payload = `orderId=${id}&symbol=BTC-USDT&timestamp=${ts}`;
    const body = `{"orderId":${id},"symbol":"BTC-USDT","timestamp":${ts},"signature":"${sign(payload)}"}`;
    const res = await read(
      await fetch(`${h.sim.url}/openApi/swap/v2/trade/order`, {
        method: "DELETE",
        headers: { "X-BX-APIKEY": API_KEY, "Content-Type": "application/json" },
        body,
      }),
    );
    expect(res.body.code).toBe(0);
    expect(res.body.data.order.orderId).toBe(id);
  });

  test("an unknown symbol answers 80014; an unknown path answers 404", async () => {
    expect((await place(h, { symbol: "NOPE-USDT" })).body.code).toBe(80014);
    const missing = await read(await fetch(`${h.sim.url}/openApi/swap/v2/nope`));
    expect(missing.status).toBe(404);
    const badMethod = await read(await fetch(`${h.sim.url}/openApi/swap/v2/server/time`, { method: "DELETE" }));
    expect(badMethod.status).toBe(405);
  });

  test("query without orderId or clientOrderId answers 80014; a non-numeric timestamp 100421", async () => {
    expect((await call(h, "GET", "/openApi/swap/v2/trade/order", { symbol: "BTC-USDT" })).body.code).toBe(80014);
    const res = await fetch(
      `${h.sim.url}/openApi/swap/v2/user/balance?timestamp=abc&signature=${sign("timestamp=abc")}`,
      { headers: { "X-BX-APIKEY": API_KEY } },
    );
    expect((await read(res)).body.code).toBe(100421);
  });

  test("too many parameters or an oversize body answer 100400", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 70; i++) many[`k${i}`] = "v";
    expect((await call(h, "GET", "/openApi/swap/v2/user/balance", many)).body.code).toBe(100400);
    expect((await rawPost(`{"a":"${"x".repeat(70_000)}"}`)).body.code).toBe(100400);
  });

  test("a form-encoded body is read like a query string", async () => {
    const ts = h.clock.nowMs();
    const payload = `symbol=BTC-USDT&side=BUY&positionSide=LONG&type=MARKET&quantity=0.01&timestamp=${ts}`;
    const r = await rawPost(`${payload}&signature=${sign(payload)}`, "application/x-www-form-urlencoded");
    expect(r.body.code).toBe(0);
  });

  test("the admin API refuses bad JSON and unknown symbols with 400", async () => {
    expect((await fetch(`${h.sim.url}/_sim/faults`, { method: "POST", body: "nope" })).status).toBe(400);
    expect(
      (await fetch(`${h.sim.url}/_sim/price`, { method: "POST", body: JSON.stringify({ symbol: "X", price: 1 }) }))
        .status,
    ).toBe(400);
    expect(
      (
        await fetch(`${h.sim.url}/_sim/price`, {
          method: "POST",
          body: JSON.stringify({ symbol: "BTC-USDT", price: -1 }),
        })
      ).status,
    ).toBe(400);
  });
});
