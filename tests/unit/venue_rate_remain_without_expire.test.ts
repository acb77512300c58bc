/**
 * An answer saying `X-RateLimit-Requests-Remain: 0` without `X-RateLimit-Requests-Expire`: BingX
 * says the budget is spent but not when its window ends. The only instant known to be safe is one
 * full window of that budget after the answer (everything the venue counted has left it by then):
 * 1 s for a per-UID endpoint, the market group's 60 s for the per-IP market group. A fixed 1 s
 * guess sends the market group's next read while its 10 s / 60 s windows may still be full, which
 * BingX answers with a 429 and a 5-minute restriction.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { endpoints as ep, VenueRequestError } from "../../src/venue/bingx/index.ts";
import { restClientOn } from "../_support/rest_client.ts";

const T = 1_700_000_000_000;
const OK = '{"code":0,"msg":"","data":{"serverTime":1700000000000}}';
type Reply = { headers?: Record<string, string> };

function client(replies: Reply[]) {
  const clock = new ManualClock(T);
  const sentAt: number[] = [];
  const fetch = async (_url: string, _init: RequestInit): Promise<Response> => {
    sentAt.push(clock.nowMs() - T);
    const r = replies.shift() ?? {};
    return new Response(OK, { status: 200, headers: r.headers });
  };
  const c = restClientOn(clock, fetch);
  return { c, clock, sentAt };
}

async function refusal(p: Promise<unknown>): Promise<VenueRequestError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof VenueRequestError)) throw new Error(`expected a VenueRequestError, got ${String(e)}`);
  return e;
}

const SPENT = { headers: { "X-RateLimit-Requests-Remain": "0" } };

test("Remain 0 without an expiry on the market group holds market reads for the group's 60 s window, not 1 s", async () => {
  const { c, clock, sentAt } = client([SPENT]);
  await c.request(ep.contracts());
  const held = await refusal(c.request(ep.contracts()));
  expect([held.kind, held.retry_after_ms]).toEqual(["RATE_LIMIT", 60_000]);
  expect(sentAt).toEqual([0]);
  clock.advance(40_000);
  expect((await refusal(c.request(ep.premiumIndex("BTC-USDT")))).retry_after_ms).toBe(20_000);
  clock.advance(10_000);
  await c.request(ep.premiumIndex("BTC-USDT")); // waits the last 10 s, within the wait bound
  expect(sentAt).toEqual([0, 60_000]);
});

test("Remain 0 without an expiry on a per-UID endpoint holds it for that endpoint's 1 s window", async () => {
  const { c, sentAt } = client([SPENT]);
  await c.request(ep.positions());
  await c.request(ep.positions());
  expect(sentAt).toEqual([0, 1_000]);
});

test("Remain 0 with an expiry still waits exactly until that expiry on the market group", async () => {
  const { c, sentAt } = client([
    { headers: { "X-RateLimit-Requests-Remain": "0", "X-RateLimit-Requests-Expire": "2500" } },
  ]);
  await c.request(ep.contracts());
  await c.request(ep.contracts());
  expect(sentAt).toEqual([0, 2_500]);
});
