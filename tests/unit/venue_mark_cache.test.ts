/**
 * The BingX adapter's mark cache orders observations by venue time: a fill delivered late never
 * replaces a mark read after it, a mark older than MARK_MAX_AGE_MS reads as unknown, and a failed
 * read leaves the cache as it was.
 */

import { expect, test } from "bun:test";
import { MARK_MAX_AGE_MS, MarkCache } from "../../src/venue/bingx/_mark_cache.ts";

function cache(answer: () => unknown) {
  const t = { local: 1_000, venue: 5_000 };
  const c = new MarkCache(
    async () => answer(),
    () => t.local,
    () => t.venue,
  );
  return { c, t };
}

test("a fill observed before the last read does not replace the read's mark", async () => {
  const { c, t } = cache(() => [{ symbol: "BTC-USDT", markPrice: "10" }]);
  await c.refresh(); // observed at venue 5000
  c.set("BTC-USDT", 65_000, 4_999); // a fill from before the read, delivered late
  expect(c.peek("BTC-USDT")).toBe(10);
  t.venue = 6_000;
  c.set("BTC-USDT", 11, 5_500); // a fill after the read
  expect(c.peek("BTC-USDT")).toBe(11);
});

test("a mark older than the age bound reads as unknown; a failed read keeps what was there", async () => {
  let fail = false;
  const { c, t } = cache(() => {
    if (fail) throw new Error("down");
    return { symbol: "ETH-USDT", markPrice: 3000 };
  });
  await c.refresh();
  expect(c.peek("ETH-USDT")).toBe(3000);
  fail = true;
  await c.refresh();
  expect(c.peek("ETH-USDT")).toBe(3000);
  t.local += MARK_MAX_AGE_MS + 1;
  expect([c.peek("ETH-USDT"), c.stale("ETH-USDT")]).toEqual([undefined, true]);
});
