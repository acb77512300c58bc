/**
 * The counterexamples tests/property/money_edges_*.test.ts found at the money edges, each pinned:
 *
 * - A fill's last size was the float difference of two cumulatives (9568.7 − 8626.3 is
 *   942.400000000002 in binary), and `roundQty`'s 12 decimals kept that residue above 1000 (a
 *   double holds about 16 digits): the kernel refused the FULL_FILL as "more than 8 decimals", so
 *   the order was never seen FILLED. Quantities now round to the kernel's 1e-8.
 * - The canonical decimal of a cumulative summed from legs kept the same residue ("2296.600000000001").
 * - The adapter's step check allowed a residue of 1e-9 × the size, more than a 1e-8 unit above 10:
 *   10.00010001 at step 0.0001 passed and would have been sent as 10.0001. It is judged in 1e-8 units.
 * - Putting a value on the step allowed a residue of 1e-12 × the number of steps, which at 1e10 ticks
 *   is a hundredth of a tick: a BUY limit of 187499.99999982 at tick 0.00001 went up to 187500, and a
 *   whole position of 124999.99999998 at step 0.1 was closed as 125000, above it.
 */

import { describe, expect, test } from "bun:test";
import type { ContractRules } from "../../src/contracts/venue.ts";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { applyContractRules, classifyFrame, sizeRuleBreach } from "../../src/venue/bingx/index.ts";
import { canonDecimal } from "../../src/venue/index.ts";
import { MockLedger } from "../../src/venue/mock/_ledger.ts";
import { fillOrder } from "../../src/venue/mock/_matching.ts";
import { newOrder } from "../../src/venue/mock/_orders.ts";
import { codes, enter, event, feed, freshKernel, T0 } from "../_support/kernel.ts";

const rules = (quantity_step: number, price_step: number): ContractRules => ({
  asset: "X-USDT",
  quantity_step,
  price_step,
  min_quantity: quantity_step,
  min_notional: 0,
  max_leverage: 125,
});

function streamFact(cid: string, X: string, z: string, l: string) {
  const o = { i: "1234567890123456789", c: cid, s: "BTC-USDT", X, z, ap: "1", l, L: "1", n: "0" };
  const frame = classifyFrame(JSON.stringify({ e: "ORDER_TRADE_UPDATE", E: T0, o }));
  if (frame.type !== "order") throw new Error(`frame refused: ${JSON.stringify(frame)}`);
  return frame.fact;
}

describe("quantities at the money edges are exact decimals", () => {
  test("a stream FULL_FILL of 9568.7 after 8626.3 reaches the kernel with last fill 942.4 and opens the position", () => {
    const k = freshKernel({ capital: 1e9 });
    expect(enter(k, 0, { size: 9568.7 }).accepted).toBe(true);
    const cid = k.slot(0).entry_order!.client_order_id;
    feed(k, event("ACK", cid, 0, 0));
    const tracker = new OrderTracker();
    feed(k, tracker.fromFact(streamFact(cid, "PARTIALLY_FILLED", "8626.3", "8626.3"), cid));
    const full = tracker.fromFact(streamFact(cid, "FILLED", "9568.7", "942.4"), cid);
    expect(full.last_fill_size).toBe(942.4);
    const out = feed(k, full);
    expect(codes(out)).toEqual([]);
    expect(k.slot(0).stage).toBe("POSITION_OPEN");
    expect(k.slot(0).size).toBe(9568.7);
    k.destroy();
  });

  test("the mock venue's legs of a 9568.7 order are exact decimals and its FULL_FILL reaches the kernel", () => {
    const k = freshKernel({ capital: 1e9 });
    expect(enter(k, 0, { size: 9568.7 }).accepted).toBe(true);
    const cid = k.slot(0).entry_order!.client_order_id;
    feed(k, event("ACK", cid, 0, 0));
    const request = {
      client_order_id: cid,
      asset: "BTC-USDT",
      side: "BUY",
      position_side: "LONG",
      type: "MARKET",
      size: 9568.7,
    };
    const order = newOrder("1234567890123456789", request as never, { size: 9568.7 }, T0, false);
    const legs = fillOrder(order, 1, 0.1, 2, T0, new MockLedger(1e9, () => 1), false);
    expect(legs.map((e) => e.last_fill_size)).toEqual([4784.3, 4784.4]);
    for (const e of legs) expect(codes(feed(k, e))).toEqual([]);
    expect(k.slot(0).stage).toBe("POSITION_OPEN");
    k.destroy();
  });

  test("the canonical decimal of legs 0.05 + 0.05 + 601.35 + 1695.15 summed in floats is 2296.6", () => {
    expect(canonDecimal(0.05 + 0.05 + 601.35 + 1695.15)).toBe("2296.6");
  });

  test("the adapter refuses 10.00010001 at step 0.0001 as off the step, never sends it as 10.0001", () => {
    expect(sizeRuleBreach(rules(0.0001, 0.1), 10.00010001)?.rule).toBe("OFF_STEP");
    expect(applyContractRules(rules(0.0001, 0.1), 10.00010001, undefined, undefined, "BUY")).toMatchObject({
      ok: false,
      rule: "OFF_STEP",
    });
  });

  test("a BUY limit of 187499.99999982 at tick 0.00001 goes down to 187499.99999, never up to 187500", () => {
    const sent = applyContractRules(rules(0.0001, 0.00001), 0.0001, 187_499.99999982, undefined, "BUY");
    expect(sent).toMatchObject({ ok: true, price: "187499.99999" });
  });

  test("a whole position of 124999.99999998 at step 0.1 is closed as 124999.9, never 125000", () => {
    const sent = applyContractRules(rules(0.1, 0.1), 124_999.99999998, undefined, undefined, "SELL", true);
    expect(sent).toMatchObject({ ok: true, quantity: "124999.9" });
  });
});
