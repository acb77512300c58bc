/**
 * The BingX throttle on a fake clock: bucket math (burst up to capacity, tokens back exactly one
 * window after the answer, capacity = floor(limit × margin)), orders served before queries on the
 * same budget, bounded queues that refuse at once as RATE_LIMIT with a hint, pauses, stats, and
 * the one list of limits shared with bingx-sim, and BingX's per-IP market group (500 per 10 s and
 * 1000 per minute, a 5-minute restriction past either) kept by a burst of market reads.
 */

import { expect, test } from "bun:test";
import { DEFAULT_LIMITS_PER_S, IP_RESTRICTION_MS, RateLimiter } from "../../src/sim/rate_limit.ts";
import { RateBucket } from "../../src/venue/bingx/_rate_bucket.ts";
import { type Lease, Throttle, type ThrottleOptions } from "../../src/venue/bingx/_throttle.ts";
import { RATE_LIMITS_PER_S, type RateGroup, type RatePriority } from "../../src/venue/bingx/endpoints.ts";
import { VenueRequestError } from "../../src/venue/bingx/errors.ts";
import { FakeTime, settle } from "../_support/fake_time.ts";

function throttle(options: Partial<ThrottleOptions> = {}) {
  const time = new FakeTime();
  const t = new Throttle({ clock: time.clock, sleep: time.sleep, margin: 0.8, ...options });
  /** Grants in order: [label, ms since start]. */
  const granted: Array<[string, number]> = [];
  const leases = new Map<string, Lease>();
  const errors = new Map<string, unknown>();
  const ask = (label: string, group: RateGroup, priority: RatePriority) =>
    t.acquire(group, priority, label).then(
      (lease) => {
        granted.push([label, time.elapsedMs()]);
        leases.set(label, lease);
      },
      (e: unknown) => void errors.set(label, e),
    );
  const answer = (label: string) => leases.get(label)!.done();
  return { time, t, granted, leases, errors, ask, answer };
}

test("a bucket hands out its whole capacity at once, then a spent token returns exactly one window after its answer", () => {
  const b = new RateBucket(8, 1000);
  for (let i = 0; i < 8; i++) b.take(0);
  expect(b.available(0)).toBe(0);
  expect(() => b.take(0)).toThrow("Invariant");
  for (let i = 0; i < 8; i++) b.settle(10);
  expect(b.available(1009)).toBe(0);
  expect(b.nextAt(500)).toBe(1010);
  expect(b.available(1010)).toBe(8);
});

test("a token in flight never returns on its own: a slow answer delays its return by the same time", () => {
  const b = new RateBucket(2, 1000);
  b.take(0);
  b.take(0);
  b.settle(5);
  expect(b.available(5000)).toBe(1); // the other one is still in flight
  b.take(5000);
  expect(b.nextAt(5000)).toBe(null); // both in flight: only an answer frees one
  b.settle(5300);
  b.settle(5400);
  expect(b.available(6299)).toBe(0);
  expect(b.available(6300)).toBe(1);
  expect(b.available(6400)).toBe(2);
});

test("capacity is floor(limit × margin), at least one; every per-UID group has bingx-sim's limit, market is BingX's IP group", () => {
  const at = (margin: number) => new Throttle({ clock: new FakeTime().clock, sleep: async () => {}, margin });
  expect(
    ["place_order", "query_order", "position_mode_read", "market"].map((g) => at(0.8).capacity(g as RateGroup)),
  ).toEqual([8, 4, 1, 400]);
  expect([at(1).capacity("place_order"), at(0.5).capacity("place_order"), at(0.05).capacity("place_order")]).toEqual([
    10, 5, 1,
  ]);
  expect([at(1).capacity("market"), at(0.8).windowMs("market"), at(0.8).windowMs("place_order")]).toEqual([
    500, 60_000, 1000,
  ]);
  // bingx-sim counts the market group per IP only (no per-UID budget); every other group per UID per second.
  expect(DEFAULT_LIMITS_PER_S.market).toBeUndefined();
  for (const [group, limit] of Object.entries(RATE_LIMITS_PER_S))
    expect([group, DEFAULT_LIMITS_PER_S[group]]).toEqual([group, limit]);
  expect(Object.keys(RATE_LIMITS_PER_S)).toHaveLength(9);
});

