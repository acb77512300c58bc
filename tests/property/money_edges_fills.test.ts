/**
 * Partial fills at the money edges, driven through the real code: an order of a whole number of
 * quantity steps (steps 1e-4..1, up to 1e6 steps) filled in 1..20 legs whose sizes sum, in decimal,
 * to the order's size. The cumulative reaches the real kernel (tests/_support/kernel.ts), which
 * compares sizes exactly as integers of 1e-8, the way each adapter derives it: BingX's stream text
 * (`z`, `l`) through `classifyFrame` and `OrderTracker`, and the mock venue's float running sum
 * (`fillPlan`, `fillOrder`). Then the launcher's comparisons of such sizes.
 *
 * Invariants:
 *  1. The legs' cumulative, as either adapter reports it, fills the order exactly: the slot reaches
 *     POSITION_OPEN with the order's size, no fact is refused, an OVERFILL or malformed, and the
 *     mock's last leg is a FULL_FILL.
 *  2. The mock venue's fill plan rises on the step and ends at the order's size.
 *  3. `sameSize` holds for a float sum and the decimal it sums to, and fails for decimals 1e-8 apart.
 *  4. `beyond` (a late fill beyond what was booked) is 0 for equal decimals and the exact decimal
 *     difference otherwise.
 *  5. A venue position listed in parts is allocated as their exact decimal sum.
 * A canary proves the harness can fail. The seed is printed on failure.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { VenueEvent, VenuePosition } from "../../src/contracts/venue.ts";
import { beyond } from "../../src/launcher/_late_fills.ts";
import { sameSize } from "../../src/launcher/_reconcile_truth.ts";
import { allocatePositions } from "../../src/launcher/position_allocation.ts";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { classifyFrame } from "../../src/venue/bingx/index.ts";
import { MockLedger } from "../../src/venue/mock/_ledger.ts";
import { fillOrder } from "../../src/venue/mock/_matching.ts";
import { fillPlan, newOrder } from "../../src/venue/mock/_orders.ts";
import { check as checkRuns, E8, num, STEPS_E8, text } from "../_support/decimals_e8.ts";
import { codes, enter, event, feed, freshKernel, T0 } from "../_support/kernel.ts";

const check = <T>(prop: fc.IProperty<T>, numRuns = 300) => checkRuns(prop, numRuns);
const e8 = (x: number) => BigInt(Math.round(x * 1e8));

/** A step, and an order of 1..1e6 steps split into 1..20 legs of whole steps (in steps). */
const order = fc
  .tuple(fc.constantFrom(...STEPS_E8), fc.bigInt({ min: 1n, max: 1_000_000n }), fc.integer({ min: 1, max: 20 }))
  .chain(([step, k, n]) =>
    fc
      .uniqueArray(fc.bigInt({ min: 1n, max: k - 1n > 0n ? k - 1n : 1n }), {
        maxLength: Math.min(n - 1, Number(k) - 1),
      })
      .map((cuts) => {
        const at = [...cuts].sort((a, b) => (a < b ? -1 : 1)).filter((c) => c < k);
        const legs = [...at, k].map((c, i) => c - (i === 0 ? 0n : at[i - 1]!));
        return { step, size: k * step, legs: legs.map((l) => l * step) };
      }),
  );

/** Enters slot 0 for `size` units, feeds the facts, and says whether it filled exactly. */
function filledExactly(size: bigint, facts: (cid: string) => VenueEvent[]): boolean {
  const k = freshKernel({ capital: 1e15 });
  try {
    const entered = enter(k, 0, { size: num(size) });
    if (!entered.accepted) throw new Error(`enter refused: ${JSON.stringify(entered.diagnostics)}`);
    const cid = k.slot(0).entry_order!.client_order_id;
    feed(k, event("ACK", cid, 0, 0));
    for (const e of facts(cid)) {
      const out = feed(k, e);
      if (codes(out).includes("OVERFILL") || !out.accepted) throw new Error(`fact ${e.event_id}: ${codes(out)}`);
    }
    return k.slot(0).stage === "POSITION_OPEN" && e8(k.slot(0).size) === size;
  } finally {
    k.destroy();
  }
}

