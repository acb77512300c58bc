/**
 * Reading a symbol's leverage at the venue (`VenueAdapter.leverageOf`), and changing it behind the
 * client's back in bingx-sim (admin out-of-band `set_leverage`), the way an operator on BingX's page
 * does:
 * - the BingX answer (`longLeverage`, `shortLeverage`) is read strictly: a whole number from 1 to the
 *   contract's maximum, as a number or decimal text; missing, negative, zero, fractional, above the
 *   maximum or not a number is MALFORMED naming the field, never a wrong number;
 * - the adapter reads what the venue holds, whoever set it; an unreadable answer fails the read;
 * - `set_leverage` changes the symbol's side (a held position's leverage too; both sides of a
 *   one-way account) and the stream pushes the change (ACCOUNT_CONFIG_UPDATE), as BingX does for
 *   a change on its page; bad input answers 400 with a sentence and changes nothing.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { VenueLeverage } from "../../src/contracts/venue.ts";
import { LEVERAGE_MAX, parseLeverage } from "../../src/venue/bingx/_leverage.ts";
import { VenueRequestError } from "../../src/venue/bingx/errors.ts";
import { realTimeAdapter } from "../_support/bingx_sim.ts";
import { marketBuy } from "../_support/venue_data.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const prices = { "BTC-USDT": 65_000, "SOL-USDT": 150 };

/** A failure's kind and message, or "read" when the call answered. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => "read",
    (e: unknown) => (e instanceof VenueRequestError ? `${e.kind}: ${e.message}` : String(e)),
  );

/** POST /_sim/out_of_band with `body`; its status and answer. */
async function outOfBand(url: string, body: unknown): Promise<{ status: number; answer: Record<string, string> }> {
  const r = await fetch(`${url}/_sim/out_of_band`, { method: "POST", body: JSON.stringify(body) });
  return { status: r.status, answer: (await r.json()) as Record<string, string> };
}

describe("BingX leverage answer: parseLeverage", () => {
  test("whole numbers (or decimal text) within the maximum are read per side", () => {
    expect(parseLeverage({ longLeverage: 5, shortLeverage: 20, maxLongLeverage: 125 }, "BTC-USDT", 125)).toEqual({
      LONG: 5,
      SHORT: 20,
    });
    expect(parseLeverage({ longLeverage: "7", shortLeverage: "1" }, "BTC-USDT", 50)).toEqual({ LONG: 7, SHORT: 1 });
    expect(parseLeverage({ longLeverage: 50, shortLeverage: 50 }, "SOL-USDT", 50)).toEqual({ LONG: 50, SHORT: 50 });
  });

  test("missing, zero, negative, fractional, huge or non-numeric leverage is MALFORMED naming the field", () => {
    const bad: Array<[unknown, string]> = [
      [{ shortLeverage: 5 }, "longLeverage missing"],
      [{ longLeverage: 5 }, "shortLeverage missing"],
      [{ longLeverage: 0, shortLeverage: 5 }, "longLeverage 0"],
      [{ longLeverage: 5, shortLeverage: -3 }, "shortLeverage -3"],
      [{ longLeverage: 2.5, shortLeverage: 5 }, "longLeverage 2.5"],
      [{ longLeverage: "5.5", shortLeverage: 5 }, 'longLeverage "5.5"'],
      [{ longLeverage: 5, shortLeverage: 1e9 }, "shortLeverage 1000000000"],
      [{ longLeverage: 126, shortLeverage: 5 }, "longLeverage 126"],
      [{ longLeverage: "abc", shortLeverage: 5 }, 'longLeverage "abc"'],
      [{ longLeverage: null, shortLeverage: 5 }, "longLeverage null"],
      [null, "longLeverage missing"],
      [[5, 5], "longLeverage missing"],
    ];
    for (const [data, named] of bad) {
      let caught: unknown;
      try {
        parseLeverage(data, "BTC-USDT", LEVERAGE_MAX);
      } catch (e) {
        caught = e;
      }
      expect(caught instanceof VenueRequestError && caught.kind).toBe("MALFORMED");
      expect((caught as Error).message).toContain(named);
      expect((caught as Error).message).toContain("BTC-USDT");
    }
  });

  test("a leverage above the contract's own maximum is MALFORMED, though below BingX's highest", () => {
    expect(() => parseLeverage({ longLeverage: 75, shortLeverage: 5 }, "SOL-USDT", 50)).toThrow("in 1..50");
  });
});