test("market reads as fast as the throttle allows never exceed 500 in any 10 s or 1000 in any 60 s, and bingx-sim refuses none", async () => {
  const time = new FakeTime();
  const t = new Throttle({ clock: time.clock, sleep: time.sleep, margin: 1, queueMax: 1000, waitMaxMs: 600_000 });
  const sent: number[] = [];
  const endMs = 180_000;
  // 50 callers, each sending its next market read as soon as the last one is answered (2 ms later).
  const caller = async () => {
    while (time.elapsedMs() < endMs) {
      const lease = await t.acquire("market", "query", "GET /openApi/swap/v2/quote/premiumIndex");
      sent.push(time.elapsedMs());
      await time.sleep(2);
      lease.done();
    }
  };
  for (let i = 0; i < 50; i++) void caller();
  await time.runUntilIdle(endMs);
  const most = (windowMs: number) => {
    let max = 0;
    for (let i = 0, j = 0; j < sent.length; j++) {
      while (sent[j]! - sent[i]! >= windowMs) i++;
      max = Math.max(max, j - i + 1);
    }
    return max;
  };
  expect(sent.length).toBeGreaterThan(500); // the burst really pressed on the budget for minutes
  expect(most(10_000)).toBeLessThanOrEqual(500);
  expect(most(60_000)).toBeLessThanOrEqual(1000);
  const sim = new RateLimiter();
  const endpoint = "GET /openApi/swap/v2/quote/premiumIndex";
  const refused = sent.filter(
    (ms) => !sim.check({ apiKey: "k", bucket: "market", group: "market", endpoint }, ms).allowed,
  );
  expect(refused).toEqual([]);
});

test("a 429 on the market group without a hint sends no market read for BingX's 5-minute restriction", async () => {
  const h = throttle({ waitMaxMs: 600_000 });
  h.t.rateLimited("market", undefined);
  void h.ask("m", "market", "query");
  void h.ask("b", "balance", "query");
  await h.time.runUntilIdle();
  expect(h.granted).toEqual([
    ["b", 0],
    ["m", IP_RESTRICTION_MS],
  ]);
});

test("a burst beyond the budget is sent in windows: 8 at once, 8 one window after their answers, then the rest", async () => {
  const h = throttle();
  for (let i = 0; i < 20; i++) void h.ask(`p${i}`, "place_order", "order");
  await settle();
  expect(h.granted.length).toBe(8);
  await h.time.advance(5);
  for (const [label] of h.granted) h.answer(label);
  await h.time.advance(999);
  expect(h.granted.length).toBe(8);
  await h.time.advance(1);
  expect(h.granted.length).toBe(16);
  for (const [label] of h.granted.slice(8)) h.answer(label);
  await h.time.runUntilIdle();
  expect(h.granted.map(([, ms]) => ms)).toEqual([...Array(8).fill(0), ...Array(8).fill(1005), ...Array(4).fill(2005)]);
  const s = h.t.stats();
  expect([s.requests, s.waited, s.queued, s.queued_max, s.wait_ms_max, s.wait_ms_total]).toEqual([
    20,
    12,
    0,
    12,
    2005,
    8 * 1005 + 4 * 2005,
  ]);
  expect([s.wait_ms_p50, s.wait_ms_p99]).toEqual([1005, 2005]);
});

test("an order queued after queries on the same budget is sent before them", async () => {
  const h = throttle();
  for (let i = 0; i < 4; i++) void h.ask(`get${i}`, "leverage", "query"); // capacity 4: all go
  for (let i = 4; i < 7; i++) void h.ask(`get${i}`, "leverage", "query"); // these wait
  void h.ask("set", "leverage", "order");
  await settle();
  for (let i = 0; i < 4; i++) {
    await h.time.advance(1);
    h.answer(`get${i}`); // tokens return at 1001, 1002, 1003, 1004: one at a time
  }
  await h.time.runUntilIdle();
  expect(h.granted.slice(4)).toEqual([
    ["set", 1001],
    ["get4", 1002],
    ["get5", 1003],
    ["get6", 1004],
  ]);
});

test("past the queue bound a request fails at once as RATE_LIMIT with a retry hint, and nothing queued changes", async () => {
  const h = throttle({ queueMax: 3 });
  for (let i = 0; i < 4; i++) void h.ask(`q${i}`, "query_order", "query");
  for (let i = 4; i < 7; i++) void h.ask(`q${i}`, "query_order", "query");
  await h.ask("q7", "query_order", "query");
  const e = h.errors.get("q7");
  expect(e).toBeInstanceOf(VenueRequestError);
  const err = e as VenueRequestError;
  expect([err.kind, err.rate_limited, err.refused]).toEqual(["RATE_LIMIT", true, true]);
  expect(err.retry_after_ms).toBe(1000);
  expect(err.message).toContain("client-side rate budget query_order exhausted (3 requests already waiting)");
  expect([h.t.stats().queued, h.t.stats().refused, h.granted.length]).toEqual([3, 1, 4]);
});

test("a request whose estimated wait exceeds the wait bound is refused at once with that estimate", async () => {
  const h = throttle({ waitMaxMs: 1500 });
  for (let i = 0; i < 8; i++) void h.ask(`q${i}`, "query_order", "query"); // 4 sent, 4 wait one window
  await h.ask("q8", "query_order", "query"); // would wait two windows
  const err = h.errors.get("q8") as VenueRequestError;
  expect([err.kind, err.retry_after_ms]).toEqual(["RATE_LIMIT", 2000]);
  expect(err.message).toContain("an estimated wait of 2000 ms");
});