/** BingX's stream frames for the legs (`z` and `l` as decimal text), normalized as the adapter does. */
function bingxFacts(cid: string, legs: bigint[]): VenueEvent[] {
  const tracker = new OrderTracker();
  let cum = 0n;
  return legs.map((leg, i) => {
    cum += leg;
    const X = i === legs.length - 1 ? "FILLED" : "PARTIALLY_FILLED";
    const o = {
      i: "1234567890123456789",
      c: cid,
      s: "BTC-USDT",
      X,
      z: text(cum),
      ap: "1",
      l: text(leg),
      L: "1",
      n: "0",
    };
    const frame = classifyFrame(JSON.stringify({ e: "ORDER_TRADE_UPDATE", E: T0 + i, o }));
    if (frame.type !== "order") throw new Error(`frame refused: ${JSON.stringify(frame)}`);
    return tracker.fromFact(frame.fact, cid);
  });
}

/** The mock venue's events for an order of `size` filled in `legs` legs (`fillOrder`, as its fill knob does). */
function mockFacts(cid: string, size: bigint, step: bigint, legs: number): VenueEvent[] {
  const request = {
    client_order_id: cid,
    asset: "BTC-USDT",
    side: "BUY",
    position_side: "LONG",
    type: "MARKET",
    size: num(size),
  };
  const o = newOrder("1234567890123456789", request as never, { size: num(size) }, T0, false);
  return fillOrder(o, 1, num(step), legs, T0, new MockLedger(1e15, () => 1), false);
}

describe("partial fills summing to the order's size", () => {
  test("1: BingX's stream legs fill the order exactly as the kernel compares it, never an OVERFILL", () => {
    check(fc.property(order, ({ size, legs }) => filledExactly(size, (cid) => bingxFacts(cid, legs))));
  });

  test("1: the mock venue's fills in 1..20 legs fill the order exactly, its last leg FILLED", () => {
    check(
      fc.property(order, fc.integer({ min: 1, max: 20 }), ({ step, size }, legs) =>
        filledExactly(size, (cid) => {
          const facts = mockFacts(cid, size, step, legs);
          expect(facts.at(-1)!.kind).toBe("FULL_FILL");
          return facts;
        }),
      ),
    );
  });

  test("2: the mock's fill plan rises on the step and ends at the order's size", () => {
    check(
      fc.property(order, fc.integer({ min: 1, max: 20 }), ({ step, size }, n) => {
        const plan = fillPlan(num(size), num(step), n).map(e8);
        return plan.at(-1) === size && plan.every((c, i) => c % step === 0n && c > (plan[i - 1] ?? 0n));
      }),
      2_000,
    );
  });

  test("3: sameSize holds for a float sum and its decimal, and fails 1e-8 apart", () => {
    check(
      fc.property(order, ({ size, legs }) => {
        const sum = legs.reduce((t, l) => t + num(l), 0);
        return sameSize(sum, num(size)) && !sameSize(sum, num(size + 1n)) && !sameSize(num(size - 1n), sum);
      }),
      2_000,
    );
  });

  test("4: beyond is 0 for equal decimals and the exact decimal difference otherwise", () => {
    check(
      fc.property(order, fc.bigInt({ min: 1n, max: 100n * E8 }), ({ size, legs }, late) => {
        const sum = legs.reduce((t, l) => t + num(l), 0);
        return (
          beyond(sum, num(size)) === 0 &&
          beyond(num(size), sum) === 0 &&
          e8(beyond(sum + num(late), num(size))) === late
        );
      }),
      2_000,
    );
  });

  test("5: a position listed in parts is allocated as their exact decimal sum", () => {
    check(
      fc.property(order, ({ size, legs }) => {
        const parts: VenuePosition[] = legs.map((l) => ({
          asset: "BTC-USDT",
          side: "LONG",
          size: num(l),
          avg_price: 100,
          unrealized_pnl: 0,
          leverage: 5,
        }));
        const claim = { slot_id: 0, asset: "BTC-USDT", side: "LONG" as const, claim_size: num(size) };
        const { assignments, orphans } = allocatePositions([claim], parts);
        return e8(assignments[0]!.size) === size && orphans.length === 0;
      }),
      2_000,
    );
  });

  test("canary: a false statement (a float sum of legs is the order's size as a double) is found", () => {
    const r = fc.check(
      fc.property(order, ({ size, legs }) => legs.reduce((t, l) => t + num(l), 0) === num(size)),
      { numRuns: 500 },
    );
    expect(r.failed).toBe(true);
  });
});
