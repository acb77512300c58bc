/**
 * No venue round trip on the order path (BingX adapter against bingx-sim): marks, contract rules
 * and the position mode are known from connect, so a MARKET order is exactly one request, the
 * placement; a mark too old to trust skips the local min-notional check (the venue judges) and the
 * marks are read again after the placement, off the order path; a fill the stream reports feeds
 * the cache; and a MARKET order below the contract's minimum notional is still refused locally,
 * with nothing sent, while the mark is fresh.
 */

import { afterEach, expect, test } from "bun:test";
import type { VenueEvent } from "../../src/contracts/index.ts";
import { ManualClock } from "../../src/contracts/index.ts";
import { startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";

const KEY = "marksKeyAAAAbbbbCCCCdddd01234567";
const SECRET = "marksSecretZZZZyyyyXXXXwwww987654";
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup() {
  const clock = new ManualClock(Date.UTC(2025, 0, 1)); // the sim and the adapter share it: time moves for both
  const sim = await startBingxSim({
    port: 0,
    apiKey: KEY,
    secret: SECRET,
    seed: 3,
    prices: { "BTC-USDT": 65_000 },
    clock,
  });
  const adapter = new BingxVenueAdapter(
    { apiKey: KEY, secret: SECRET, baseUrl: sim.url, wsUrl: sim.wsUrl, recvWindowMs: 60_000, clock, timeoutMs: 2000 },
    { stream: { openTimeoutMs: 2000 } },
  );
  closers.push(
    () => sim.stop(),
    () => adapter.close(),
  );
  const events: VenueEvent[] = [];
  adapter.onEvent((e) => events.push(e));
  await adapter.connect();
  return { sim, adapter, clock, events };
}

const market = (cid: string, size: number) => ({
  client_order_id: cid,
  asset: "BTC-USDT",
  side: "BUY" as const,
  position_side: "LONG" as const,
  type: "MARKET" as const,
  size,
  reduce_only: false,
});

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await Bun.sleep(10);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

test("a MARKET order is one request, the placement: marks, rules and the position mode are known from connect", async () => {
  const { sim, adapter, events } = await setup();
  const before = sim.state().counters.requests;
  expect(await adapter.submit(market("marks1", 0.001))).toMatchObject({ status: "ACCEPTED" });
  expect(sim.state().counters.requests - before).toBe(1);
  await until("the fill", () => events.some((e) => e.kind === "FULL_FILL"));
  await Bun.sleep(50);
  expect(sim.state().counters.requests - before).toBe(1); // and nothing after it either: the mark was fresh
});

test("a stale mark skips the local check (the venue judges) and the marks are read again after the placement", async () => {
  const { sim, adapter, clock } = await setup();
  clock.advance(31_000);
  const before = sim.state().counters.requests;
  expect(await adapter.submit(market("marks2", 0.001))).toMatchObject({ status: "ACCEPTED" });
  expect(sim.state().counters.requests - before).toBe(1);
  await until("the marks read again", () => sim.state().counters.requests - before === 2);
  sim.setPrice("BTC-USDT", 10); // a fresh mark makes the local check bite: 0.1 × 10 = 1 USDT is below the minimum
  clock.advance(31_000);
  await adapter.submit(market("marks3", 0.001));
  await until("the marks read again", () => sim.state().counters.requests - before === 4);
  const refused = await adapter.submit(market("marks4", 0.1));
  expect(refused).toMatchObject({ status: "REJECTED", event: { kind: "REJECT", venue_code: "LOCAL_RULE" } });
  expect(sim.state().counters.requests - before).toBe(4); // refused locally: nothing sent
});

test("a fill the stream reports feeds the mark cache", async () => {
  const { sim, adapter, events } = await setup();
  // The connect-time mark (65,000) is fresh, so this order asks for no read; the venue's price has
  // moved to 10,000 and its fill reports that price, which the cache now holds.
  sim.setPrice("BTC-USDT", 10_000);
  await adapter.submit(market("marks5", 0.001));
  await until("the fill", () => events.some((e) => e.kind === "FULL_FILL"));
  expect(events.find((e) => e.kind === "FULL_FILL")!.last_fill_price).toBeLessThan(11_000);
  const before = sim.state().counters.requests;
  // 0.0001 BTC is 6.5 USDT at the connect-time mark but 1 USDT at the fill's price, below the
  // 2 USDT minimum: refused locally, nothing sent — the check judged by the fill.
  expect(await adapter.submit(market("marks6", 0.0001))).toMatchObject({
    status: "REJECTED",
    event: { kind: "REJECT", venue_code: "LOCAL_RULE" },
  });
  expect(sim.state().counters.requests - before).toBe(0);
});
