/**
 * The BingX adapter reports an order's average price exactly, not as the venue's rounded `ap`
 * (src/venue/bingx/_order_tracker.ts, _average_price.ts, _parse.ts), driven through the adapter with
 * stream frames handed to it and a scripted REST transport (no network, no sim):
 * - one 50 000 000 PEPE trade whose entry the venue reports at an 8-decimal `ap` (bingx-sim's
 *   `toFixed(8)`) leaves the real kernel's capital at the venue wallet, to the cent and below;
 * - a missed fill (`z` jumps) reports the venue's `ap` and re-bases the order's quote on it; an `ap`
 *   further than its written unit and one price step from the fills seen is taken over them;
 * - a REST answer's `cumQuote` / `executedQty` is the average when it agrees with `avgPrice`;
 * - event ids stay order id + status + cumulative quantity.
 */

import { expect, test } from "bun:test";
import type { VenueEvent } from "../../src/contracts/venue.ts";
import { Account } from "../../src/sim/accounts.ts";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { parseOrder } from "../../src/venue/bingx/_parse.ts";
import type { WorkingOrders } from "../../src/venue/bingx/_working_orders.ts";
import { classifyFrame, type FrameResult, type OrderFact } from "../../src/venue/bingx/index.ts";
import { enter, exit, feed, freshKernel } from "../_support/kernel.ts";
import { offlineAdapter } from "../_support/rest_client.ts";

const PEPE = "PEPE-USDT";
const ENTRY_ID = "1736012345678901234";
const EXIT_ID = "1736012345678905678";
/** bingx-sim's stream `ap` of the entry, whose exact average is 0.000010015. */
const AP_8 = (0.000010015).toFixed(8);

const frame = (o: Record<string, unknown>) =>
  classifyFrame(
    JSON.stringify({ e: "ORDER_TRADE_UPDATE", E: 1700000000000, o: { s: PEPE, x: "TRADE", n: "0", ...o } }),
  );

function fact(o: Record<string, unknown>): OrderFact {
  const r = frame({ c: "c", i: ENTRY_ID, ...o });
  if (r.type !== "order") throw new Error(`expected an order fact, got ${r.type}`);
  return r.fact;
}

/** An adapter (never connected) whose REST requests are answered by `answer`, its events collected. */
function adapterAnswering(answer: () => unknown = () => ({})) {
  const adapter = offlineAdapter(answer);
  const inner = adapter as unknown as { working: WorkingOrders; onFrame(r: FrameResult): void };
  const events: VenueEvent[] = [];
  adapter.onEvent((e) => void events.push(e));
  /** `cid` works at the venue as `venueId` (its placement answered). */
  const working = (cid: string, venueId: string) => {
    expect(inner.working.track(cid, PEPE, true)).toBeNull();
    inner.working.placed(cid, venueId);
  };
  return { adapter, inner, events, working };
}

test("capital after one 50 000 000 PEPE trade equals the venue wallet when the venue rounds the entry's average to 8 decimals", () => {
  expect(AP_8).toBe("0.00001001"); // 0.25 USDT short of the wallet on the old path
  const k = freshKernel({ capital: 10_000 });
  const wallet = new Account(10_000);
  const v = adapterAnswering();
  v.adapter.onEvent((e) => void feed(k, e));
  expect(enter(k, 0, { size: 50_000_000, asset: PEPE }).accepted).toBe(true);
  const entry = k.slot(0).entry_order!.client_order_id;
  v.working(entry, ENTRY_ID);
  const legs = { i: ENTRY_ID, c: entry.toLowerCase(), l: "25000000" };
  v.inner.onFrame(frame({ ...legs, X: "PARTIALLY_FILLED", z: "25000000", L: "0.00001001", ap: "0.00001001" }));
  wallet.applyFill(PEPE, "LONG", false, 25_000_000, 0.00001001, 0);
  v.inner.onFrame(frame({ ...legs, X: "FILLED", z: "50000000", L: "0.00001002", ap: AP_8 }));
  wallet.applyFill(PEPE, "LONG", false, 25_000_000, 0.00001002, 0);
  expect(exit(k, 0, 50_000_000).accepted).toBe(true);
  const x = k.slot(0).exit_order!.client_order_id;
  v.working(x, EXIT_ID);
  v.inner.onFrame(
    frame({
      i: EXIT_ID,
      c: x.toLowerCase(),
      X: "FILLED",
      z: "50000000",
      l: "50000000",
      L: "0.0000101",
      ap: "0.00001010",
    }),
  );
  wallet.applyFill(PEPE, "LONG", true, 50_000_000, 0.0000101, 0);
  expect(k.slot(0).stage).toBe("CLOSED");
  expect(Math.abs(k.account().capital - wallet.wallet)).toBeLessThan(1e-6);
  expect(Math.abs(k.account().capital - 10_004.25)).toBeLessThan(1e-6);
  expect(v.events.map((e) => e.avg_price)).toEqual([0.00001001, 0.000010015, 0.0000101]); // the entry's exact
  k.destroy();
});

