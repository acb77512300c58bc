/**
 * A client order id used again (a strategy's own trade id, a journal reset) while BingX still
 * remembers the old order under it, against bingx-sim on loopback with time on a ManualClock
 * (src/venue/bingx/_submit.ts, _resolve.ts): yesterday's process placed "T1-E" (BUY 0.01) and it
 * FILLED; ten minutes later a new process places "T1-E" again, same side and size, and the first
 * placement's answer is lost. The lookup by client id finds the old order: it was created before
 * this placement was sent, so it is not this placement's order (CLIENT_ID_TAKEN REJECT), never
 * ACCEPTED, and its old fill is never booked to the new order. The lookup itself (`resolveByQuery`,
 * with fakes): within `CREATED_MARGIN_MS` before the send an order is still ours (clock offset
 * error); an answer with no creation time is judged by side and size as before.
 */

import { afterEach, expect, test } from "bun:test";
import type { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueEvent, VenueOrderState } from "../../src/contracts/venue.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { CREATED_MARGIN_MS, type ResolveContext, resolveByQuery } from "../../src/venue/bingx/_resolve.ts";
import type { BingxRestClient } from "../../src/venue/bingx/rest_client.ts";
import {
  type Network,
  ORDER_PATH,
  placementLostLookupsFail,
  QUICK_STREAM,
  simAdapter,
  simWithFilledEntry,
} from "../_support/bingx_sim.ts";
import { marketBuy } from "../_support/venue_data.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function adapterOn(sim: SimHandle, clock: ManualClock, network: Network) {
  const adapter = simAdapter(sim, clock, { fetch: network, resolveDelaysMs: [0, 0, 0], stream: QUICK_STREAM });
  stops.unshift(() => adapter.close());
  const events: VenueEvent[] = [];
  adapter.onEvent((e) => events.push(e));
  await adapter.connect();
  return { adapter, events };
}

const entry = marketBuy("T1-E");

/** The sim with yesterday's "T1-E" FILLED there (placed by another adapter, now closed), 10 min ago. */
const venueWithOldFill = () => simWithFilledEntry(11, stops);

/** A network whose first placement answer is lost: `deliver` says whether the request reached the venue. */
function firstAnswerLost(deliver: boolean): Network {
  let placements = 0;
  return async (url, init) => {
    if (!url.includes(ORDER_PATH) || init.method !== "POST" || ++placements > 1) return fetch(url, init);
    if (deliver) await (await fetch(url, init)).text();
    throw new Error("connection reset by peer");
  };
}

for (const delivered of [false, true]) {
  const how = delivered ? "refused by the venue (80014)" : "never reached the venue";
  test(`a reused client id whose old FILLED order is found after a lost answer (placement ${how}) is CLIENT_ID_TAKEN, not ACCEPTED`, async () => {
    const { sim, clock } = await venueWithOldFill();
    const oldOrderId = String(sim.state().orders[0]!.orderId);
    const now = await adapterOn(sim, clock, firstAnswerLost(delivered));
    const result = await now.adapter.submit(entry);
    expect(result.status).toBe("REJECTED");
    expect(result.status === "REJECTED" && result.event.venue_code).toBe("CLIENT_ID_TAKEN");
    expect(result.status === "REJECTED" && result.event.venue_message).toContain(oldOrderId);
    // The old order's fill is never reported for the new placement: its only event is the REJECT.
    expect(now.events.map((e) => e.kind)).toEqual(["REJECT"]);
    expect(sim.state().orders.length).toBe(1); // nothing else was placed
  });
}

test("after a placement left UNKNOWN, the hung-order query finds only the old order under the reused id: never reported as the kernel's order", async () => {
  const { sim, clock } = await venueWithOldFill();
  const now = await adapterOn(sim, clock, placementLostLookupsFail(3));
  expect((await now.adapter.submit(entry)).status).toBe("UNKNOWN");
  const found = await now.adapter.queryOrder("BTC-USDT", "T1-E");
  expect(found?.status).toBe("FILLED");
  expect(found?.client_order_id).not.toBe("T1-E"); // the venue's spelling: the kernel books nothing to its order
  expect(now.events.filter((e) => e.client_order_id === "T1-E")).toEqual([]);
});

/** A query answer for "T1-E" (BUY 0.01, FILLED) created at `time` (omitted when undefined). */
function answer(time: number | undefined) {
  const order: Record<string, unknown> = {
    symbol: "BTC-USDT",
    orderId: "1800000000000000001",
    side: "BUY",
    positionSide: "LONG",
    type: "MARKET",
    origQty: "0.01",
    executedQty: "0.01",
    avgPrice: "65000",
    commission: "-0.3",
    status: "FILLED",
    updateTime: 1_700_000_009_000,
    clientOrderId: "t1-e",
  };
  if (time !== undefined) order.time = time;
  return { order };
}

async function lookUp(time: number | undefined, sentMs: number) {
  const applied: VenueOrderState[] = [];
  const ctx: ResolveContext = {
    rest: { request: async () => answer(time) } as unknown as BingxRestClient,
    applyState: (s) => applied.push(s),
    resolveDelaysMs: [0],
    sleep: async () => {},
  };
  const found = await resolveByQuery(ctx, "BTC-USDT", "T1-E", { side: "BUY", quantity: 0.01, sentMs });
  return { found, applied };
}

test("an order created less than the clock margin before the placement was sent is still the placement's own", async () => {
  const sentMs = 1_700_000_010_000;
  const { found, applied } = await lookUp(sentMs - CREATED_MARGIN_MS + 1, sentMs);
  expect(found.state?.venue_order_id).toBe("1800000000000000001");
  expect(found.foreign).toBeUndefined();
  expect(applied.length).toBe(1);
});

test("an order created more than the clock margin before the placement was sent is foreign and never applied", async () => {
  const sentMs = 1_700_000_010_000;
  const { found, applied } = await lookUp(sentMs - CREATED_MARGIN_MS - 1, sentMs);
  expect(found.foreign?.venue_order_id).toBe("1800000000000000001");
  expect(found.state).toBeUndefined();
  expect(applied).toEqual([]);
});

test("an order answer with no readable creation time is judged by side and size only", async () => {
  const { found } = await lookUp(undefined, 1_700_000_010_000);
  expect(found.state?.venue_order_id).toBe("1800000000000000001");
});
