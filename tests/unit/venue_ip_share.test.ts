/**
 * DITA_V2_BINGX_IP_SHARE: how many kernels or other BingX clients send from this host's IP. The
 * throttle divides BingX's per-IP budgets by it (endpoints.ts `rateCapacities`): the market group
 * (500 per 10 s and 1000 per minute per IP) and the signed endpoints (300 per 10 s per endpoint,
 * 2000 per 10 s in total per IP), so N kernels with share N together stay under them. Share 1 is
 * today's budget, unchanged. The variable is read like DITA_V2_BINGX_RATE_MARGIN.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { KNOWN_VARIABLES } from "../../src/launcher/_config_names.ts";
import { Throttle } from "../../src/venue/bingx/_throttle.ts";
import { bingxConfigFromEnv } from "../../src/venue/bingx/config.ts";
import {
  type GroupCapacity,
  RATE_BUDGETS,
  type RateGroup,
  rateCapacities,
  SIGNED_IP_BUDGET,
} from "../../src/venue/bingx/endpoints.ts";

const LIMITS = Object.fromEntries(Object.entries(RATE_BUDGETS).map(([g, b]) => [g, b.limit])) as Record<
  RateGroup,
  number
>;
const SIGNED = Object.keys(LIMITS).filter((g) => g !== "market") as RateGroup[];

/** The most one client sends in any 10 s with this bucket (a token back one window after its answer). */
const per10s = (c: GroupCapacity) => c.capacity * Math.ceil(SIGNED_IP_BUDGET.windowMs / c.windowMs);

describe("rateCapacities: the per-IP budgets divided by the IP share", () => {
  test("share 1 keeps every group's budget as it was: floor(limit × margin) per window", () => {
    const c = rateCapacities(LIMITS, 0.8, 1);
    expect(c.market).toEqual({ capacity: 400, windowMs: 60_000 });
    expect(c.place_order).toEqual({ capacity: 8, windowMs: 1000 });
    expect(c.balance).toEqual({ capacity: 4, windowMs: 1000 });
    expect(c.position_mode_read).toEqual({ capacity: 1, windowMs: 1000 });
    const raised = rateCapacities({ ...LIMITS, place_order: 100_000 }, 1, 1);
    expect(raised.place_order).toEqual({ capacity: 100_000, windowMs: 1000 });
  });

  test("the market group gets floor(500 × margin / share) per 60 s, at least 1", () => {
    expect(rateCapacities(LIMITS, 0.8, 3).market).toEqual({ capacity: 133, windowMs: 60_000 });
    expect(rateCapacities(LIMITS, 1, 2).market.capacity).toBe(250);
    expect(rateCapacities(LIMITS, 0.8, 64).market.capacity).toBe(6);
    expect(rateCapacities({ ...LIMITS, market: 10 }, 0.5, 64).market.capacity).toBe(1);
  });

  test("share 4 caps place_order at 300 / 4 per 10 s: 7 per second; the others already fit", () => {
    const c = rateCapacities(LIMITS, 0.8, 4);
    expect(c.place_order).toEqual({ capacity: 7, windowMs: 1000 });
    expect(c.balance).toEqual({ capacity: 4, windowMs: 1000 });
    expect(c.position_mode_read).toEqual({ capacity: 1, windowMs: 1000 });
  });

  test("share 8 scales every signed group down to a sum of at most 2000 / 8 per 10 s: 3 per second each", () => {
    const c = rateCapacities(LIMITS, 0.8, 8);
    for (const g of SIGNED.filter((x) => x !== "position_mode_read"))
      expect(c[g]).toEqual({ capacity: 3, windowMs: 1000 });
    // 8 per 10 s: one request every 1250 ms.
    expect(c.position_mode_read).toEqual({ capacity: 1, windowMs: 1250 });
  });

  test("at share 64 a signed group gets less than one request per second: 1 per window of ceil(10 000 / n) ms", () => {
    const c = rateCapacities(LIMITS, 0.8, 64);
    // 300 / 64 = 4 per 10 s per endpoint, 9 groups × 4 > 2000 / 64 = 31: scaled to 3 each (27).
    for (const g of SIGNED) expect(c[g]).toEqual({ capacity: 1, windowMs: 3334 });
  });

  test("for every share and margin, share × each client's 10 s budget stays within 300 per endpoint and 2000 in total", () => {
    for (const margin of [0.1, 0.5, 0.8, 1])
      for (let share = 2; share <= 64; share++) {
        const c = rateCapacities(LIMITS, margin, share);
        let total = 0;
        for (const g of SIGNED) {
          expect(c[g].capacity).toBeGreaterThanOrEqual(1);
          expect(share * per10s(c[g])).toBeLessThanOrEqual(SIGNED_IP_BUDGET.perEndpoint);
          // Never above the per-UID limit in any second.
          expect(c[g].capacity).toBeLessThanOrEqual(Math.max(1, Math.floor(LIMITS[g] * margin)));
          total += per10s(c[g]);
        }
        expect(share * total).toBeLessThanOrEqual(SIGNED_IP_BUDGET.total);
        expect(share * c.market.capacity).toBeLessThanOrEqual(500);
      }
  });

  test("a share outside 1..64 is a programmer error naming the range", () => {
    for (const bad of [0, 65, 1.5, Number.NaN]) expect(() => rateCapacities(LIMITS, 0.8, bad)).toThrow("1..64");
  });

  test("the throttle sizes its buckets by the share", () => {
    const clock = new ManualClock();
    const t = new Throttle({ clock, sleep: async () => {}, margin: 0.8, ipShare: 8 });
    expect([t.capacity("market"), t.windowMs("market")]).toEqual([50, 60_000]);
    expect([t.capacity("place_order"), t.windowMs("place_order")]).toEqual([3, 1000]);
    expect([t.capacity("position_mode_read"), t.windowMs("position_mode_read")]).toEqual([1, 1250]);
    const alone = new Throttle({ clock, sleep: async () => {}, margin: 0.8 });
    expect([alone.capacity("market"), alone.capacity("place_order")]).toEqual([400, 8]);
  });
});

describe("DITA_V2_BINGX_IP_SHARE", () => {
  const env = { BINGX_API_KEY: "key0123456789", BINGX_API_SECRET: "secret0123456789" };
  const clock = new ManualClock();

  test("defaults to 1, reads an integer in 1..64, and is a known variable", () => {
    const read = (v: string | undefined) => {
      const r = bingxConfigFromEnv({ ...env, DITA_V2_BINGX_IP_SHARE: v }, clock);
      return r.ok ? r.config.ipShare : r.error;
    };
    expect([read(undefined), read(""), read("3"), read(" 64 ")]).toEqual([1, 1, 3, 64]);
    expect(KNOWN_VARIABLES.has("DITA_V2_BINGX_IP_SHARE")).toBe(true);
  });

  test("a bad value is one line naming the variable and its range", () => {
    for (const bad of ["0", "65", "1.5", "-2", "two", "1e1", "007"]) {
      const r = bingxConfigFromEnv({ ...env, DITA_V2_BINGX_IP_SHARE: bad }, clock);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toStartWith("DITA_V2_BINGX_IP_SHARE must be an integer in 1..64");
    }
  });
});
