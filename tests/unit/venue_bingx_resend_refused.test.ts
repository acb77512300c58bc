/**
 * A placement whose outcome was unknown, then a resend the venue refuses (src/venue/bingx/_submit.ts),
 * against bingx-sim on loopback with time on a ManualClock and the network in the test's hands:
 * the first placement's answer is lost (the client sees a reset) and the placement itself is held
 * back, so the "not found" queries run before it lands. The resend's refusal says nothing of the
 * first placement: the order is never reported REJECTED nor untracked while it may rest at the venue.
 * - it lands before the resend, which meets 80014 "clientOrderId … already exists" (sent more than
 *   1 s after it): the query after the refusal finds it, ACCEPTED;
 * - it lands only after the resend was rate-limited and the queries again found nothing: UNKNOWN,
 *   still tracked, no REJECT; the late order is then seen under the kernel's spelling.
 */

import { afterEach, expect, test } from "bun:test";
import { simBehindOrderNetwork } from "../_support/bingx_sim.ts";

type Held = { url: string; init: RequestInit };
/** What the network does with the n-th placement (1-based): its answer, or a lost answer (reject). */
type PlacementPlan = (n: number, held: Held) => Promise<Response>;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function venueWithNetwork(plan: PlacementPlan) {
  let placements = 0;
  const v = await simBehindOrderNetwork(stops, 7, (url, init) => {
    if (init.method !== "POST") return fetch(url, init);
    const { signal: _ignored, ...bytes } = init; // the bytes travel whatever the client does later
    return plan(++placements, { url, init: bytes });
  });
  return { ...v, placements: () => placements };
}

const deliver = (h: Held) => fetch(h.url, h.init);
const lostAnswer = () => Promise.reject(new Error("connection reset by peer"));
const limitOrder = {
  client_order_id: "Ord1",
  asset: "BTC-USDT",
  side: "BUY" as const,
  position_side: "LONG" as const,
  type: "LIMIT" as const,
  price: 60_000,
  size: 0.01,
  reduce_only: false,
};

test("a resend refused as 'already exists' after the first placement landed late is ACCEPTED, not REJECTED", async () => {
  let first: Held | null = null;
  let resendAnswer = "";
  const v = await venueWithNetwork(async (n, held) => {
    if (n === 1) {
      first = held; // held back: the queries that follow find nothing
      return lostAnswer();
    }
    await (await deliver(first!)).text(); // the first placement lands now...
    v.clock.advance(1_500); // ...and the resend reaches the venue more than 1 s after it
    const answer = await deliver(held);
    resendAnswer = await answer.clone().text();
    return answer;
  });
  const result = await v.adapter.submit(limitOrder);
  expect(resendAnswer).toContain("already exists");
  const resting = v.sim.state().orders;
  expect(resting.map((o) => [o.clientOrderId.toLowerCase(), o.status])).toEqual([["ord1", "NEW"]]);
  expect(result).toEqual({ status: "ACCEPTED", venue_order_id: String(resting[0]!.orderId) });
  expect(v.events.filter((e) => e.kind === "REJECT")).toEqual([]);
  expect(v.placements()).toBe(2);
});

test("a rate-limited resend while the first placement is still on its way is UNKNOWN, tracked, never a REJECT", async () => {
  let first: Held | null = null;
  const v = await venueWithNetwork(async (n, held) => {
    if (n === 1) {
      first = held;
      return lostAnswer();
    }
    v.sim.faults.rate_limit = { count: 1, retry_hint: false };
    return deliver(held); // answered 429; the first placement has not landed yet
  });
  const result = await v.adapter.submit(limitOrder);
  expect(result.status).toBe("UNKNOWN");
  expect(v.events.filter((e) => e.kind === "REJECT")).toEqual([]);
  expect(v.placements()).toBe(2); // no third placement after a refused resend
  // The first placement lands after all: the adapter still works the order, under the kernel's spelling.
  await (await deliver(first!)).text();
  const open = await v.adapter.openOrders("BTC-USDT");
  expect(open.map((o) => [o.client_order_id, o.status])).toEqual([["Ord1", "NEW"]]);
});

test("a code-0 answer with no readable orderId is never resent: UNKNOWN and tracked until the order shows", async () => {
  let first: Held | null = null;
  const v = await venueWithNetwork(async (_n, held) => {
    first = held; // accepted, but the venue's books show it only later: the queries find nothing
    return new Response(JSON.stringify({ code: 0, msg: "", data: {} }), { status: 200 });
  });
  const result = await v.adapter.submit(limitOrder);
  expect(result.status).toBe("UNKNOWN");
  expect(result.status === "UNKNOWN" && result.reason).toContain("not resent");
  expect(v.placements()).toBe(1); // the venue said yes once: a second placement could rest beside it
  expect(v.events.filter((e) => e.kind === "REJECT")).toEqual([]);
  await (await deliver(first!)).text();
  const open = await v.adapter.openOrders("BTC-USDT");
  expect(open.map((o) => [o.client_order_id, o.status])).toEqual([["Ord1", "NEW"]]);
  expect(v.sim.state().orders.length).toBe(1);
});
