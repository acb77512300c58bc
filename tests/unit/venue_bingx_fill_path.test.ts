/**
 * The BingX fill path (src/venue/bingx/adapter.ts, _working_orders.ts, _catch_up.ts, _parse.ts,
 * _order_tracker.ts), driven through the adapter with a scripted REST transport and stream frames
 * handed to it directly (no network, no sim):
 * - a fact of another venue order that shares a working order's (lower-cased) client id, or is
 *   of another symbol, never reaches the kernel under the working order's client id;
 * - a REST order answer with hostile values is a diagnostic, never an event;
 * - one fill seen on the stream and through a catch-up query carries one event id and the same
 *   cumulative and last quantities.
 */

import { expect, test } from "bun:test";
import type { VenueDiagnostic, VenueEvent } from "../../src/contracts/venue.ts";
import type { CatchUps } from "../../src/venue/bingx/_catch_up.ts";
import type { WorkingOrders } from "../../src/venue/bingx/_working_orders.ts";
import { classifyFrame, type FrameResult } from "../../src/venue/bingx/index.ts";
import { enter, feed, freshKernel } from "../_support/kernel.ts";
import { offlineAdapter } from "../_support/rest_client.ts";

const OURS = "1736012345678901234";
const OTHER = "1736012345678909999";

const frame = (o: Record<string, unknown>) =>
  classifyFrame(
    JSON.stringify({
      e: "ORDER_TRADE_UPDATE",
      E: 1700000000000,
      o: { s: "BTC-USDT", c: "t1-e", i: OURS, x: "TRADE", ap: "65000", L: "65000", n: "0", l: "0", ...o },
    }),
  );

const restOrder = (o: Record<string, unknown>) => ({
  code: 0,
  msg: "",
  data: {
    order: {
      orderId: OURS,
      symbol: "BTC-USDT",
      side: "BUY",
      positionSide: "LONG",
      type: "LIMIT",
      status: "PARTIALLY_FILLED",
      origQty: "0.03",
      executedQty: "0.01",
      avgPrice: "65000",
      commission: "-0.325",
      updateTime: 1700000000500,
      clientOrderID: "t1-e",
      ...o,
    },
  },
});

/** An adapter (never connected) whose every REST request is answered by `answer`. */
function adapterAnswering(answer: () => unknown) {
  const adapter = offlineAdapter(answer);
  const inner = adapter as unknown as {
    working: WorkingOrders;
    catchUps: CatchUps;
    onFrame(r: FrameResult): void;
  };
  const events: VenueEvent[] = [];
  const diags: VenueDiagnostic[] = [];
  adapter.onEvent((e) => void events.push(e));
  adapter.onDiagnostic((d) => void diags.push(d));
  const catchUp = async () => {
    inner.catchUps.request();
    while (inner.catchUps.running()) await Bun.sleep(1);
  };
  /** "T1-E" works at the venue as order OURS (its placement answered). */
  const working = () => {
    expect(inner.working.track("T1-E", "BTC-USDT", true)).toBeNull();
    inner.working.placed("T1-E", OURS);
  };
  return { adapter, inner, events, diags, catchUp, working };
}

test("a stream fill of another venue order sharing the working order's lower-cased client id is never reported under the kernel's id", () => {
  const v = adapterAnswering(() => ({}));
  v.working();
  v.inner.onFrame(frame({ i: OTHER, X: "FILLED", z: "0.05", l: "0.05", n: "-1.6" })); // a manual order "t1-e"
  expect(v.events.map((e) => [e.venue_order_id, e.client_order_id])).toEqual([[OTHER, "t1-e"]]);
  v.inner.onFrame(frame({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", n: "-0.325" })); // ours still maps
  expect(v.events[1]?.client_order_id).toBe("T1-E");
});

test("a stream fill for another symbol under the working order's client id is never reported under the kernel's id", () => {
  const v = adapterAnswering(() => ({}));
  expect(v.inner.working.track("T1-E", "BTC-USDT", true)).toBeNull(); // placement still out: no venue id yet
  v.inner.onFrame(frame({ s: "ETH-USDT", i: OTHER, X: "FILLED", z: "2", l: "2", n: "-1.6" }));
  expect(v.events.map((e) => e.client_order_id)).toEqual(["t1-e"]);
});

test("the kernel never books the foreign stream fill to the slot: its position stays the slot's own fills", () => {
  const k = freshKernel();
  enter(k, 0, { trade: "T1", size: 0.03 });
  const v = adapterAnswering(() => ({}));
  v.adapter.onEvent((e) => void feed(k, e));
  v.working();
  v.inner.onFrame(frame({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", n: "-0.325" }));
  v.inner.onFrame(frame({ i: OTHER, X: "PARTIALLY_FILLED", z: "0.02", l: "0.02", n: "-0.65" }));
  expect(k.slot(0).size).toBe(0.01);
  k.destroy();
});

test("a catch-up query that finds another venue order under the working order's client id applies nothing to it", async () => {
  const v = adapterAnswering(() => restOrder({ orderId: OTHER, status: "FILLED", executedQty: "0.03" }));
  v.working();
  await v.catchUp();
  expect(v.events.filter((e) => e.client_order_id === "T1-E")).toEqual([]);
  expect(v.inner.working.exact("T1-E")?.venue_order_id).toBe(OURS); // ours is still worked and caught up
});

test("a catch-up answer with hostile values is a MALFORMED_PAYLOAD naming the order, never an event", async () => {
  for (const over of [
    { executedQty: "-0.01" },
    { origQty: "-0.03" },
    { avgPrice: "-65000" },
    { commission: "-1e15" }, // no fill of 0.01 at 65 000 costs that
    { executedQty: "0", commission: "-0.325" }, // nothing filled, a commission
    { executedQty: "abc" },
    { status: "WEIRD" },
    { executedQty: null, status: undefined },
  ]) {
    const v = adapterAnswering(() => restOrder(over));
    v.working();
    await v.catchUp();
    expect([over, v.events]).toEqual([over, []]);
    const d = v.diags.find((x) => x.code === "MALFORMED_PAYLOAD");
    expect([over, d?.message.includes("T1-E")]).toEqual([over, true]);
  }
});

test("a hung-order query that finds another venue order under the working order's client id answers it under the venue's spelling", async () => {
  const v = adapterAnswering(() => restOrder({ orderId: OTHER, status: "FILLED", executedQty: "0.03" }));
  v.working();
  const s = await v.adapter.queryOrder("BTC-USDT", "T1-E");
  expect([s?.venue_order_id, s?.client_order_id]).toEqual([OTHER, "t1-e"]);
  expect(v.inner.working.exact("T1-E")?.venue_order_id).toBe(OURS); // ours is not let go by its end
});

test("open orders list another venue order sharing the working order's client id under the venue's spelling", async () => {
  const other = restOrder({ orderId: OTHER, status: "NEW", executedQty: "0", commission: "0" }).data.order;
  const mine = restOrder({ status: "NEW", executedQty: "0", commission: "0" }).data.order;
  const v = adapterAnswering(() => ({ code: 0, msg: "", data: { orders: [mine, other] } }));
  v.working();
  const open = await v.adapter.openOrders("BTC-USDT");
  expect(open.map((o) => [o.venue_order_id, o.client_order_id])).toEqual([
    [OURS, "T1-E"],
    [OTHER, "t1-e"],
  ]);
});
