/**
 * BingX's change log (2025-10-09, in force from 2025-10-16) replaced the rate-limit codes 100409
 * and 100410 with 109429 "APIRateLimit". An answer with 109429 is a rate limit: RATE_LIMIT (never
 * a venue REJECT the kernel would report as VENUE_REJECTED), with the venue's hint, and its budget
 * paused so the adapter does not keep sending into the limit.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { classifyCode, endpoints as ep, VenueRequestError } from "../../src/venue/bingx/index.ts";
import { restClientOn } from "../_support/rest_client.ts";

const T = 1_700_000_000_000;

function client(bodies: string[], headers: Record<string, string> = {}) {
  const clock = new ManualClock(T);
  const sentAt: number[] = [];
  const fetch = async (): Promise<Response> => {
    sentAt.push(clock.nowMs() - T);
    return new Response(bodies.shift() ?? '{"code":0,"msg":"","data":{}}', { status: 200, headers });
  };
  const c = restClientOn(clock, fetch);
  return { c, sentAt };
}

test("codes 109429 (BingX's rate-limit code since 2025-10-16) and 100410 (before) are both RATE_LIMIT", () => {
  expect(classifyCode(109429)).toBe("RATE_LIMIT");
  expect(classifyCode(100410)).toBe("RATE_LIMIT");
});

test("a 109429 answer is a RATE_LIMIT error with the venue's hint, and its endpoint waits out that hint", async () => {
  const { c, sentAt } = client(['{"code":109429,"msg":"APIRateLimit"}'], {
    "X-RateLimit-Requests-Expire": String(T + 700),
  });
  const e = await c.request(ep.placeOrder(placement)).then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof VenueRequestError)) throw new Error(`expected a VenueRequestError, got ${String(e)}`);
  expect([e.kind, e.code, e.retry_after_ms, e.refused, e.rate_limited]).toEqual([
    "RATE_LIMIT",
    109429,
    700,
    true,
    true,
  ]);
  await c.request(ep.placeOrder(placement));
  expect(sentAt).toEqual([0, 1_000]);
  expect(c.rateStats().rate_limited).toBe(1);
});

const placement = {
  symbol: "BTC-USDT",
  side: "BUY",
  positionSide: "LONG",
  type: "MARKET",
  quantity: "0.001",
  clientOrderID: "k1",
} as const;
