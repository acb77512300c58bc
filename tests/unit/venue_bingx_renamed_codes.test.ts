/**
 * BingX renamed its order-lookup codes: "order does not exist" is 109421 (80016 before). The
 * adapter reads both as the venue having no such order (src/venue/bingx/errors.ts `orderAbsent`):
 * the hung-order query answers null (the executor then rejects the order as ABSENT) and a
 * reconnect's catch-up forgets it, instead of an error that leaves the order working for ever.
 * bingx-sim answers 80016; here the network rewrites its answers to the new code.
 */

import { afterEach, expect, test } from "bun:test";
import { adapterOnSim, ORDER_PATH, restingBuy } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** An adapter whose placements never land and whose order lookups come back with BingX's new code. */
const venueSpeakingNewCodes = () =>
  adapterOnSim(9, stops, async (url, init) => {
    if (!url.includes(ORDER_PATH)) return fetch(url, init);
    if (init.method === "POST") return Promise.reject(new Error("connection reset by peer"));
    const res = await fetch(url, init);
    const text = (await res.text()).replace(/"code":\s*80016\b/, '"code":109421');
    return new Response(text, { status: res.status, headers: res.headers });
  });

test("the hung-order query answered 109421 (order does not exist) is 'no such order', not an error", async () => {
  const v = await venueSpeakingNewCodes();
  expect((await v.adapter.submit(restingBuy("Gone1-E"))).status).toBe("UNKNOWN");
  expect(await v.adapter.queryOrder("BTC-USDT", "Gone1-E")).toBeNull();
  expect(v.working()).toBe(0);
});

test("a reconnect's catch-up answered 109421 forgets the order as working", async () => {
  const v = await venueSpeakingNewCodes();
  expect((await v.adapter.submit(restingBuy("Gone2-E"))).status).toBe("UNKNOWN");
  expect(v.working()).toBe(1);
  await v.catchUp();
  expect(v.working()).toBe(0);
});
