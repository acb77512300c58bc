/**
 * One fill seen on the user stream and through a REST query (a reconnect's catch-up, a hung-order
 * query) must reach the kernel as one fact (src/venue/bingx/_order_tracker.ts, normalizer.ts,
 * _parse.ts, src/venue/event_id.ts): the same event id whatever the number or status spelling,
 * the same cumulative and last quantities, the commission counted once.
 */

import { expect, test } from "bun:test";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { parseOrder } from "../../src/venue/bingx/_parse.ts";
import { classifyFrame, type OrderFact } from "../../src/venue/bingx/index.ts";
import { enter, feed, freshKernel } from "../_support/kernel.ts";

const ID = "1736012345678901234";

function ws(o: Record<string, unknown>): OrderFact {
  const r = classifyFrame(
    JSON.stringify({
      e: "ORDER_TRADE_UPDATE",
      E: 1700000000000,
      o: { s: "BTC-USDT", c: "t1-e", i: ID, x: "TRADE", ap: "65000", L: "65000", n: "0", l: "0", ...o },
    }),
  );
  if (r.type !== "order") throw new Error(`expected an order fact, got ${JSON.stringify(r)}`);
  return r.fact;
}

function rest(o: Record<string, unknown>) {
  const s = parseOrder({
    order: {
      orderId: ID,
      symbol: "BTC-USDT",
      side: "BUY",
      positionSide: "LONG",
      type: "LIMIT",
      origQty: "0.03",
      avgPrice: "65000",
      updateTime: 1700000000500,
      clientOrderID: "t1-e",
      ...o,
    },
  });
  if (!s) throw new Error("expected a readable order");
  return s;
}

test("a fill on the stream and the same fill by REST carry one event id, whatever the number and status spelling", () => {
  const pairs: Array<[Record<string, unknown>, Record<string, unknown>]> = [
    [
      { X: "PARTIALLY_FILLED", z: "0.0100", l: "0.01" },
      { status: "PARTIALLY_FILLED", executedQty: "1E-2" },
    ],
    [
      { X: "FILLED", z: 0.03, l: "0.03" },
      { status: "FILLED", executedQty: "0.030000000" },
    ],
    [
      { X: "CANCELLED", x: "CANCELED", z: "0.01" },
      { status: "CANCELED", executedQty: "0.01" },
    ],
    [
      { X: "CANCELED", x: "CANCELED", z: "1e-2" },
      { status: "Cancelled", executedQty: 0.01 },
    ],
    [
      { X: "EXPIRED", x: "EXPIRED", z: "0.010" },
      { status: "EXPIRED", executedQty: "0.01" },
    ],
  ];
  for (const [w, r] of pairs) {
    const a = new OrderTracker().fromFact(ws(w), "T1-E");
    const b = new OrderTracker().fromState(rest(r), "T1-E");
    expect([w, a.event_id, a.filled_size_cumulative]).toEqual([w, b.event_id, b.filled_size_cumulative]);
  }
});

test("across a missed leg the stream and the REST query report the same fact alike: id, cumulative and last fill size", () => {
  const viaStream = new OrderTracker();
  const viaRest = new OrderTracker();
  for (const t of [viaStream, viaRest])
    t.fromFact(ws({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", n: "-0.325" }), "T1-E");
  // The leg 0.01 → 0.02 was missed while the stream was down; the next frame is the 0.02 → 0.03 leg.
  const s = viaStream.fromFact(ws({ X: "FILLED", z: "0.03", l: "0.01", n: "-0.325" }), "T1-E");
  const r = viaRest.fromState(rest({ status: "FILLED", executedQty: "0.03", commission: "-0.975" }), "T1-E");
  expect([s.event_id, s.filled_size_cumulative, s.last_fill_size]).toEqual([
    r.event_id,
    r.filled_size_cumulative,
    r.last_fill_size,
  ]);
  expect(s.last_fill_size).toBe(0.02);
});

test("a partial fill then a cancel, seen on the stream and by REST: the final cumulative once, the commission once", () => {
  for (const end of ["CANCELED", "EXPIRED"]) {
    const k = freshKernel();
    enter(k, 0, { trade: "T1", size: 0.03 });
    const t = new OrderTracker();
    const codes = (o: { diagnostics: Array<{ code: string }> }) => o.diagnostics.map((d) => d.code);
    expect(feed(k, t.fromFact(ws({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", n: "-0.325" }), "T1-E")).accepted).toBe(
      true,
    );
    // Reconnect: the catch-up finds the order ended with one more leg the stream missed.
    const caught = t.fromState(rest({ status: end, executedQty: "0.02", commission: "-0.65" }), "T1-E");
    expect([caught.kind, caught.filled_size_cumulative, caught.last_fill_size]).toEqual(["CANCEL_ACK", 0.02, 0.01]);
    expect(feed(k, caught).accepted).toBe(true);
    // The stream's own frames for the same facts, late: the kernel changes nothing.
    const late = t.fromFact(ws({ X: "PARTIALLY_FILLED", z: "0.02", l: "0.01", n: "-0.325" }), "T1-E");
    expect(codes(feed(k, late))).toEqual(["STALE_EVENT"]);
    const dup = t.fromFact(ws({ X: end, x: end, z: "0.020" }), "T1-E");
    expect(dup.event_id).toBe(caught.event_id);
    expect(codes(feed(k, dup))).toEqual(["DUPLICATE_EVENT"]);
    expect(k.slot(0).size).toBe(0.02);
    expect(k.slot(0).fees).toBeCloseTo(0.65, 9);
    k.destroy();
  }
});

test("out-of-order frames never lower what was booked: a lower cumulative after a higher one, a NEW after FILLED", () => {
  const k = freshKernel();
  enter(k, 0, { trade: "T1", size: 0.03 });
  const t = new OrderTracker();
  feed(k, t.fromFact(ws({ X: "PARTIALLY_FILLED", z: "0.02", l: "0.02", n: "-0.65" }), "T1-E"));
  const lower = t.fromFact(ws({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", n: "-0.325" }), "T1-E");
  expect([lower.last_fill_size, lower.fee_cumulative]).toEqual([0, 0.65]);
  feed(k, lower);
  expect(k.slot(0).size).toBe(0.02);
  feed(k, t.fromFact(ws({ X: "FILLED", z: "0.03", l: "0.01", n: "-0.325" }), "T1-E"));
  const ack = t.fromFact(ws({ X: "NEW", x: "NEW", z: "0" }), "T1-E");
  expect([ack.kind, ack.last_fill_size]).toEqual(["ACK", 0]);
  expect(ack.fee_cumulative).toBeCloseTo(0.975, 9);
  feed(k, ack);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.03 });
  expect(k.slot(0).fees).toBeCloseTo(0.975, 9);
  k.destroy();
});
