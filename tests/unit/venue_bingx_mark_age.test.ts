/**
 * The BingX adapter's mark cache (src/venue/bingx/_mark_cache.ts) ages a mark from when the venue
 * observed it, not from when it reached the cache: a fill reported late (a catch-up's REST state
 * after a stream gap, a delayed frame) carries an old price, and a MARKET order's min-notional
 * check must not judge against it as if it were fresh.
 */

import { expect, test } from "bun:test";
import { MARK_MAX_AGE_MS, MarkCache } from "../../src/venue/bingx/_mark_cache.ts";

function cache() {
  const t = { local: 1_000_000, venue: 9_000_000 };
  const c = new MarkCache(
    async () => [],
    () => t.local,
    () => t.venue,
  );
  return { c, t };
}

test("a fill observed longer ago than the age bound, delivered now, reads as unknown", () => {
  const { c, t } = cache();
  c.set("BTC-USDT", 60_000, t.venue - 4 * 60_000); // a catch-up's state: filled 4 minutes ago
  expect([c.peek("BTC-USDT"), c.stale("BTC-USDT")]).toEqual([undefined, true]);
});

test("a fill observed 20 s ago, delivered now, stays fresh only for the rest of the age bound", () => {
  const { c, t } = cache();
  c.set("BTC-USDT", 60_000, t.venue - 20_000);
  expect(c.peek("BTC-USDT")).toBe(60_000);
  t.local += MARK_MAX_AGE_MS - 20_000 + 1;
  t.venue += MARK_MAX_AGE_MS - 20_000 + 1;
  expect(c.peek("BTC-USDT")).toBeUndefined();
});