describe("BingX adapter: leverageOf (bingx-sim)", () => {
  test("reads the venue's leverage per side: the default, the adapter's own, and one set behind its back", async () => {
    const { sim, adapter } = await realTimeAdapter(stops, { seed: 11, prices });
    expect(await adapter.leverageOf("BTC-USDT")).toEqual({ LONG: 10, SHORT: 10 }); // never set: the venue's default
    await adapter.setLeverage("BTC-USDT", "LONG", 5);
    expect(await adapter.leverageOf("BTC-USDT")).toEqual({ LONG: 5, SHORT: 10 });
    const r = await outOfBand(sim.url, {
      action: "set_leverage",
      symbol: "BTC-USDT",
      positionSide: "LONG",
      leverage: 20,
    });
    expect(r.status).toBe(200);
    expect(await adapter.leverageOf("BTC-USDT")).toEqual({ LONG: 20, SHORT: 10 });
  });

  test("an unreadable answer fails the read as MALFORMED; an unknown symbol fails it too", async () => {
    const network = async (url: string, init: RequestInit) => {
      const r = await fetch(url, init);
      if (init.method !== "GET" || !new URL(url).pathname.endsWith("/trade/leverage")) return r;
      const body = (await r.json()) as { data: Record<string, unknown> };
      const data = { ...body.data, shortLeverage: -4 };
      return new Response(JSON.stringify({ ...body, data }), { status: r.status, headers: r.headers });
    };
    const { adapter } = await realTimeAdapter(stops, { seed: 12, prices }, network);
    expect(await failure(adapter.leverageOf("BTC-USDT"))).toContain(
      "MALFORMED: leverage of BTC-USDT: shortLeverage -4",
    );
    const plain = await realTimeAdapter(stops, { seed: 13, prices });
    expect(await failure(plain.adapter.leverageOf("NOPE-USDT"))).not.toBe("read");
  });
});

describe("bingx-sim admin: out-of-band set_leverage", () => {
  test("changes the symbol's side and its held position's leverage: no order event, the change pushed as ACCOUNT_CONFIG_UPDATE", async () => {
    const { sim, adapter, events } = await realTimeAdapter(stops, { seed: 14, prices });
    await adapter.setLeverage("BTC-USDT", "LONG", 5);
    expect((await adapter.submit(marketBuy("oob-lev-1", 0.001))).status).toBe("ACCEPTED");
    expect(sim.state().positions.map((p) => p.leverage)).toEqual([5]);
    const seen = events.length;
    const pushed: VenueLeverage[] = [];
    adapter.onLeverage((p) => pushed.push(p));
    const r = await outOfBand(sim.url, {
      action: "set_leverage",
      symbol: "BTC-USDT",
      positionSide: "LONG",
      leverage: 20,
    });
    expect(r).toEqual({ status: 200, answer: { done: "set BTC-USDT LONG leverage to 20" } });
    expect(sim.state().positions.map((p) => p.leverage)).toEqual([20]);
    expect((await adapter.positions("BTC-USDT")).map((p) => p.leverage)).toEqual([20]);
    for (let i = 0; i < 200 && !pushed.some((p) => p.long === 20); i++) await Bun.sleep(10);
    expect(pushed.at(-1)).toMatchObject({ asset: "BTC-USDT", long: 20, short: 10 });
    await Bun.sleep(20);
    expect(events.length).toBe(seen);
  });

  test("on a one-way account both sides change (one leverage per symbol)", async () => {
    const { sim, adapter } = await realTimeAdapter(stops, { seed: 15, prices, positionMode: "oneway" });
    await outOfBand(sim.url, { action: "set_leverage", symbol: "BTC-USDT", positionSide: "SHORT", leverage: 8 });
    expect(await adapter.leverageOf("BTC-USDT")).toEqual({ LONG: 8, SHORT: 8 });
  });

  test("bad input answers 400 with a sentence and changes nothing", async () => {
    const { sim, adapter } = await realTimeAdapter(stops, { seed: 16, prices });
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ symbol: "NOPE-USDT", positionSide: "LONG", leverage: 5 }, "unknown symbol"],
      [{ positionSide: "LONG", leverage: 5 }, "unknown symbol"],
      [{ symbol: "BTC-USDT", positionSide: "BOTH", leverage: 5 }, "positionSide must be LONG or SHORT"],
      [{ symbol: "BTC-USDT", leverage: 5 }, "positionSide must be LONG or SHORT"],
      [{ symbol: "BTC-USDT", positionSide: "LONG", leverage: 0 }, "leverage must be a whole number"],
      [{ symbol: "BTC-USDT", positionSide: "LONG", leverage: -2 }, "leverage must be a whole number"],
      [{ symbol: "BTC-USDT", positionSide: "LONG", leverage: 2.5 }, "leverage must be a whole number"],
      [{ symbol: "BTC-USDT", positionSide: "LONG", leverage: "20" }, "leverage must be a whole number"],
      [{ symbol: "SOL-USDT", positionSide: "LONG", leverage: 75 }, "in 1..50 for SOL-USDT"],
    ];
    for (const [fields, sentence] of bad) {
      const r = await outOfBand(sim.url, { action: "set_leverage", ...fields });
      expect(r.status).toBe(400);
      expect(r.answer.error).toContain(sentence);
    }
    expect(await adapter.leverageOf("BTC-USDT")).toEqual({ LONG: 10, SHORT: 10 });
    expect(await adapter.leverageOf("SOL-USDT")).toEqual({ LONG: 10, SHORT: 10 });
    const unknown = await outOfBand(sim.url, { action: "lever_up" });
    expect(unknown.answer.error).toContain("set_leverage"); // the list of actions names it
  });
});