test("event ids stay order id, status and cumulative quantity while the average is exact", () => {
  const t = new OrderTracker();
  const p = t.fromFact(
    fact({ X: "PARTIALLY_FILLED", z: "25000000", l: "25000000", L: "0.00001001", ap: "0.00001001" }),
    "c",
  );
  const f = t.fromFact(fact({ X: "FILLED", z: "50000000", l: "25000000", L: "0.00001002", ap: AP_8 }), "c");
  expect([p.event_id, f.event_id]).toEqual([`${ENTRY_ID}:PARTIALLY_FILLED:25000000`, `${ENTRY_ID}:FILLED:50000000`]);
  expect([f.avg_price, f.last_fill_size, f.last_fill_price]).toEqual([0.000010015, 25_000_000, 0.00001002]);
});

test("an average is the double nearest the exact one: one fill's is its price, 0.1 and 0.2 at 1 average 1, and 1 + 1 + 2 over 3 is 4/3", () => {
  const one = new OrderTracker().fromFact(
    fact({ X: "FILLED", z: "0.01", l: "0.01", L: "65000.1", ap: "65000.1" }),
    "c",
  );
  expect(one.avg_price).toBe(65000.1);
  const t = new OrderTracker();
  t.fromFact(fact({ X: "PARTIALLY_FILLED", z: "0.1", l: "0.1", L: "1", ap: "1" }), "c");
  expect(t.fromFact(fact({ X: "FILLED", z: "0.3", l: "0.2", L: "1", ap: "1" }), "c").avg_price).toBe(1);
  const u = new OrderTracker();
  u.fromFact(fact({ X: "PARTIALLY_FILLED", z: "1", l: "1", L: "1", ap: "1" }), "c");
  u.fromFact(fact({ X: "PARTIALLY_FILLED", z: "2", l: "1", L: "1", ap: "1" }), "c");
  expect(u.fromFact(fact({ X: "FILLED", z: "3", l: "1", L: "2", ap: "1.33333333" }), "c").avg_price).toBe(4 / 3);
});

test("a missed fill (z jumps) reports the venue's ap, and the next fill averages on top of ap × z", () => {
  const t = new OrderTracker();
  t.fromFact(fact({ X: "PARTIALLY_FILLED", z: "10000000", l: "10000000", L: "0.00001001", ap: "0.00001001" }), "c");
  // A leg of 20 000 000 @ 0.00001003 was missed; this frame's z jumps by 30 000 000 with l 10 000 000.
  const jump = t.fromFact(
    fact({ X: "PARTIALLY_FILLED", z: "40000000", l: "10000000", L: "0.00001002", ap: "0.00001002" }),
    "c",
  );
  expect(jump.avg_price).toBe(0.00001002);
  expect(jump.last_fill_size).toBe(30_000_000);
  const next = t.fromFact(fact({ X: "FILLED", z: "50000000", l: "10000000", L: "0.00001008", ap: "0.00001003" }), "c");
  expect(next.avg_price).toBe(0.000010032); // (40 000 000 × 0.00001002 + 10 000 000 × 0.00001008) / 50 000 000
});

test("a missed fill too small to move the average past ap's rounding is still seen (z jumps): the venue's ap is reported, not the fills seen", () => {
  const t = new OrderTracker();
  t.fromFact(fact({ X: "PARTIALLY_FILLED", z: "10000000", l: "10000000", L: "0.00001001", ap: "0.00001001" }), "c");
  // 10 000 @ 0.00001001 was missed: the fills seen average 0.0000100099950…, within ap's 1e-8 of the venue's ap.
  const jump = t.fromFact(
    fact({ X: "PARTIALLY_FILLED", z: "20010000", l: "10000000", L: "0.00001002", ap: "0.00001001" }),
    "c",
  );
  expect(jump.last_fill_size).toBe(10_010_000);
  expect(jump.avg_price).toBe(0.00001001);
});

