/**
 * Setting the venue's leverage (BingX adapter on bingx-sim, and the mock venue): a leverage above
 * the contract's maximum is refused before any call; on a one-way account (one leverage per
 * symbol) a call that would re-lever a position held at another leverage is refused, nothing sent;
 * an answer that names another leverage than the one asked is not taken as set; and a contract
 * list's hostile maximum leverage (0, negative, text) is not read as a limit.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { parseContracts } from "../../src/venue/bingx/_parse.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { realTimeAdapter } from "../_support/bingx_sim.ts";
import { marketBuy } from "../_support/venue_data.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The adapter on bingx-sim in `mode`; leverage POSTs recorded, their answers replaced by `answer` when given. */
async function rig(positionMode: "hedge" | "oneway", answer?: (body: unknown) => unknown) {
  const calls: string[] = [];
  const network = async (url: string, init: RequestInit) => {
    const u = new URL(url);
    const isSet = init.method === "POST" && u.pathname.endsWith("/trade/leverage");
    if (isSet)
      calls.push(`${u.searchParams.get("symbol")}:${u.searchParams.get("side")}:${u.searchParams.get("leverage")}`);
    const r = await fetch(url, init);
    if (!isSet || !answer) return r;
    return new Response(JSON.stringify(answer(await r.json())), { status: r.status, headers: r.headers });
  };
  const prices = { "BTC-USDT": 65_000, "SOL-USDT": 150 };
  const v = await realTimeAdapter(stops, { seed: 6, positionMode, prices }, network);
  return { sim: v.sim, adapter: v.adapter, calls, diags: v.diagnostics };
}

const openLong = (client_order_id: string): OrderRequest => marketBuy(client_order_id, 0.001);

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: Error) => e.message,
  );

describe("BingX adapter: setLeverage", () => {
  test("a leverage above the contract's maximum is refused before any call, naming the maximum", async () => {
    const v = await rig("hedge");
    expect(v.adapter.knownRules("SOL-USDT")?.max_leverage).toBe(50);
    const why = await failure(v.adapter.setLeverage("SOL-USDT", "LONG", 75));
    expect(why).toContain("75");
    expect(why).toContain("maximum 50");
    expect(v.calls).toEqual([]);
    expect(v.diags.map((d) => [d.code, d.details?.rule])).toEqual([["LOCAL_RULE", "MAX_LEVERAGE"]]);
    await v.adapter.setLeverage("SOL-USDT", "LONG", 50); // the maximum itself is sent
    expect(v.calls).toEqual(["SOL-USDT:LONG:50"]);
  });

  test("one-way: a call that would re-lever a position held at another leverage is refused, nothing sent", async () => {
    const v = await rig("oneway");
    await v.adapter.setLeverage("BTC-USDT", "LONG", 5);
    expect((await v.adapter.submit(openLong("ow1"))).status).toBe("ACCEPTED");
    const why = await failure(v.adapter.setLeverage("BTC-USDT", "SHORT", 10));
    expect(why).toContain("LONG");
    expect(why).toContain("5");
    expect(v.calls).toEqual(["BTC-USDT:BOTH:5"]);
    expect(v.sim.state().positions.map((p) => p.leverage)).toEqual([5]);
    expect(v.diags.some((d) => d.code === "LOCAL_RULE" && d.details?.rule === "LEVERAGE_HELD")).toBe(true);
    await v.adapter.setLeverage("BTC-USDT", "LONG", 5); // the held position's own leverage: sent
    expect(v.calls).toEqual(["BTC-USDT:BOTH:5", "BTC-USDT:BOTH:5"]);
  });

  test("hedge: the other side's leverage is its own; a held LONG does not stop a SHORT leverage", async () => {
    const v = await rig("hedge");
    await v.adapter.setLeverage("BTC-USDT", "LONG", 5);
    expect((await v.adapter.submit(openLong("hd1"))).status).toBe("ACCEPTED");
    await v.adapter.setLeverage("BTC-USDT", "SHORT", 10);
    expect(v.calls).toEqual(["BTC-USDT:LONG:5", "BTC-USDT:SHORT:10"]);
    expect(v.sim.state().positions.map((p) => p.leverage)).toEqual([5]);
  });

  test("an answer naming another leverage than the one asked (or an unreadable one) is not taken as set", async () => {
    for (const named of [3, "3", 0, -5, "abc", null]) {
      const v = await rig("hedge", (body) => {
        const b = body as { data: Record<string, unknown> };
        return { ...b, data: { ...b.data, leverage: named } };
      });
      const why = await failure(v.adapter.setLeverage("BTC-USDT", "LONG", 5));
      if (named === null) expect(why).toBe("resolved");
      else expect(why).toContain("leverage");
      if (named !== null) expect(why).not.toBe("resolved");
    }
    const plain = await rig("hedge", (body) => ({ ...(body as object), data: { symbol: "BTC-USDT" } }));
    expect(await failure(plain.adapter.setLeverage("BTC-USDT", "LONG", 5))).toBe("resolved"); // no leverage named
  });
});

describe("contract list: maximum leverage", () => {
  test("a hostile maxLongLeverage/maxShortLeverage (0, negative, text) is not read as a limit", () => {
    const contract = (maxLong: unknown, maxShort: unknown) => [
      {
        symbol: "X-USDT",
        quantityPrecision: 2,
        pricePrecision: 2,
        maxLongLeverage: maxLong,
        maxShortLeverage: maxShort,
      },
    ];
    const max = (a: unknown, b: unknown) => parseContracts(contract(a, b)).get("X-USDT")?.max_leverage;
    expect(max(50, 20)).toBe(20);
    expect(max("75", 100)).toBe(75);
    expect(max(0, 20)).toBe(20);
    expect(max(-3, 20)).toBe(20);
    expect(max("abc", 20)).toBe(20);
    expect(max(0, 0)).toBe(125);
    expect(max(2.5, 10)).toBe(2);
  });
});

describe("mock venue: setLeverage", () => {
  test("a leverage above the contract's maximum is refused, the venue's leverage unchanged", async () => {
    const rules = {
      "ETH-USDT": {
        asset: "ETH-USDT",
        quantity_step: 0.001,
        price_step: 0.01,
        min_quantity: 0.001,
        min_notional: 1,
        max_leverage: 20,
      },
    };
    const venue = new MockVenueAdapter({
      seed: 2,
      clock: new SystemClock(),
      prices: { "ETH-USDT": 3_000 },
      balance: 10_000,
      rules,
    });
    stops.push(() => venue.close());
    await venue.connect();
    await venue.setLeverage("ETH-USDT", "LONG", 20);
    expect(await failure(venue.setLeverage("ETH-USDT", "LONG", 50))).toContain("maximum 20");
    const order = { ...openLong("m1"), asset: "ETH-USDT", size: 0.01 };
    expect((await venue.submit(order)).status).toBe("ACCEPTED");
    await Bun.sleep(5);
    expect((await venue.positions()).map((p) => p.leverage)).toEqual([20]);
  });
});
