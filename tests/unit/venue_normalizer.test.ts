/**
 * Normalizer and order tracker: status → kind, malformed frames, event ids, fees; every fact is
 * passed on and the kernel classifies duplicates, regressions and late events.
 */

import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { parseOrder } from "../../src/venue/bingx/_parse.ts";
import { classifyFrame, decodeFrame, type OrderFact } from "../../src/venue/bingx/index.ts";
import { enter, freshKernel, T0 } from "../_support/kernel.ts";

const frame = (o: Record<string, unknown>, E: unknown = 1700000000000) =>
  JSON.stringify({ e: "ORDER_TRADE_UPDATE", E, o });
const base = {
  s: "BTC-USDT",
  c: "cid1",
  i: "1736012345678901234",
  X: "NEW",
  x: "NEW",
  z: "0",
  ap: "0",
  l: "0",
  L: "0",
  n: "0",
};

function fact(over: Record<string, unknown>): OrderFact {
  const r = classifyFrame(frame({ ...base, ...over }));
  if (r.type !== "order") throw new Error(`expected an order fact, got ${r.type}`);
  return r.fact;
}

test("order statuses map to kinds: NEW→ACK, PARTIALLY_FILLED→PARTIAL_FILL, FILLED→FULL_FILL, CANCELED/EXPIRED→CANCEL_ACK, REJECTED→REJECT", () => {
  const t = new OrderTracker();
  const kinds = ["NEW", "PARTIALLY_FILLED", "FILLED"].map(
    (X, k) => t.fromFact(fact({ X, z: String(k * 0.01), l: k > 0 ? "0.01" : "0", L: "65000" }), "cid1")?.kind,
  );
  expect(kinds).toEqual(["ACK", "PARTIAL_FILL", "FULL_FILL"]);
  for (const [X, kind] of [
    ["CANCELED", "CANCEL_ACK"],
    ["CANCELLED", "CANCEL_ACK"],
    ["EXPIRED", "CANCEL_ACK"],
    ["REJECTED", "REJECT"],
  ]) {
    expect(new OrderTracker().fromFact(fact({ X, z: "0.005" }), "cid1")?.kind).toBe(kind as never);
  }
});

test("a cancel carries the final cumulative fill", () => {
  const e = new OrderTracker().fromFact(fact({ X: "CANCELED", z: "0.005", ap: "65000" }), "cid1");
  expect(e?.filled_size_cumulative).toBe(0.005);
  expect(e?.event_id).toBe("1736012345678901234:CANCELED:0.005");
});

test("malformed frames are diagnostics, never facts and never throws", () => {
  const bad: (string | Uint8Array)[] = [
    new Uint8Array([0x1f, 0x8b, 0, 1, 2]),
    gzipSync(Buffer.from([0xff, 0xfe, 0xfd])),
  ];
  for (const b of bad) {
    const d = decodeFrame(b);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.result.type).toBe("malformed");
  }
  const texts = [
    "{",
    "[1,2]",
    "null",
    frame({ ...base, z: "abc" }),
    frame({ ...base, z: "1e300" }),
    frame({ ...base, i: 12.5 }),
    frame({ ...base, c: 7 }),
    frame({ ...base, X: "WEIRD", x: "TRADE" }),
    frame({ ...base, n: {} }),
    frame(base, "yesterday"),
    JSON.stringify({ e: "ORDER_TRADE_UPDATE", E: 1 }),
    frame({ ...base, z: "-1" }),
  ];
  for (const t of texts) expect(classifyFrame(t).type).toBe("malformed");
  expect(classifyFrame("Ping").type).toBe("ping");
  expect(classifyFrame('{"e":"ACCOUNT_UPDATE"}').type).toBe("ignored");
  expect(classifyFrame('{"e":"listenKeyExpired"}').type).toBe("listen_key_expired");
});

test("a gzip frame decodes and an exact 19-digit id survives", () => {
  const d = decodeFrame(gzipSync(Buffer.from(frame({ ...base, i: 0 }).replace('"i":0', '"i":1736012345678901234'))));
  expect(d.ok).toBe(true);
  if (d.ok) {
    const r = classifyFrame(d.text);
    expect(r.type === "order" && r.fact.venue_order_id).toBe("1736012345678901234");
  }
});

