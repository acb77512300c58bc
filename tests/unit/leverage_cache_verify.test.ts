/**
 * `LeverageCache.verify` (src/launcher/_leverage.ts) against a fake venue whose leverage someone else
 * can change: the leverage this process set is compared with the venue's, one read per asset.
 * - a side the venue holds at another value is forgotten and returned as a change: the next entry
 *   at the strategy's leverage sets it again (a venue call), instead of trading at the venue's;
 * - a side the venue still holds at the value set is kept: the next entry takes no call;
 * - a leverage call asked while the read was out voids that read for its asset: the newer call's
 *   value is kept, even when the read's (older) answer differs;
 * - an asset whose leverage call is out is not read at all;
 * - a failed read forgets nothing, throws nothing, and names the asset.
 */

import { expect, test } from "bun:test";
import type { PositionSide, VenueAdapter } from "../../src/contracts/venue.ts";
import { LeverageCache } from "../../src/launcher/_leverage.ts";

/** A venue's leverage per `asset:side` (default 10), its calls recorded; reads can be held or failed. */
function fakeVenue() {
  const held = new Map<string, number>();
  const sets: string[] = [];
  const reads: string[] = [];
  const gates: Array<() => void> = [];
  const knobs = { holdReads: false, failReads: false };
  const of = (asset: string, side: PositionSide) => held.get(`${asset}:${side}`) ?? 10;
  const venue = {
    onEvent: () => () => {},
    setLeverage: async (asset: string, side: PositionSide, leverage: number) => {
      sets.push(`${asset}:${side}:${leverage}`);
      held.set(`${asset}:${side}`, leverage);
    },
    leverageOf: async (asset: string) => {
      reads.push(asset);
      if (knobs.failReads) throw new Error("leverage read: connection reset");
      const answer = { LONG: of(asset, "LONG"), SHORT: of(asset, "SHORT") }; // the venue's value when it read
      if (knobs.holdReads) await new Promise<void>((resolve) => gates.push(resolve));
      return answer;
    },
  } as unknown as VenueAdapter;
  /** Someone else changes the venue's leverage (BingX's page, another process): no call of this cache. */
  const byHand = (asset: string, side: PositionSide, leverage: number) => held.set(`${asset}:${side}`, leverage);
  const releaseReads = () => {
    for (const open of gates.splice(0)) open();
  };
  return { venue, sets, reads, knobs, byHand, releaseReads, of };
}

const turns = async () => {
  for (let i = 0; i < 5; i++) await Bun.sleep(1);
};

test("a side changed at the venue is forgotten and returned; the next entry at the strategy's leverage sets it again", async () => {
  const v = fakeVenue();
  const cache = new LeverageCache(v.venue, async () => {});
  await cache.ensure("BTC-USDT", "LONG", 5);
  await cache.ensure("BTC-USDT", "SHORT", 5);
  v.byHand("BTC-USDT", "LONG", 20);
  const verdict = await cache.verify();
  expect(verdict.changes).toEqual([{ asset: "BTC-USDT", side: "LONG", set: 5, venue: 20 }]);
  expect(verdict.failed).toEqual([]);
  expect(v.reads).toEqual(["BTC-USDT"]); // one read for both sides of the asset
  expect(cache.isSet("BTC-USDT", "LONG", 5)).toBe(false);
  expect(cache.isSet("BTC-USDT", "SHORT", 5)).toBe(true); // the side the venue still holds is kept
  await cache.ensure("BTC-USDT", "LONG", 5);
  expect(v.sets).toEqual(["BTC-USDT:LONG:5", "BTC-USDT:SHORT:5", "BTC-USDT:LONG:5"]);
  expect(v.of("BTC-USDT", "LONG")).toBe(5); // the entry would be placed at the strategy's leverage
});

test("a side the venue still holds at the value set is kept: the next entry takes no venue call", async () => {
  const v = fakeVenue();
  const cache = new LeverageCache(v.venue, async () => {});
  await cache.ensure("ETH-USDT", "SHORT", 7);
  const verdict = await cache.verify();
  expect(verdict.changes).toEqual([]);
  expect(verdict.venue.get("ETH-USDT")).toEqual({ LONG: 10, SHORT: 7 });
  await cache.ensure("ETH-USDT", "SHORT", 7);
  expect(v.sets).toEqual(["ETH-USDT:SHORT:7"]);
});

test("a call asked while the read was out keeps its value: the read's older answer is void for that asset", async () => {
  const v = fakeVenue();
  const cache = new LeverageCache(v.venue, async () => {});
  await cache.ensure("BTC-USDT", "LONG", 5);
  v.byHand("BTC-USDT", "LONG", 20);
  v.knobs.holdReads = true;
  const verifying = cache.verify(); // the venue reads 20 and its answer is slow to come back
  await turns();
  expect(v.reads).toEqual(["BTC-USDT"]);
  await cache.ensure("BTC-USDT", "LONG", 8); // an entry at 8 sets it meanwhile: the venue holds 8 now
  v.releaseReads();
  const verdict = await verifying;
  expect(verdict.changes).toEqual([]);
  expect(verdict.venue.has("BTC-USDT")).toBe(false);
  expect(cache.isSet("BTC-USDT", "LONG", 8)).toBe(true);
  await cache.ensure("BTC-USDT", "LONG", 8);
  expect(v.sets).toEqual(["BTC-USDT:LONG:5", "BTC-USDT:LONG:8"]); // no third call
});

test("an asset whose leverage call is out is not read; the others are", async () => {
  const v = fakeVenue();
  let answer = () => {};
  const slow = {
    onEvent: () => () => {},
    setLeverage: (asset: string, side: PositionSide, leverage: number) =>
      asset === "SOL-USDT"
        ? new Promise<void>((resolve) => (answer = resolve))
        : v.venue.setLeverage(asset, side, leverage),
    leverageOf: (asset: string) => v.venue.leverageOf(asset),
  } as unknown as VenueAdapter;
  const cache = new LeverageCache(slow, async () => {});
  await cache.ensure("ETH-USDT", "LONG", 3);
  const out = cache.ensure("SOL-USDT", "LONG", 4); // its call stays out
  const verdict = await cache.verify(undefined, ["SOL-USDT"]);
  expect(v.reads).toEqual(["ETH-USDT"]);
  expect(verdict.venue.has("SOL-USDT")).toBe(false);
  answer();
  await out;
});

test("a failed read forgets nothing and throws nothing: the asset is returned as failed", async () => {
  const v = fakeVenue();
  const cache = new LeverageCache(v.venue, async () => {});
  await cache.ensure("BTC-USDT", "LONG", 5);
  v.byHand("BTC-USDT", "LONG", 20);
  v.knobs.failReads = true;
  const verdict = await cache.verify();
  expect(verdict.changes).toEqual([]);
  expect(verdict.failed).toEqual([{ asset: "BTC-USDT", error: "leverage read: connection reset" }]);
  expect(cache.isSet("BTC-USDT", "LONG", 5)).toBe(true);
  v.knobs.failReads = false; // the next pass reads it and sees the change
  expect((await cache.verify()).changes).toEqual([{ asset: "BTC-USDT", side: "LONG", set: 5, venue: 20 }]);
});
