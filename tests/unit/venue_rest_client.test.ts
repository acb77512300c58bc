/**
 * REST client: request building for every endpoint, envelope and HTTP mapping to typed errors, time re-sync,
 * and the throttle on its path (a 429 or an exhausted budget pauses that endpoint's group).
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { endpoints as ep, hmacSha256Hex, VenueRequestError } from "../../src/venue/bingx/index.ts";
import { REST_KEY, REST_SECRET, restClientOn } from "../_support/rest_client.ts";

const KEY = REST_KEY;
const SECRET = REST_SECRET;

type Reply = { status?: number; body?: string; headers?: Record<string, string>; throws?: Error; hang?: boolean };

function client(replies: Reply[], clock = new ManualClock(1_700_000_000_000)) {
  const seen: { url: string; init: RequestInit }[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    seen.push({ url, init });
    const r = replies.shift() ?? { body: '{"code":0,"msg":"","data":{}}' };
    if (r.hang) {
      return new Promise((_, reject) =>
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    }
    if (r.throws) throw r.throws;
    return new Response(r.body ?? "", { status: r.status ?? 200, headers: r.headers });
  };
  const c = restClientOn(clock, fetch);
  return { c, seen, clock };
}

async function failure(p: Promise<unknown>): Promise<VenueRequestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VenueRequestError) return e;
    throw e;
  }
  throw new Error("expected a VenueRequestError");
}

test("every endpoint builds its method, path and sorted, signed query", () => {
  const { c } = client([]);
  const cases: [ReturnType<typeof ep.placeOrder>, string, string][] = [
    [
      ep.placeOrder({
        symbol: "BTC-USDT",
        side: "BUY",
        positionSide: "LONG",
        type: "LIMIT",
        quantity: "0.0100",
        price: "65000.0",
        clientOrderID: "k1",
      }),
      "POST /openApi/swap/v2/trade/order",
      "clientOrderID=k1&positionSide=LONG&price=65000.0&quantity=0.0100&recvWindow=5000&side=BUY&symbol=BTC-USDT&timeInForce=GTC&timestamp=1700000000000&type=LIMIT",
    ],
    [
      ep.cancelOrder("BTC-USDT", "k1"),
      "DELETE /openApi/swap/v2/trade/order",
      "clientOrderID=k1&recvWindow=5000&symbol=BTC-USDT&timestamp=1700000000000",
    ],
    [
      ep.queryOrder("BTC-USDT", "k1"),
      "GET /openApi/swap/v2/trade/order",
      "clientOrderID=k1&recvWindow=5000&symbol=BTC-USDT&timestamp=1700000000000",
    ],
    [
      ep.openOrders("BTC-USDT"),
      "GET /openApi/swap/v2/trade/openOrders",
      "recvWindow=5000&symbol=BTC-USDT&timestamp=1700000000000",
    ],
    [ep.positions(), "GET /openApi/swap/v2/user/positions", "recvWindow=5000&timestamp=1700000000000"],
    [ep.balance(), "GET /openApi/swap/v2/user/balance", "recvWindow=5000&timestamp=1700000000000"],
    [
      ep.setLeverage("BTC-USDT", "SHORT", 7),
      "POST /openApi/swap/v2/trade/leverage",
      "leverage=7&recvWindow=5000&side=SHORT&symbol=BTC-USDT&timestamp=1700000000000",
    ],
    [
      ep.getLeverage("BTC-USDT"),
      "GET /openApi/swap/v2/trade/leverage",
      "recvWindow=5000&symbol=BTC-USDT&timestamp=1700000000000",
    ],
    [ep.listenKeyCreate(), "POST /openApi/user/auth/userDataStream", "recvWindow=5000&timestamp=1700000000000"],
    [
      ep.listenKeyExtend("LK123456789"),
      "PUT /openApi/user/auth/userDataStream",
      "listenKey=LK123456789&recvWindow=5000&timestamp=1700000000000",
    ],
    [
      ep.listenKeyClose("LK123456789"),
      "DELETE /openApi/user/auth/userDataStream",
      "listenKey=LK123456789&recvWindow=5000&timestamp=1700000000000",
    ],
  ];
  for (const [req, where, signed] of cases) {
    expect(`${req.method} ${req.path}`).toBe(where);
    const { url, headers } = c.buildRequest(req, 1_700_000_000_000);
    expect(url).toBe(`http://127.0.0.1:1${req.path}?${signed}&signature=${hmacSha256Hex(SECRET, signed)}`);
    expect(headers["X-BX-APIKEY"]).toBe(KEY);
  }
  for (const req of [ep.contracts(), ep.premiumIndex("BTC-USDT"), ep.serverTime()]) {
    const { url, headers } = c.buildRequest(req, 1);
    expect(url.includes("signature")).toBe(false);
    expect(headers["X-BX-APIKEY"]).toBeUndefined();
  }
  expect(c.buildRequest(ep.premiumIndex("BTC-USDT"), 1).url).toBe(
    "http://127.0.0.1:1/openApi/swap/v2/quote/premiumIndex?symbol=BTC-USDT",
  );
  const market = ep.placeOrder({
    symbol: "BTC-USDT",
    side: "SELL",
    positionSide: "LONG",
    type: "MARKET",
    quantity: "0.01",
    clientOrderID: "k2",
  });
  expect(market.params).toEqual({
    symbol: "BTC-USDT",
    side: "SELL",
    positionSide: "LONG",
    type: "MARKET",
    quantity: "0.01",
    clientOrderID: "k2",
  });
});

test("HTTP 429 and code 100410 are RATE_LIMIT, with retry_after_ms from X-RateLimit-Requests-Expire when present", async () => {
  const { c } = client([
    { status: 429, headers: { "X-RateLimit-Requests-Expire": String(1_700_000_001_500) } },
    { body: '{"code":100410,"msg":"frequency limit"}' },
    { status: 429, headers: { "X-RateLimit-Requests-Expire": "800" } },
  ]);
  const a = await failure(c.request(ep.balance()));
  expect([a.kind, a.retry_after_ms]).toEqual(["RATE_LIMIT", 1500]);
  const b = await failure(c.request(ep.balance()));
  expect([b.kind, b.code, b.retry_after_ms]).toEqual(["RATE_LIMIT", 100410, undefined]);
  expect((await failure(c.request(ep.balance()))).retry_after_ms).toBe(800);
});

test("timeouts, dropped connections, 5xx, 504 and codes 100500/101500/80019 are UNKNOWN outcomes", async () => {
  const { c } = client([
    { hang: true },
    { throws: new Error("socket hang up http://127.0.0.1:1/x?signature=abc") },
    { status: 500 },
    { status: 504, body: "<html>" },
    { body: '{"code":100500,"msg":"internal"}' },
    { body: '{"code":101500,"msg":"rpc timeout"}' },
    { body: '{"code":80019,"msg":"processing"}' },
  ]);
  for (let i = 0; i < 7; i++) {
    const e = await failure(c.request(ep.queryOrder("BTC-USDT", "k")));
    expect(e.kind).toBe("UNKNOWN");
    expect(e.message.includes("signature=")).toBe(false);
  }
});

test("a business code is a REJECT with code and message; an unreadable 200 body is MALFORMED; ids come back as strings", async () => {
  const { c } = client([
    { body: '{"code":101204,"msg":"Insufficient margin"}' },
    { body: "<html>" },
    { body: '{"code":0,"msg":"","data":{"order":{"orderId":1736012345678901234}}}' },
  ]);
  const e = await failure(c.request(ep.queryOrder("BTC-USDT", "k")));
  expect([e.kind, e.code, e.message]).toEqual([
    "REJECT",
    101204,
    "GET /openApi/swap/v2/trade/order: code 101204 Insufficient margin",
  ]);
  expect((await failure(c.request(ep.balance()))).kind).toBe("MALFORMED");
  expect(await c.request(ep.queryOrder("BTC-USDT", "k"))).toEqual({ order: { orderId: "1736012345678901234" } });
});

test("100421 refreshes the server-time offset and sends the request once more with the corrected timestamp", async () => {
  const { c, seen } = client([
    { body: '{"code":100421,"msg":"timestamp mismatch"}' },
    { body: '{"code":0,"msg":"","data":{"serverTime":1700000009000}}' },
    { body: '{"code":0,"msg":"","data":{"ok":1}}' },
  ]);
  expect(await c.request(ep.balance())).toEqual({ ok: 1 });
  expect(c.timeOffsetMs).toBe(9000);
  expect(seen.map((s) => new URL(s.url).searchParams.get("timestamp"))).toEqual([
    "1700000000000",
    null,
    "1700000009000",
  ]);
});

test("venue text echoing the secret or API key is redacted from error messages", async () => {
  const { c } = client([{ body: JSON.stringify({ code: 100001, msg: `bad signature for ${KEY} with ${SECRET}` }) }]);
  const e = await failure(c.request(ep.balance()));
  expect(e.message.includes(KEY) || e.message.includes(SECRET)).toBe(false);
  expect(e.message).toContain("***");
});

const OK = '{"code":0,"msg":"","data":{}}';

test("an answer saying X-RateLimit-Requests-Remain: 0 stops that endpoint for a window (its -Expire is sooner); other budgets go on", async () => {
  const { c, seen, clock } = client([
    { body: OK, headers: { "X-RateLimit-Requests-Remain": "0", "X-RateLimit-Requests-Expire": "1700000000700" } },
    { body: OK },
    { body: OK },
  ]);
  await c.request(ep.positions());
  await c.request(ep.balance());
  expect(clock.nowMs()).toBe(1_700_000_000_000);
  await c.request(ep.positions());
  expect(clock.nowMs()).toBe(1_700_000_001_000);
  expect(seen.map((s) => new URL(s.url).searchParams.get("timestamp"))).toEqual([
    "1700000000000",
    "1700000000000",
    "1700000001000",
  ]);
  expect([c.rateStats().exhausted, c.rateStats().waited]).toEqual([1, 1]);
});

test("a 429 stays RATE_LIMIT with retry_after_ms and its endpoint waits out the hint; a pause past the wait bound refuses without sending", async () => {
  const { c, seen, clock } = client([
    { status: 429, headers: { "X-RateLimit-Requests-Expire": "1700000001400" } },
    { body: OK },
    { status: 429, headers: { "X-RateLimit-Requests-Expire": "300000" } },
  ]);
  const first = await failure(c.request(ep.cancelOrder("BTC-USDT", "k")));
  expect([first.kind, first.http_status, first.retry_after_ms]).toEqual(["RATE_LIMIT", 429, 1400]);
  await c.request(ep.cancelOrder("BTC-USDT", "k"));
  expect(clock.nowMs()).toBe(1_700_000_001_400);
  expect((await failure(c.request(ep.cancelOrder("BTC-USDT", "k")))).retry_after_ms).toBe(300_000);
  const refused = await failure(c.request(ep.cancelOrder("BTC-USDT", "k")));
  expect(seen.length).toBe(3);
  expect([refused.kind, refused.retry_after_ms]).toEqual(["RATE_LIMIT", 300_000]);
  expect(refused.message).toContain(
    "DELETE /openApi/swap/v2/trade/order: not sent, client-side rate budget cancel_order",
  );
  const s = c.rateStats();
  expect([s.rate_limited, s.refused, s.requests]).toEqual([2, 1, 3]);
});