test("a venue ap further than its written unit and one price step from the fills seen is taken over them; within a step ours stays", () => {
  const f1 = () => fact({ s: "BTC-USDT", X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", L: "65000.0", ap: "65000.0" });
  const f2 = (ap: string) => fact({ s: "BTC-USDT", X: "FILLED", z: "0.02", l: "0.01", L: "65000.1", ap });
  const noRules = new OrderTracker();
  noRules.fromFact(f1(), "c");
  expect(noRules.fromFact(f2("65000.00000000"), "c").avg_price).toBe(65000); // 0.05 off an 8-decimal ap: a misread fill
  const ticked = () => new OrderTracker("per_trade", (asset) => (asset === "BTC-USDT" ? 0.1 : undefined));
  const a = ticked();
  a.fromFact(f1(), "c");
  expect(a.fromFact(f2("65000.00000000"), "c").avg_price).toBe(65000.05); // within the 0.1 step: the venue rounded
  const b = ticked();
  b.fromFact(f1(), "c");
  expect(b.fromFact(f2("65000.30000000"), "c").avg_price).toBe(65000.3); // beyond a step: a fill was missed
  const c = new OrderTracker();
  c.fromFact(f1(), "c");
  expect(c.fromFact(f2("0"), "c").avg_price).toBe(65000.05); // an ap of 0 is no average: every fill was seen
});

const restOrder = (o: Record<string, unknown>) => ({
  code: 0,
  msg: "",
  data: {
    order: {
      orderId: ENTRY_ID,
      symbol: PEPE,
      side: "BUY",
      positionSide: "LONG",
      type: "MARKET",
      status: "FILLED",
      origQty: "50000000",
      executedQty: "50000000",
      avgPrice: "0.00001002",
      commission: "0",
      updateTime: 1700000000500,
      clientOrderID: "t0-e",
      ...o,
    },
  },
});

test("a REST order answer's average is cumQuote / executedQty when cumQuote agrees with avgPrice, else avgPrice", async () => {
  for (const [over, avg] of [
    [{ cumQuote: "500.75" }, 0.000010015], // the exact average of 500.75 USDT over 50 000 000
    [{ cumQuote: "500.75", avgPrice: "0.000010015" }, 0.000010015],
    [{}, 0.00001002], // no cumQuote: the venue's avgPrice
    [{ cumQuote: "" }, 0.00001002],
    [{ cumQuote: "600" }, 0.00001002], // 0.000012: not this order's quote
    [{ cumQuote: "500.75", avgPrice: "0" }, 0], // no average to check it against
  ] as const) {
    const v = adapterAnswering(() => restOrder(over));
    v.working("T0-E", ENTRY_ID);
    const s = await v.adapter.queryOrder(PEPE, "T0-E");
    expect([over, s?.avg_price]).toEqual([over, avg]);
  }
});

test("a catch-up after a lost fill reports the REST cumQuote's exact average and the lost leg's price", () => {
  const t = new OrderTracker();
  t.fromFact(fact({ X: "PARTIALLY_FILLED", z: "25000000", l: "25000000", L: "0.00001001", ap: "0.00001001" }), "c");
  const s = { ...restState(), avg_price: 0.000010015 }; // as _parse.ts reads cumQuote 500.75
  const e = t.fromState(s, "c");
  expect([e.avg_price, e.last_fill_size, e.last_fill_price]).toEqual([0.000010015, 25_000_000, 0.00001002]);
  expect(e.event_id).toBe(`${ENTRY_ID}:FILLED:50000000`);
});

function restState() {
  return {
    venue_order_id: ENTRY_ID,
    client_order_id: "c",
    asset: PEPE,
    side: "BUY" as const,
    position_side: "LONG" as const,
    type: "MARKET" as const,
    status: "FILLED" as const,
    size: 50_000_000,
    filled_size_cumulative: 50_000_000,
    avg_price: 0.00001002,
    fee_cumulative: 0,
    updated_ms: 1700000000500,
  };
}

const restBtc = (o: Record<string, unknown>) =>
  parseOrder({
    orderId: ENTRY_ID,
    symbol: "BTC-USDT",
    side: "BUY",
    positionSide: "LONG",
    type: "LIMIT",
    status: "FILLED",
    origQty: "0.003",
    executedQty: "0.003",
    commission: "0",
    updateTime: 1700000000500,
    clientOrderID: "t0-e",
    ...o,
  });

test("a REST cumQuote no finer than avgPrice (195.00 for 0.003 BTC, 4550.01 for 0.07) never overrides the exact avgPrice 65000.1", () => {
  expect(restBtc({ avgPrice: "65000.1", cumQuote: "195.00" })?.avg_price).toBe(65000.1);
  expect(restBtc({ origQty: "0.07", executedQty: "0.07", avgPrice: "65000.1", cumQuote: "4550.01" })?.avg_price).toBe(
    65000.1,
  );
});

test("a venue ap off the tick (not rounded to it) is trusted within its own written unit only: 65000.05 over a 0.1 tick is reported", () => {
  const t = new OrderTracker("per_trade", () => 0.1);
  t.fromFact(fact({ s: "BTC-USDT", X: "NEW", z: "0", l: "0", L: "0", ap: "0" }), "c");
  const e = t.fromFact(fact({ s: "BTC-USDT", X: "FILLED", z: "0.02", l: "0.02", L: "65000.1", ap: "65000.05" }), "c");
  expect(e.avg_price).toBe(65000.05);
});
