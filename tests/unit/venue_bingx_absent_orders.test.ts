/**
 * Placements whose outcome stayed unknown and that never reached BingX, over a long run
 * (src/venue/bingx/_working_orders.ts, adapter.ts, _catch_up.ts), against bingx-sim on loopback
 * with time on a ManualClock and every placement lost on the way (it never lands). The adapter
 * keeps such an order working while it may still land; once the venue says it has no such order
 * (80016) and no placement of it is running — the hung-order query after which the executor
 * rejects it as ABSENT, or a reconnect's catch-up — it is forgotten as working. Before, each one
 * stayed for ever: every reconnect's catch-up queried all of them again, and at WORKING_MAX
 * (10 000) every new order was refused locally. Its spelling is still remembered (bounded), so an
 * order that does land late is still seen under the kernel's client id.
 */

import { afterEach, expect, test } from "bun:test";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { adapterOnSim, ORDER_PATH, realTimeAdapter, restingBuy } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

type Held = { url: string; init: RequestInit };

/** An adapter whose placements are lost (never land) unless `hold` keeps one for later. */
async function venueLosingPlacements(opts: { hold?: (held: Held) => Promise<Response> } = {}) {
  let orderQueries = 0;
  const v = await adapterOnSim(9, stops, (url, init) => {
    if (!url.includes(ORDER_PATH)) return fetch(url, init);
    if (init.method === "GET") orderQueries++;
    if (init.method !== "POST") return fetch(url, init);
    const { signal: _ignored, ...bytes } = init;
    if (opts.hold) return opts.hold({ url, init: bytes });
    return Promise.reject(new Error("connection reset by peer"));
  });
  return { ...v, queries: () => orderQueries };
}

const N = 300;

test("orders the venue never got are forgotten when the hung-order query finds none: the working set does not grow with them", async () => {
  const v = await venueLosingPlacements();
  for (let i = 0; i < N; i++) {
    expect((await v.adapter.submit(restingBuy(`Lost${i}-E`))).status).toBe("UNKNOWN");
    expect(await v.adapter.queryOrder("BTC-USDT", `Lost${i}-E`)).toBeNull(); // the executor then rejects it (ABSENT)
  }
  expect(v.working()).toBe(0);
}, 60_000);

test("a reconnect's catch-up forgets the orders the venue has none of; the next catch-up queries none of them", async () => {
  const v = await venueLosingPlacements();
  for (let i = 0; i < N; i++) expect((await v.adapter.submit(restingBuy(`Lost${i}-E`))).status).toBe("UNKNOWN");
  expect(v.working()).toBe(N); // unknown, may still land: kept
  await v.catchUp();
  expect(v.working()).toBe(0);
  const before = v.queries();
  await v.catchUp();
  expect(v.queries() - before).toBe(0);
}, 60_000);

test("an order forgotten as absent that lands late is still reported under the kernel's spelling", async () => {
  let held: Held | null = null;
  const v = await venueLosingPlacements({
    hold: (h) => {
      held ??= h; // the first placement is held back on the network; it lands later
      return Promise.reject(new Error("connection reset by peer"));
    },
  });
  expect((await v.adapter.submit(restingBuy("Late1-E"))).status).toBe("UNKNOWN");
  expect(await v.adapter.queryOrder("BTC-USDT", "Late1-E")).toBeNull();
  expect(v.working()).toBe(0);
  await (await fetch(held!.url, held!.init)).text(); // it lands now
  const open = await v.adapter.openOrders("BTC-USDT");
  expect(open.map((o) => o.client_order_id)).toEqual(["Late1-E"]);
}, 60_000);

test("a query finding no order while its placement still runs forgets nothing: the placement's answer keeps it working", async () => {
  let release: () => void = () => {};
  const v = await venueLosingPlacements({
    hold: async (h) => {
      await new Promise<void>((r) => (release = r)); // the answer comes after the query below
      return fetch(h.url, h.init);
    },
  });
  const placing = v.adapter.submit(restingBuy("Slow1-E"));
  while (v.working() === 0) await Bun.sleep(1);
  expect(await v.adapter.queryOrder("BTC-USDT", "Slow1-E")).toBeNull();
  expect(v.working()).toBe(1);
  release();
  const r = await placing;
  expect(r.status).toBe("ACCEPTED");
  expect(v.working()).toBe(1);
}, 60_000);

test("one-way: an accepted opening order the venue no longer has (forgotten) holds back no opening of the other side", async () => {
  const v = await realTimeAdapter(stops, { seed: 45, prices: { "BTC-USDT": 65_000 }, positionMode: "oneway" });
  expect((await v.adapter.submit(restingBuy("Ow1-E"))).status).toBe("ACCEPTED"); // opens LONG, rests
  const forgot = await fetch(`${v.sim.url}/_sim/out_of_band`, {
    method: "POST",
    body: JSON.stringify({ action: "forget_order", clientOrderId: "Ow1-E" }),
  });
  expect(forgot.status).toBe(200);
  // The hung-order query: "no such order" about an order the venue acknowledged; the kernel ends it (ABSENT_STALE).
  expect(await v.adapter.queryOrder("BTC-USDT", "Ow1-E")).toBeNull();
  const short: OrderRequest = { ...restingBuy("Ow2-E"), side: "SELL", position_side: "SHORT", type: "MARKET" };
  delete short.price;
  const r = await v.adapter.submit(short);
  expect(r).toMatchObject({ status: "ACCEPTED" }); // not refused ONE_WAY_NETTING against Ow1-E
});