test("a 429 drains only its group: nothing goes before the later of the hint and one window; a pause past the wait bound refuses at once", async () => {
  const h = throttle();
  h.t.rateLimited("cancel_order", 700); // a hint inside the window: the window wins (the venue may slide it)
  void h.ask("c", "cancel_order", "order");
  void h.ask("b", "balance", "query");
  await settle();
  expect(h.granted).toEqual([["b", 0]]);
  await h.time.runUntilIdle();
  expect(h.granted.at(-1)).toEqual(["c", 1000]);
  h.t.rateLimited("positions", 1500); // a hint past the window: the hint wins
  void h.ask("p", "positions", "query");
  await h.time.runUntilIdle();
  expect(h.granted.at(-1)).toEqual(["p", 2500]);
  h.t.rateLimited("open_orders", undefined);
  for (let i = 0; i < 5; i++) void h.ask(`o${i}`, "open_orders", "query");
  await h.time.runUntilIdle();
  expect(h.granted.slice(-4).map(([, ms]) => ms)).toEqual([3500, 3500, 3500, 3500]);
  h.t.rateLimited("leverage", 300_000);
  await h.ask("l", "leverage", "query");
  expect((h.errors.get("l") as VenueRequestError).retry_after_ms).toBe(300_000);
  const s = h.t.stats();
  expect([s.rate_limited, s.refused]).toEqual([4, 1]);
});

test("Remain 0 from the venue drains the group's free tokens as of that answer; tokens in flight keep their own schedule", async () => {
  const h = throttle();
  void h.ask("a", "balance", "query");
  await settle();
  await h.time.advance(100);
  h.t.exhausted("balance", 50); // 3 free tokens drained at 100; "a" still in flight
  void h.ask("b", "balance", "query");
  await h.time.advance(200);
  h.answer("a"); // returns at 1300
  await h.time.runUntilIdle();
  expect(h.granted).toEqual([
    ["a", 0],
    ["b", 1100],
  ]);
  expect(h.t.stats().exhausted).toBe(1);
});

test("Remain 0 on the market group: one market read at the venue's hint, the other free tokens a full 60 s window after that answer", async () => {
  const h = throttle({ waitMaxMs: 120_000 });
  h.t.exhausted("market", 4_000); // another client on the IP filled the market group
  for (let i = 0; i < 3; i++) void h.ask(`m${i}`, "market", "query");
  await settle();
  await h.time.advance(4_000);
  expect(h.granted).toEqual([["m0", 4_000]]);
  h.answer("m0");
  await h.time.runUntilIdle();
  // At the hint the venue's window frees at least its oldest request: one read fits, whether it
  // counts fixed or sliding windows; everything it counted has left its minute 60 s later.
  expect(h.granted).toEqual([
    ["m0", 4_000],
    ["m1", 60_000],
    ["m2", 60_000],
  ]);
  expect(h.t.stats().exhausted).toBe(1);
});

test("throttle options out of range are programmer errors", () => {
  const clock = new FakeTime().clock;
  const sleep = async () => {};
  expect(() => new Throttle({ clock, sleep, margin: 0 })).toThrow("margin must be in (0, 1]");
  expect(() => new Throttle({ clock, sleep, margin: 1.2 })).toThrow("margin must be in (0, 1]");
  expect(() => new Throttle({ clock, sleep, margin: 0.8, limitsPerS: { place_order: 0 } })).toThrow("positive integer");
  expect(
    () =>
      new Throttle({ clock, sleep, margin: 0.8, limitsPerS: { test_order: 5 } as Partial<Record<RateGroup, number>> }),
  ).toThrow("test_order is not a rate group");
});

test("refusal says beforehand exactly what acquire refuses: a wait within the bound is none, a pause past it or a full queue is one, and it changes nothing", async () => {
  const h = throttle({ queueMax: 3 });
  expect(h.t.refusal("place_order", "order")).toBeNull(); // a token is free
  h.t.rateLimited("place_order", 1500); // the order would wait 1.5 s: queued, not refused
  expect(h.t.refusal("place_order", "order")).toBeNull();
  h.t.rateLimited("place_order", 300_000);
  const said = h.t.refusal("place_order", "order");
  expect(said).toEqual({ waitMs: 300_000, why: "an estimated wait of 300000 ms" });
  expect(h.t.refusal("cancel_order", "order")).toBeNull(); // another group's budget is untouched
  expect(h.t.stats().refused).toBe(0); // asking is not refusing
  await h.ask("o", "place_order", "order");
  expect((h.errors.get("o") as VenueRequestError).retry_after_ms).toBe(said!.waitMs);
  for (let i = 0; i < 8; i++) void h.ask(`q${i}`, "query_order", "query"); // 4 sent, 3 queued, 1 refused
  expect(h.t.refusal("query_order", "query")).toEqual({ waitMs: 1000, why: "3 requests already waiting" });
  await h.time.advance(300_000);
  expect(h.t.refusal("place_order", "order")).toBeNull();
});

test("after an HTTP 418 every group's refusal names the ban's remaining time", async () => {
  const h = throttle();
  h.t.ipBanned(60_000);
  expect(h.t.refusal("place_order", "order")?.waitMs).toBe(60_000);
  expect(h.t.refusal("balance", "query")?.waitMs).toBe(60_000);
  await h.time.advance(45_000);
  expect(h.t.refusal("place_order", "order")?.waitMs).toBe(15_000);
});
