/**
 * bingx-sim authentication: the sim's HMAC matches the reference test vectors, and the request
 * checks answer BingX's codes (100001, 100412, 100413, 100421) without executing anything.
 */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { hmacHex } from "../../src/sim/signing.ts";
import { API_KEY, call, type Harness, place, read, sign, startSim } from "./fixtures/sim_client.ts";

const VECTOR_SECRET = "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";

let h: Harness;
beforeEach(async () => {
  h = await startSim();
});
afterEach(async () => {
  await h.sim.stop();
});

describe("bingx-sim signing", () => {
  test("the sim's HMAC reproduces both reference test vectors", () => {
    expect(hmacHex(VECTOR_SECRET, "recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337")).toBe(
      "f8d883609dfd31c824feb4de865b071008dedb1d461451fa70847875c8e7a7a2",
    );
    expect(hmacHex(VECTOR_SECRET, "recvWindow=0&subAccountString=abc12345&timestamp=1696751141337")).toBe(
      "8d0d3ea9b592be3678c33332ab13e9102e093e67255921e15a581146c87c272f",
    );
  });

  test("a correctly signed query-string request is accepted", async () => {
    const r = await call(h, "GET", "/openApi/swap/v2/user/balance");
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(0);
    expect(r.body.data.balance.asset).toBe("USDT");
  });

  test("a JSON body signed over its parameters sorted a-z is accepted", async () => {
    const r = await place(h, { clientOrderID: "json-1" }, { json: true });
    expect(r.body.code).toBe(0);
    expect(r.body.data.order.clientOrderID).toBe("json-1");
  });

  test("a signature over the URL-encoded query text is accepted as well as over raw values", async () => {
    const ts = h.clock.nowMs();
    const raw = `symbol=BTC-USDT&timestamp=${ts}&note=a b`;
    const encoded = `symbol=BTC-USDT&timestamp=${ts}&note=a%20b`;
    for (const signed of [raw, encoded]) {
      const res = await fetch(`${h.sim.url}/openApi/swap/v2/trade/openOrders?${encoded}&signature=${sign(signed)}`, {
        headers: { "X-BX-APIKEY": API_KEY },
      });
      expect((await read(res)).body.code).toBe(0);
    }
  });

  test("a tampered signature answers 100001 and places nothing", async () => {
    const r = await place(h, { clientOrderID: "tampered" }, { tamper: true });
    expect(r.body.code).toBe(100001);
    expect(h.sim.state().orders).toHaveLength(0);
  });

  test("a signature made with another secret answers 100001", async () => {
    const r = await call(h, "GET", "/openApi/swap/v2/user/positions", {}, { secret: "other" });
    expect(r.body.code).toBe(100001);
  });

  test("a missing signature answers 100412", async () => {
    const r = await call(h, "GET", "/openApi/swap/v2/user/positions", {}, { omitSignature: true });
    expect(r.body.code).toBe(100412);
  });

  test("a wrong or missing API key answers 100413", async () => {
    expect((await call(h, "GET", "/openApi/swap/v2/user/positions", {}, { apiKey: "nope" })).body.code).toBe(100413);
    expect((await call(h, "GET", "/openApi/swap/v2/user/positions", {}, { apiKey: null })).body.code).toBe(100413);
  });

  test("a timestamp older than recvWindow answers 100421 and places nothing", async () => {
    const stale = await place(h, {}, { timestamp: h.clock.nowMs() - 5001 });
    expect(stale.body.code).toBe(100421);
    expect(h.sim.state().orders).toHaveLength(0);
    const inWindow = await place(h, {}, { timestamp: h.clock.nowMs() - 4000 });
    expect(inWindow.body.code).toBe(0);
  });

  test("a wider recvWindow admits an older timestamp; a future timestamp answers 100421", async () => {
    const wide = await call(
      h,
      "GET",
      "/openApi/swap/v2/user/balance",
      { recvWindow: 20000 },
      { timestamp: h.clock.nowMs() - 15000 },
    );
    expect(wide.body.code).toBe(0);
    const future = await call(h, "GET", "/openApi/swap/v2/user/balance", {}, { timestamp: h.clock.nowMs() + 5000 });
    expect(future.body.code).toBe(100421);
  });

  test("the clock is the injected one: server time follows ManualClock", async () => {
    h.clock.advance(1234);
    const r = await read(await fetch(`${h.sim.url}/openApi/swap/v2/server/time`));
    expect(r.body).toEqual({ code: 0, msg: "", data: { serverTime: 1_700_000_001_234 } });
  });

  test("public market endpoints need no signature", async () => {
    const r = await read(await fetch(`${h.sim.url}/openApi/swap/v2/quote/contracts`));
    expect(r.body.code).toBe(0);
    const btc = r.body.data.find((c: any) => c.symbol === "BTC-USDT");
    expect(btc).toMatchObject({
      quantityPrecision: 4,
      pricePrecision: 1,
      tradeMinQuantity: 0.0001,
      tradeMinUSDT: 2,
      status: 1,
      maxLongLeverage: 125,
    });
  });
});
