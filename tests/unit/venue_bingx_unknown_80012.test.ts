/**
 * BingX's 80012 ("service unavailable", and many transport texts: "network failed", "The current system
 * is busy") is an outcome the venue itself does not know: the reference's error table marks it "maybe",
 * like 100500. A placement answered 80012 was read as a refusal (REJECT): the kernel's slot went back to
 * IDLE and the client id was untracked while the order could rest — and fill — at the venue, unmanaged.
 * Now 80012 is resolved by query, never by guessing (src/venue/bingx/errors.ts UNKNOWN_OUTCOME_CODES):
 * - the venue executed the placement and answered 80012: the query finds it, ACCEPTED, no REJECT;
 * - the venue did not execute it: the queries find nothing, so it is placed again (same client id), once;
 * - a cancel answered 80012 is no CANCEL_REJECT: the query says whether the order still works.
 */

import { afterEach, expect, test } from "bun:test";
import { classifyCode } from "../../src/venue/bingx/index.ts";
import { simBehindOrderNetwork } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const busy = () => new Response(JSON.stringify({ code: 80012, msg: "network failed", data: {} }), { status: 200 });

/** bingx-sim behind a network that answers the first `n` order POSTs (or DELETEs) with 80012, delivering them or not. */
async function venue(o: { method: "POST" | "DELETE"; deliver: boolean; times?: number }) {
  let hits = 0;
  let queries = 0;
  const v = await simBehindOrderNetwork(stops, 11, async (url, init) => {
    if (init.method === "GET") queries++;
    if (init.method !== o.method || hits >= (o.times ?? 1)) return fetch(url, init);
    hits++;
    if (o.deliver) await (await fetch(url, init)).text(); // the venue did it...
    return busy(); // ...and answered it could not tell
  });
  return { ...v, queries: () => queries, hits: () => hits };
}

const order = {
  client_order_id: "Busy1",
  asset: "BTC-USDT",
  side: "BUY" as const,
  position_side: "LONG" as const,
  type: "LIMIT" as const,
  price: 60_000,
  size: 0.01,
  reduce_only: false,
};

test("80012 is an unknown outcome, as the reference's table says (maybe), not a refusal", () => {
  expect(classifyCode(80012)).toBe("UNKNOWN");
});

test("a placement the venue executed but answered 80012 is found by query: ACCEPTED, no REJECT, still tracked", async () => {
  const v = await venue({ method: "POST", deliver: true });
  const result = await v.adapter.submit(order);
  const resting = v.sim.state().orders;
  expect(resting.map((o) => [o.clientOrderId.toLowerCase(), o.status])).toEqual([["busy1", "NEW"]]);
  expect(result).toEqual({ status: "ACCEPTED", venue_order_id: String(resting[0]!.orderId) });
  expect(v.events.filter((e) => e.kind === "REJECT")).toEqual([]);
  expect(v.queries()).toBeGreaterThan(0);
  const open = await v.adapter.openOrders("BTC-USDT");
  expect(open.map((o) => [o.client_order_id, o.status])).toEqual([["Busy1", "NEW"]]);
});

test("a placement answered 80012 that the venue never executed is placed again once, under the same client id", async () => {
  const v = await venue({ method: "POST", deliver: false });
  const result = await v.adapter.submit(order);
  const resting = v.sim.state().orders;
  expect(resting.map((o) => [o.clientOrderId.toLowerCase(), o.status])).toEqual([["busy1", "NEW"]]);
  expect(result).toEqual({ status: "ACCEPTED", venue_order_id: String(resting[0]!.orderId) });
  expect(v.hits()).toBe(1);
  expect(v.events.filter((e) => e.kind === "REJECT")).toEqual([]);
});

test("a cancel answered 80012 while the order still works is no CANCEL_REJECT: UNKNOWN after the query", async () => {
  const v = await venue({ method: "DELETE", deliver: false });
  const placed = await v.adapter.submit(order);
  expect(placed.status).toBe("ACCEPTED");
  const cancel = await v.adapter.cancel("BTC-USDT", "Busy1");
  expect(cancel.status).toBe("UNKNOWN");
  expect(v.events.filter((e) => e.kind === "CANCEL_REJECT")).toEqual([]);
});
