/**
 * Every risk limit refuses exactly past its boundary and accepts at it, for any limit value
 * (fast-check through the binding, no venue): notional per trade (size × limit price), gross
 * exposure (a resting entry plus the new one), leverage and orders per minute. A refusal is one
 * RISK_LIMIT naming the limit and the attempted number, and changes nothing. And the venue's one
 * leverage per asset and side: no sequence of entries and rejects leaves two working or open slots
 * on one asset and side at different leverages.
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
): Extract<StrategyIntent, { type: "ENTER" }> & { now_ms: number } => ({
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

  test("max_orders_per_minute: the refusal is retryable and hints the first order's leaving — one ms earlier is refused, at it the order passes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 3, maxLength: 3 }),
        fc.nat(),
        (limit, gaps, waitSeed) => {
          const k = kernel();
          configure(k, "MAX_ORDERS_PER_MINUTE", limit);
          const stamps = gaps.slice(0, limit).map((_, i) => T0 + gaps.slice(0, i + 1).reduce((a, b) => a + b, 0));
          for (const [i, at] of stamps.entries()) expect(k.apply(enter(i, 1, 100, 3, at)).accepted).toBe(true);
          const first = stamps[0]!;
          const last = stamps[limit - 1]!;
          const asked = last + (waitSeed % (first + 60_000 - last)); // the first order still counts
          const o = k.apply(enter(limit, 1, 100, 3, asked));
          expect(o.accepted).toBe(false);
          expect(o.diagnostics[0]!.details).toMatchObject({ retryable: true, retry_after_ms: first + 60_000 - asked });
          refusedBy(k, enter(limit, 1, 100, 3, first + 59_999), "max_orders_per_minute");
          expect(k.apply(enter(limit, 1, 100, 3, first + 60_000)).accepted).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("one leverage per asset and side: no two active slots on an asset and side ever hold different leverages", () => {
    const step = fc.oneof(
      fc.record({
        t: fc.constant("enter" as const),
        slot: fc.nat({ max: 3 }),
        asset: fc.constantFrom("BTC-USDT", "ETH-USDT"),
        side: fc.constantFrom("LONG" as const, "SHORT" as const),
        leverage: fc.integer({ min: 1, max: 3 }),
      }),
      fc.record({ t: fc.constant("reject" as const), slot: fc.nat({ max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const k = kernel();
        let now = T0;
        for (const a of steps) {
          now += 1;
          if (a.t === "reject") {
            const order = k.slot(a.slot).entry_order;
            if (order === null || k.slot(a.slot).stage !== "ENTRY_WORKING") continue;
            const event = {
              kind: "REJECT" as const,
              event_id: `rj${now}`,
              venue_order_id: "",
              client_order_id: order.client_order_id,
              asset: k.slot(a.slot).asset,
              filled_size_cumulative: 0,
              avg_price: 0,
              last_fill_size: 0,
              last_fill_price: 0,
              fee_cumulative: 0,
              venue_time_ms: now,
              reject_reason: "VENUE" as const,
            };
            expect(k.apply({ type: "VENUE_EVENT", slot_id: null, event, now_ms: now }).accepted).toBe(true);
            continue;
          }
          const holder = k
            .slots()
            .find((s) => s.stage !== "IDLE" && s.stage !== "CLOSED" && s.asset === a.asset && s.side === a.side);
          const hash = k.stateHashHex();
          const o = k.apply({ ...enter(a.slot, 1, 100, a.leverage, now), asset: a.asset, side: a.side });
          if (holder !== undefined && holder.leverage !== a.leverage) {
            expect(o.accepted).toBe(false);
            expect(k.stateHashHex()).toBe(hash);
            // The slot's own stage and the active-slot limit are checked first.
            const named = o.diagnostics.map((d) => [d.code, d.details.field]);
            if (!["SLOT_BUSY", "SLOT_LIMIT_REACHED"].includes(o.diagnostics[0]!.code))
              expect(named).toEqual([["INVALID_INTENT", "LEVERAGE"]]);
          }
          const active = k.slots().filter((s) => s.stage !== "IDLE" && s.stage !== "CLOSED");
          for (const s of active)
            for (const t of active) if (s.asset === t.asset && s.side === t.side) expect(s.leverage).toBe(t.leverage);
        }
      }),
      { numRuns: 300 },
    );
  });
});
