/**
 * The launcher's leverage cache (src/launcher/_leverage.ts) must never believe a leverage the venue
 * no longer holds, or an entry is placed at another leverage than its strategy asked for:
 * - a one-way account keeps ONE leverage per symbol (set with side BOTH): a call for the other side
 *   at another value changed it, so an entry at the first value sets it again;
 * - a call still out when a call for another value begins (its entry was cancelled meanwhile) is
 *   not raced by the later call: calls of one asset go one at a time, the later one last;
 * - a refusal (nothing done; not a rate limit) is final: asking again unchanged would be refused again;
 * - a venue refusal for margin (101204) tells the cache its value may be wrong (someone changed the
 *   leverage by hand): it is set again before the next entry, instead of refusing every entry.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { OrderRequest, PositionSide, VenueAdapter } from "../../src/contracts/venue.ts";
import { LeverageCache } from "../../src/launcher/_leverage.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { realTimeAdapter } from "../_support/bingx_sim.ts";
import { kernelsPerTest } from "../_support/kernel.ts";
import { marketBuy } from "../_support/venue_data.ts";

const kernel = kernelsPerTest({ slots: 3, capital: 100_000 });
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Bun.sleep(20); // the mock's last deliveries land first
  for (const stop of stops.splice(0)) await stop();
});

const entry = (slot_id: number, leverage: number, size = 0.01): StrategyIntent => ({
  type: "ENTER",
  slot_id,
  trade_id: `LC${slot_id}`,
  asset: "BTC-USDT",
  side: "LONG",
  size,
  price: null,
  leverage,
});

const turns = async () => {
  for (let i = 0; i < 5; i++) await Bun.sleep(1);
};

describe("leverage cache on a one-way BingX account (bingx-sim)", () => {
  test("after the other side set another leverage (side BOTH), an entry at the first value sets it again", async () => {
    const calls: string[] = [];
    const network = (url: string, init: RequestInit) => {
      const u = new URL(url);
      if (init.method === "POST" && u.pathname.endsWith("/trade/leverage"))
        calls.push(`${u.searchParams.get("side")}:${u.searchParams.get("leverage")}`);
      return fetch(url, init);
    };
    const prices = { "BTC-USDT": 65_000 };
    const { sim, adapter } = await realTimeAdapter(stops, { seed: 3, positionMode: "oneway", prices }, network);
    const cache = new LeverageCache(adapter, async () => {});

    await cache.ensure("BTC-USDT", "LONG", 5);
    await cache.ensure("BTC-USDT", "SHORT", 10); // one-way: the symbol's one leverage is now 10
    expect(cache.isSet("BTC-USDT", "LONG", 5)).toBe(false);
    await cache.ensure("BTC-USDT", "LONG", 5);
    expect(calls).toEqual(["BOTH:5", "BOTH:10", "BOTH:5"]);

    expect((await adapter.submit(marketBuy("lev1", 0.001))).status).toBe("ACCEPTED");
    expect(sim.state().positions.map((p) => p.leverage)).toEqual([5]);
  });
});

test("a leverage the BingX adapter refuses (above the contract's maximum) is not asked again: one refusal", async () => {
  const { adapter } = await realTimeAdapter(stops, { seed: 4, prices: { "SOL-USDT": 150 } });
  const refusals: string[] = [];
  adapter.onDiagnostic((d) => refusals.push(String(d.details?.rule)));
  const waits: number[] = [];
  const cache = new LeverageCache(adapter, async (ms) => void waits.push(ms));
  const why = await cache.ensure("SOL-USDT", "LONG", 75).then(
    () => "set",
    (e: Error) => e.message,
  );
  expect(why).toContain("maximum 50");
  expect(refusals).toEqual(["MAX_LEVERAGE"]);
  expect(waits).toEqual([]);
});

/** The mock venue behind an executor; its leverage calls are held until the test answers them (applied then). */
async function heldWorld() {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 8, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  stops.push(() => mock.close());
  let venueLeverage = 1;
  const calls: { leverage: number; answered: boolean; answer: () => void }[] = [];
  const orders: { cid: string; leverage: number }[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    setLeverage: {
      value: (_a: string, _s: PositionSide, leverage: number) =>
        new Promise<void>((resolve) => {
          const call = { leverage, answered: false, answer: () => {} };
          call.answer = () => {
            call.answered = true;
            venueLeverage = leverage; // the venue applies it when it processes the call
            resolve();
          };
          calls.push(call);
        }),
    },
    submit: {
      value: (order: OrderRequest) => {
        orders.push({ cid: order.client_order_id, leverage: venueLeverage });
        return mock.submit(order);
      },
    },
  });
  const k = kernel();
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {} });
  /** Answers the first call out for `leverage`, when one is out. */
  const answer = (leverage: number) => calls.find((c) => c.leverage === leverage && !c.answered)?.answer();
  return { kernel: k, executor, calls, orders, answer, venueLeverage: () => venueLeverage };
}