test("every fact becomes an event: a duplicate keeps its id, a regression its own cumulative, a late event its order; memory moves only forward", () => {
  const t = new OrderTracker();
  const p1 = fact({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", L: "65000", ap: "65000", n: "-0.325" });
  const p2 = fact({ X: "PARTIALLY_FILLED", z: "0.02", l: "0.01", L: "65000", ap: "65000", n: "-0.325" });
  const f3 = fact({ X: "FILLED", z: "0.03", l: "0.01", L: "65000", ap: "65000", n: "-0.325" });
  const first = t.fromFact(p2, "cid1");
  expect(first.filled_size_cumulative).toBe(0.02);
  const again = t.fromFact(p2, "cid1");
  expect(again.event_id).toBe(first.event_id); // the kernel's DUPLICATE_EVENT
  expect(again.last_fill_size).toBe(0);
  const older = t.fromFact(p1, "cid1");
  expect(older.filled_size_cumulative).toBe(0.01); // the kernel's STALE_EVENT (older cumulative)
  expect(older.fee_cumulative).toBeCloseTo(first.fee_cumulative, 9);
  expect(t.reported(base.i)).toBe(0.02);
  expect(t.fromFact(fact({}), "cid1").kind).toBe("ACK"); // ACK after fills: the kernel keeps the fills
  const full = t.fromFact(f3, "cid1");
  expect(full.kind).toBe("FULL_FILL");
  expect(full.fee_cumulative).toBeCloseTo(0.975, 9);
  expect(t.hasEnded(base.i)).toBe(true);
  const late = t.fromFact(fact({ X: "CANCELED", z: "0.03" }), "cid1");
  expect(late.kind).toBe("CANCEL_ACK"); // after the order's end: the kernel's STALE_EVENT
  expect(late.fee_cumulative).toBeCloseTo(0.975, 9);
});

test("the kernel classifies what the tracker passes on: DUPLICATE_EVENT, STALE_EVENT for a regression and for a late event", () => {
  const k = freshKernel();
  enter(k, 0, { trade: "T1", size: 0.03 });
  const t = new OrderTracker();
  const cid = "T1-E";
  const apply = (f: OrderFact) =>
    k.apply({ type: "VENUE_EVENT", slot_id: null, event: t.fromFact(f, cid), now_ms: T0 + 10 });
  const codesOf = (o: { diagnostics: Array<{ code: string }> }) => o.diagnostics.map((d) => d.code);
  const p2 = fact({ X: "PARTIALLY_FILLED", z: "0.02", l: "0.02", L: "65000", ap: "65000", n: "-0.65" });
  expect(apply(p2).accepted).toBe(true);
  const hash = k.stateHash();
  const dup = apply(p2);
  expect([dup.accepted, codesOf(dup)]).toEqual([false, ["DUPLICATE_EVENT"]]);
  const older = apply(fact({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", L: "65000", ap: "65000", n: "-0.325" }));
  expect(codesOf(older)).toEqual(["STALE_EVENT"]);
  expect(k.slot(0).size).toBe(0.02);
  expect(apply(fact({ X: "FILLED", z: "0.03", l: "0.01", L: "65000", ap: "65000", n: "-0.325" })).accepted).toBe(true);
  expect(k.slot(0).stage).toBe("POSITION_OPEN");
  const late = apply(fact({ X: "CANCELED", z: "0.03", ap: "65000" }));
  expect(codesOf(late)).toEqual(["STALE_EVENT"]);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.03 });
  expect(hash).not.toBe(k.stateHash()); // (the fill moved it; the refusals around it did not)
});

test("per-trade fees accumulate, scaled across a skipped leg; cumulative mode takes n as is; REST commission is exact", () => {
  const t = new OrderTracker("per_trade");
  expect(
    t.fromFact(fact({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", L: "65000", n: "-0.325" }), "c")?.fee_cumulative,
  ).toBeCloseTo(0.325, 9);
  expect(
    t.fromFact(fact({ X: "FILLED", z: "0.03", l: "0.01", L: "65000", n: "-0.325" }), "c")?.fee_cumulative,
  ).toBeCloseTo(0.975, 9);
  const c = new OrderTracker("cumulative");
  c.fromFact(fact({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", L: "65000", n: "-0.325" }), "c");
  expect(
    c.fromFact(fact({ X: "FILLED", z: "0.03", l: "0.02", L: "65000", n: "-0.975" }), "c")?.fee_cumulative,
  ).toBeCloseTo(0.975, 9);
  const rest = parseOrder({
    order: {
      orderId: "1736012345678901234",
      symbol: "BTC-USDT",
      side: "BUY",
      positionSide: "LONG",
      type: "MARKET",
      status: "FILLED",
      origQty: "0.03",
      executedQty: "0.03",
      avgPrice: "65000",
      commission: "-0.975",
      updateTime: 1,
    },
  });
  const r = new OrderTracker().fromState(rest!, "c");
  expect(r?.fee_cumulative).toBeCloseTo(0.975, 9);
  expect(r?.last_fill_size).toBe(0.03);
  expect(r?.event_id).toBe("1736012345678901234:FILLED:0.03");
});
