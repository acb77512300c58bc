/**
 * One malformed last-fill size `l` must not poison an order's fee (src/venue/bingx/normalizer.ts,
 * _order_tracker.ts): the normalizer refuses an `l` above the cumulative `z` or finer than 8
 * decimals; the tracker's per-trade estimate n × gained / l is used only when finite and
 * believable (else n); a forward REST state replaces the estimate with its exact commission.
 */

import { expect, test } from "bun:test";
import type { VenueOrderState } from "../../src/contracts/venue.ts";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { classifyFrame, type OrderFact } from "../../src/venue/bingx/index.ts";
import { enter, feed, freshKernel } from "../_support/kernel.ts";

const ORDER_ID = "1736012345678901234";
const frame = (o: Record<string, unknown>) =>
  JSON.stringify({
    e: "ORDER_TRADE_UPDATE",
    E: 1700000000000,
    o: { s: "BTC-USDT", c: "t1-e", i: ORDER_ID, x: "TRADE", ap: "65000", L: "65000", ...o },
  });

function fact(over: Partial<OrderFact>): OrderFact {
  return {
    venue_order_id: ORDER_ID,
    client_order_id: "t1-e",
    asset: "BTC-USDT",
    status: "PARTIALLY_FILLED",
    filled_size_cumulative: 0.01,
    avg_price: 65000,
    last_fill_size: 0.01,
    last_fill_price: 65000,
    fee_trade: 0.325,
    venue_time_ms: 1700000000000,
    ...over,
  };
}

const restState = (over: Partial<VenueOrderState>): VenueOrderState => ({
  venue_order_id: ORDER_ID,
  client_order_id: "t1-e",
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "MARKET",
  status: "FILLED",
  size: 0.03,
  filled_size_cumulative: 0.03,
  avg_price: 65000,
  fee_cumulative: 0.975,
  updated_ms: 1700000000000,
  ...over,
});

test("a last fill l above the cumulative z, or finer than 8 decimals, is a MALFORMED_PAYLOAD naming l", () => {
  for (const l of ["5e-324", "0.000000001", "1e-9", "0.123456789", "0.02"]) {
    const r = classifyFrame(frame({ X: "PARTIALLY_FILLED", z: "0.01", l, n: "-0.325" }));
    expect(r.type).toBe("malformed");
    if (r.type === "malformed") expect(r.diagnostic.details?.fields).toEqual(["l"]);
  }
  for (const l of ["0.01", "0.00000001", 0.005]) {
    expect(classifyFrame(frame({ X: "PARTIALLY_FILLED", z: "0.01", l, n: "-0.325" })).type).toBe("order");
  }
});

test("a per-trade fee estimate that is not finite or not believable falls back to the trade's commission n", () => {
  const infinite = new OrderTracker("per_trade").fromFact(fact({ last_fill_size: 5e-324 }), "T1-E");
  expect(infinite.fee_cumulative).toBeCloseTo(0.325, 9);
  // l = 1e-8 (valid text): n × 0.01 / 1e-8 would book 0.325 as 325 000 on a 650 USDT fill.
  const absurd = new OrderTracker("per_trade").fromFact(fact({ last_fill_size: 1e-8 }), "T1-E");
  expect(absurd.fee_cumulative).toBeCloseTo(0.325, 9);
  // A real skipped leg is still scaled: 0.02 gained, l 0.01, n 0.325 → 0.65.
  const gap = new OrderTracker("per_trade").fromFact(fact({ filled_size_cumulative: 0.02 }), "T1-E");
  expect(gap.fee_cumulative).toBeCloseTo(0.65, 9);
});

test("a forward REST state replaces an estimated fee with its exact commission, lower or higher", () => {
  const t = new OrderTracker("per_trade");
  // Estimated 0.65 across a gap where the legs actually cost 0.5.
  expect(t.fromFact(fact({ filled_size_cumulative: 0.02 }), "T1-E").fee_cumulative).toBeCloseTo(0.65, 9);
  const exact = t.fromState(
    restState({ status: "PARTIALLY_FILLED", filled_size_cumulative: 0.02, fee_cumulative: 0.5 }),
    "T1-E",
  );
  expect(exact.fee_cumulative).toBeCloseTo(0.5, 9);
  // The next leg adds to the exact figure.
  const next = t.fromFact(fact({ status: "FILLED", filled_size_cumulative: 0.03, fee_trade: 0.325 }), "T1-E");
  expect(next.fee_cumulative).toBeCloseTo(0.825, 9);
});

test("the reviewer's poisoned order: after a frame with a tiny l, the order's later fill and catch-up are still booked by the kernel", () => {
  const k = freshKernel();
  enter(k, 0, { trade: "T1", size: 0.03 });
  const t = new OrderTracker("per_trade");
  const poisoned = classifyFrame(frame({ X: "PARTIALLY_FILLED", z: "0.01", l: "5e-324", n: "-0.325" }));
  expect(poisoned.type).toBe("malformed");
  // Had a tiny l got through (another route, same tracker), the fee would stay finite.
  const slipped = t.fromFact(fact({ last_fill_size: 5e-324 }), "T1-E");
  expect(Number.isFinite(slipped.fee_cumulative)).toBe(true);
  expect(feed(k, slipped).accepted).toBe(true);
  const caughtUp = t.fromState(
    restState({ status: "PARTIALLY_FILLED", filled_size_cumulative: 0.02, fee_cumulative: 0.65 }),
    "T1-E",
  );
  expect(caughtUp.fee_cumulative).toBeCloseTo(0.65, 9);
  expect(feed(k, caughtUp).accepted).toBe(true);
  const full = classifyFrame(frame({ X: "FILLED", z: "0.03", l: "0.01", n: "-0.325" }));
  if (full.type !== "order") throw new Error(`expected an order fact, got ${full.type}`);
  const fullEvent = t.fromFact(full.fact, "T1-E");
  expect(fullEvent.fee_cumulative).toBeCloseTo(0.975, 9);
  expect(feed(k, fullEvent).accepted).toBe(true);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.03 });
  expect(k.slot(0).fees).toBeCloseTo(0.975, 9);
});
