/**
 * The BingX adapter's throttle against bingx-sim on loopback, on the real clock:
 * - with the sim's real per-endpoint limits, a burst of 60 placements and 40 reads meets no 429
 *   and all succeed (the throttle waits instead);
 * - with the sim's placement limit lowered below the throttle's budget, the 429s that still
 *   happen surface as REJECT RATE_LIMITED with retry_after_ms, and nothing is lost: every
 *   placement ends ACCEPTED or RATE_LIMITED and the sim holds exactly the accepted orders, once;
 * - another client spending the same account's budget shows in `X-RateLimit-Requests-Remain: 0`,
 *   and the adapter waits out the venue's window instead of meeting a 429.
 */

import { afterEach, expect, test } from "bun:test";
import type { OrderRequest, SubmitResult } from "../../src/contracts/venue.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { type SimOptions, startBingxSim } from "../../src/sim/index.ts";
import { BingxRestClient, endpoints as ep } from "../../src/venue/bingx/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { order, record } from "./venue_contract.ts";

const API_KEY = "throttleKeyAAAAbbbbCCCCdddd012345";
const SECRET = "throttleSecretZZZZyyyyXXXXwwww98765";
const PRICE = 65_000;
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function rig(rateLimitsPerS?: SimOptions["rateLimitsPerS"]) {
  const sim = await startBingxSim({
    port: 0,
    apiKey: API_KEY,
    secret: SECRET,
    seed: 5,
    prices: { "BTC-USDT": PRICE },
    balance: 100_000,
    ...(rateLimitsPerS ? { rateLimitsPerS } : {}),
  });
  const config = {
    apiKey: API_KEY,
    secret: SECRET,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock: new SystemClock(),
    timeoutMs: 3000,
  };
  const adapter = new BingxVenueAdapter(config, { stream: { openTimeoutMs: 2000 } });
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  await adapter.connect();
  return { sim, adapter, config };
}

/** A resting limit entry well under the market: placed, never filled, so 60 of them fit the account. */
const resting = (): OrderRequest => order("BTC-USDT", { type: "LIMIT", price: PRICE * 0.9, size: 0.001 });

test("a burst of 60 placements and 40 reads meets no 429 at the sim's real limits, and every one succeeds", async () => {
  const { sim, adapter } = await rig();
  const orders = Array.from({ length: 60 }, resting);
  const places = orders.map((o) => adapter.submit(o));
  const reads = Array.from({ length: 40 }, (_, i) => {
    if (i % 4 === 0) return adapter.queryOrder("BTC-USDT", orders[i]!.client_order_id);
    if (i % 4 === 1) return adapter.openOrders("BTC-USDT");
    if (i % 4 === 2) return adapter.positions("BTC-USDT");
    return adapter.balance();
  });
  const placed = await Promise.all(places);
  const read = await Promise.allSettled(reads);
  expect(placed.filter((r) => r.status === "ACCEPTED")).toHaveLength(60);
  expect(read.filter((r) => r.status === "fulfilled")).toHaveLength(40);
  const state = sim.state();
  expect([state.counters.rate_limited, state.counters.orders_placed]).toEqual([0, 60]);
  expect(Object.values(state.counters.placed_by_client_id).every((n) => n === 1)).toBe(true);
  const stats = adapter.rateStats();
  expect([stats.rate_limited, stats.refused, stats.queued]).toEqual([0, 0, 0]);
  // 60 placements at 8 per window: the throttle had to hold most of them back.
  expect(stats.waited).toBeGreaterThanOrEqual(52);
  expect(stats.wait_ms_max).toBeGreaterThanOrEqual(6000);
}, 30_000);

test("with the sim's limit below the throttle's, the 429s surface as RATE_LIMITED with retry_after_ms and nothing is lost", async () => {
  const { sim, adapter } = await rig({ place_order: 3 });
  const r = record(adapter);
  const orders = Array.from({ length: 10 }, resting);
  const results: SubmitResult[] = await Promise.all(orders.map((o) => adapter.submit(o)));
  const accepted = orders.filter((_, i) => results[i]!.status === "ACCEPTED").map((o) => o.client_order_id);
  const limited = results.filter((x) => x.status === "REJECTED" && x.event.reject_reason === "RATE_LIMITED");
  expect(accepted.length + limited.length).toBe(10);
  expect(limited.length).toBeGreaterThan(0);
  for (const x of limited) {
    if (x.status !== "REJECTED") continue;
    expect(x.event.retry_after_ms).toBeGreaterThanOrEqual(0);
    expect(r.of(x.event.client_order_id).map((e) => e.kind)).toEqual(["REJECT"]);
  }
  const state = sim.state();
  expect(Object.keys(state.counters.placed_by_client_id).sort()).toEqual(accepted.map((c) => c.toLowerCase()).sort());
  expect(Object.values(state.counters.placed_by_client_id).every((n) => n === 1)).toBe(true);
  expect(state.counters.rate_limited).toBe(limited.length);
  expect(adapter.rateStats().rate_limited).toBe(limited.length);
  // The pause after the first 429 lets the waiting placements through once the sim's window ends.
  expect(accepted.length).toBeGreaterThan(3);
}, 30_000);

test("another client spending the account's budget shows as Remain 0; the adapter waits instead of meeting a 429", async () => {
  const { sim, adapter, config } = await rig();
  // A second process on the same key with its own throttle: 4 of the venue's 5 balance reads per second.
  const other = new BingxRestClient({ ...config });
  await Promise.all([0, 1, 2, 3].map(() => other.request(ep.balance())));
  await adapter.balance(); // the venue's 5th of 5: Remain 0
  const more = await Promise.allSettled([adapter.balance(), adapter.balance(), adapter.balance()]);
  expect(more.map((x) => x.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
  expect(sim.state().counters.rate_limited).toBe(0);
  const stats = adapter.rateStats();
  expect(stats.exhausted).toBeGreaterThanOrEqual(1);
  expect(stats.waited).toBeGreaterThanOrEqual(3);
}, 30_000);