test("a leverage call still out when its entry was cancelled does not overwrite the next entry's leverage", async () => {
  const w = await heldWorld();
  w.executor.submitStrategy(entry(0, 5));
  await turns();
  expect(w.calls.map((c) => c.leverage)).toEqual([5]);
  w.executor.submitStrategy({ type: "CANCEL", slot_id: 0 }); // withdrawn while its leverage call is out
  await turns();
  expect(w.kernel.slot(0).stage).toBe("IDLE");
  w.executor.submitStrategy(entry(1, 10));
  await turns();
  // The venue processes the later call first, when both are out, then the earlier one.
  w.answer(10);
  await turns();
  w.answer(5);
  await turns();
  w.answer(10);
  await w.executor.drain(1_000);
  await turns();
  const slot1 = w.kernel.slot(1).entry_order?.client_order_id;
  expect(w.orders).toEqual([{ cid: slot1 as string, leverage: 10 }]);
  expect(w.kernel.slot(1).stage).toBe("POSITION_OPEN");
  expect(w.venueLeverage()).toBe(10); // slot 1's position is held at the leverage it asked for
});

test("after a margin refusal (101204, leverage changed by hand), the next entry sets its leverage again", async () => {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 9, clock, prices: { "BTC-USDT": 65_000 }, balance: 500 });
  await mock.connect();
  stops.push(() => mock.close());
  const leverageCalls: number[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    setLeverage: {
      value: (a: string, s: PositionSide, leverage: number) => {
        leverageCalls.push(leverage);
        return mock.setLeverage(a, s, leverage);
      },
    },
  });
  const k = kernel();
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {} });
  executor.submitStrategy(entry(0, 10)); // 650 USDT at 10x: 65 of margin
  await executor.drain(1_000);
  await turns();
  expect(k.slot(0).stage).toBe("POSITION_OPEN");
  await mock.setLeverage("BTC-USDT", "LONG", 1); // by hand: 650 of margin now, more than is left
  executor.submitStrategy(entry(1, 10));
  await executor.drain(1_000);
  await turns();
  expect(k.slot(1).entry_order?.status).toBe("REJECTED");
  executor.submitStrategy(entry(2, 10));
  await executor.drain(1_000);
  await turns();
  expect(leverageCalls).toEqual([10, 10]);
  expect(k.slot(2).stage).toBe("POSITION_OPEN");
});

test("a call queued behind one the venue rate-limited through its retries fails with that limit at once, never sent late", async () => {
  const sent: string[] = [];
  let limited = true;
  const venue = {
    onEvent: () => {},
    setLeverage: async (asset: string, side: PositionSide, leverage: number) => {
      sent.push(`${asset}:${side}:${leverage}`);
      if (limited) throw Object.assign(new Error("rate limited"), { rate_limited: true, retry_after_ms: 1000 });
    },
  } as unknown as VenueAdapter;
  const cache = new LeverageCache(venue, async () => {});
  const first = cache.ensure("ETH-USDT", "LONG", 5);
  const queued = cache.ensure("ETH-USDT", "SHORT", 5);
  const [a, b] = await Promise.allSettled([first, queued]);
  expect(a.status === "rejected" && rateLimitedMessage(a.reason)).toBe("rate limited");
  expect(b.status === "rejected" && rateLimitedMessage(b.reason)).toBe("rate limited");
  expect(sent).toEqual(["ETH-USDT:LONG:5", "ETH-USDT:LONG:5", "ETH-USDT:LONG:5"]); // the queued call never went out
  limited = false;
  await cache.ensure("ETH-USDT", "SHORT", 5); // once the limit lifts, the next entry's call goes out
  expect(sent.at(-1)).toBe("ETH-USDT:SHORT:5");
});

function rateLimitedMessage(e: unknown): string {
  return (e as { rate_limited?: boolean }).rate_limited === true ? (e as Error).message : "not a rate limit";
}
