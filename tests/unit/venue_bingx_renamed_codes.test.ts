/**
 * BingX renamed its order-lookup codes: "order does not exist" is 109421 (80016 before). The
 * adapter reads both as the venue having no such order (src/venue/bingx/errors.ts `orderAbsent`):
 * the hung-order query answers null (the executor then rejects the order as ABSENT) and a
 * reconnect's catch-up forgets it, instead of an error that leaves the order working for ever.
 * bingx-sim answers 80016; here the network rewrites its answers to the new code.
 */

import { afterEach, expect, test } from "bun:test";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { ORDER_PATH, simAdapter, simOnClock } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** An adapter whose placements never land and whose order lookups come back with BingX's new code. */
async function venueSpeakingNewCodes() {
  const { sim, clock } = await simOnClock(9);
  const network = async (url: string, init: RequestInit): Promise<Response> => {
    clock.advance(1_000);
    if (!url.includes(ORDER_PATH)) return fetch(url, init);
    if (init.method === "POST") return Promise.reject(new Error("connection reset by peer"));
    const res = await fetch(url, init);
    const text = (await res.text()).replace(/"code":\s*80016\b/, '"code":109421');
    return new Response(text, { status: res.status, headers: res.headers });
  };
  const adapter = simAdapter(sim, clock, { fetch: network, resolveDelaysMs: [0] });
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  const inner = adapter as unknown as {
    working: { all(): unknown[] };
    catchUps: { request(): void; running(): boolean };
  };
  const catchUp = async () => {
    inner.catchUps.request();
    while (inner.catchUps.running()) await Bun.sleep(1);
  };
  return { adapter, working: () => inner.working.all().length, catchUp };
}

const limit = (cid: string): OrderRequest => ({
  client_order_id: cid,
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "LIMIT",
  price: 60_000,
  size: 0.001,
  reduce_only: false,
});

test("the hung-order query answered 109421 (order does not exist) is 'no such order', not an error", async () => {
  const v = await venueSpeakingNewCodes();
  expect((await v.adapter.submit(limit("Gone1-E"))).status).toBe("UNKNOWN");
  expect(await v.adapter.queryOrder("BTC-USDT", "Gone1-E")).toBeNull();
  expect(v.working()).toBe(0);
});

test("a reconnect's catch-up answered 109421 forgets the order as working", async () => {
  const v = await venueSpeakingNewCodes();
  expect((await v.adapter.submit(limit("Gone2-E"))).status).toBe("UNKNOWN");
  expect(v.working()).toBe(1);
  await v.catchUp();
  expect(v.working()).toBe(0);
});
