/**
 * Every risk limit refuses exactly past its boundary and accepts at it, for any limit value
 * (fast-check through the binding, no venue): notional per trade (size × limit price), gross
 * exposure (a resting entry plus the new one), leverage and orders per minute. A refusal is one
 * RISK_LIMIT naming the limit and the attempted number, and changes nothing.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ConfigKey } from "../../src/contracts/enums.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });
const configure = (k: ExecutionKernel, key: ConfigKey, value: number) =>
  expect(k.apply({ type: "CONFIGURE", key, value, now_ms: T0 }).accepted).toBe(true);
let trades = 0;
const enter = (
  slot: number,
  steps: number,
  price: number,
  leverage = 3,
  now = T0,
): StrategyIntent & { now_ms: number } => ({
  type: "ENTER",
  slot_id: slot,
  trade_id: `P${++trades}`,
  asset: "BTC-USDT",
  side: "LONG",
  size: steps / 10_000,
  price,
  leverage,
  now_ms: now,
});
/** The kernel's arithmetic for a notional: qty_e8 / 1e8 × price. */
const notional = (steps: number, price: number) => ((steps * 10_000) / 1e8) * price;

function refusedBy(k: ExecutionKernel, input: ReturnType<typeof enter>, limit: string): void {
  const hash = k.stateHashHex();
  const o = k.apply(input);
  expect(o.accepted).toBe(false);
  expect(o.diagnostics.map((d) => [d.code, d.details.limit])).toEqual([["RISK_LIMIT", limit]]);
  expect(k.stateHashHex()).toBe(hash);
}

describe("risk limits at the boundary", () => {
  test("max_notional_per_trade: size × price equal to the limit passes, one quantity step more is refused", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 2_000_000 }), (steps, cents) => {
        const k = kernel();
        const price = cents / 100;
        configure(k, "MAX_NOTIONAL_PER_TRADE", notional(steps, price));
        refusedBy(k, enter(0, steps + 1, price), "max_notional_per_trade");
        expect(k.apply(enter(0, steps, price)).accepted).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("max_gross_exposure: a resting entry plus the new one equal to the limit passes, one step more is refused", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 100, max: 100_000 }),
        (a, b, price) => {
          const k = kernel();
          expect(k.apply(enter(0, a, price)).accepted).toBe(true);
          configure(k, "MAX_GROSS_EXPOSURE", notional(a, price) + notional(b, price));
          refusedBy(k, enter(1, b + 1, price), "max_gross_exposure");
          expect(k.apply(enter(1, b, price)).accepted).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("max_leverage: leverage equal to the limit passes, one more is refused", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 124 }), (limit) => {
        const k = kernel();
        configure(k, "MAX_LEVERAGE", limit);
        refusedBy(k, enter(0, 1, 100, limit + 1), "max_leverage");
        expect(k.apply(enter(0, 1, 100, limit)).accepted).toBe(true);
      }),
      { numRuns: 124 },
    );
  });

  test("max_orders_per_minute: the Nth order within 60 s passes, the N+1th is refused, and passes once the first is 60 s old", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 59_999 }), (limit, gap) => {
        const k = kernel();
        configure(k, "MAX_ORDERS_PER_MINUTE", limit);
        for (let i = 0; i < limit; i++)
          expect(k.apply(enter(i, 1, 100, 3, T0 + Math.floor((i * gap) / limit))).accepted).toBe(true);
        refusedBy(k, enter(limit, 1, 100, 3, T0 + gap), "max_orders_per_minute");
        expect(k.apply(enter(limit, 1, 100, 3, T0 + 60_000)).accepted).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
