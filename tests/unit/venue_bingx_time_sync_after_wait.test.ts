/**
 * The server-time offset (src/venue/bingx/rest_client.ts `syncTime`) is the venue's time minus the
 * midpoint of the server-time request's round trip. That request passes the rate throttle first,
 * in BingX's per-IP market group, shared with every other client on the IP: when that group is
 * paused (an answer said `X-RateLimit-Requests-Remain: 0`), the request waits before it leaves.
 * The round trip must be timed from the moment the request leaves, not from before the wait:
 * timed from before, the offset grows by half the wait, every signed request after it carries a
 * timestamp from the future, and the venue refuses them all (100421), a placement as a REJECT.
 */

import { afterEach, expect, test } from "bun:test";
import type { Clock } from "../../src/contracts/clock.ts";
import { ManualClock } from "../../src/contracts/clock.ts";
import { Throttle } from "../../src/venue/bingx/_throttle.ts";
import { BingxRestClient } from "../../src/venue/bingx/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { QUICK_STREAM, realTimeSim } from "../_support/bingx_sim.ts";

const API_KEY = "simKeyAAAAbbbbCCCCdddd0123456789";
const SECRET = "simSecretZZZZyyyyXXXXwwww9876543210qq";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

test("an offset measured after a throttle wait is the venue's offset, not shifted by half the wait", async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const venueAheadMs = 7_000;
  const seenTimestamps: string[] = [];
  const fetch = async (url: string): Promise<Response> => {
    const u = new URL(url);
    if (u.pathname.endsWith("/server/time")) {
      return new Response(JSON.stringify({ code: 0, msg: "", data: { serverTime: clock.nowMs() + venueAheadMs } }));
    }
    seenTimestamps.push(u.searchParams.get("timestamp") ?? "");
    // Another client on the IP spent the market budget: nothing of that group for 4 s.
    const headers = { "X-RateLimit-Requests-Remain": "0", "X-RateLimit-Requests-Expire": "4000" };
    return new Response('{"code":0,"msg":"","data":[]}', { headers });
  };
  const throttle = new Throttle({ clock, margin: 0.8, sleep: async (ms) => clock.advance(ms) });
  const rest = new BingxRestClient({
    apiKey: API_KEY,
    secret: SECRET,
    baseUrl: "http://127.0.0.1:1",
    recvWindowMs: 5000,
    clock,
    timeoutMs: 1000,
    fetch,
    throttle,
  });
  await rest.request({ method: "GET", path: "/openApi/swap/v2/quote/contracts", signed: false }); // pauses "market"
  expect(await rest.syncTime()).toBe(venueAheadMs);
  expect(rest.venueNowMs()).toBe(clock.nowMs() + venueAheadMs);
});

/** The local wall clock as the launcher reads it, steppable (NTP); the monotonic clock is untouched. */
function steppedWallClock(): Clock & { stepMs: number } {
  const c = {
    stepMs: 0,
    nowMs: () => Date.now() + c.stepMs,
    monoNs: () => process.hrtime.bigint(),
  };
  return c;
}

test("a placement after the local clock stepped, while the market budget is paused, is placed, not refused for its timestamp", async () => {
  const clock = steppedWallClock();
  const { sim, config } = await realTimeSim(11, { "BTC-USDT": 65_000 }, clock);
  let pauseMarket = false;
  const network = async (url: string, init: RequestInit): Promise<Response> => {
    const res = await fetch(url, init);
    if (!pauseMarket || !url.includes("/quote/contracts")) return res;
    pauseMarket = false;
    // Another client on the same IP spent BingX's per-IP market budget for the next 2.6 s.
    const headers = new Headers(res.headers);
    headers.set("X-RateLimit-Requests-Remain", "0");
    headers.set("X-RateLimit-Requests-Expire", String(Date.now() + 2_600));
    return new Response(await res.text(), { status: res.status, headers });
  };
  const adapter = new BingxVenueAdapter(config, { fetch: network, resolveDelaysMs: [0], stream: QUICK_STREAM });
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  await adapter.connect();
  pauseMarket = true;
  await expect(adapter.contractRules("NOPE-USDT")).rejects.toThrow("not a listed contract"); // re-reads contracts
  clock.stepMs = -6_000; // the host's clock is stepped back 6 s: the next signed request is refused (100421)
  const result = await adapter.submit({
    client_order_id: "stepped1",
    asset: "BTC-USDT",
    side: "BUY",
    position_side: "LONG",
    type: "LIMIT",
    price: 60_000,
    size: 0.01,
    reduce_only: false,
  });
  expect(result.status).toBe("ACCEPTED");
  expect(sim.state().orders.map((o) => o.clientOrderId)).toEqual(["stepped1"]);
}, 15_000);
