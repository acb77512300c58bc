/**
 * A reconnect's catch-up (src/venue/bingx/_catch_up.ts) must not leave a hole: an order whose
 * catch-up query failed (a 5xx, a timeout, a rate limit) is queried again, so a fill the stream
 * missed during the gap still reaches the kernel.
 */

import { afterEach, expect, test } from "bun:test";
import type { VenueDiagnostic, VenueEvent } from "../../src/contracts/venue.ts";
import { adapterOnSim, ORDER_PATH, restingBuy } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

test("a catch-up query that fails once is retried: the fill the stream missed during the gap is still reported", async () => {
  let failNextQuery = false;
  const v = await adapterOnSim(19, stops, (url, init) => {
    if (failNextQuery && url.includes(ORDER_PATH) && init.method === "GET") {
      failNextQuery = false;
      return Promise.resolve(new Response("bad gateway", { status: 502 }));
    }
    return fetch(url, init);
  });
  const events: VenueEvent[] = [];
  const diags: VenueDiagnostic[] = [];
  v.adapter.onEvent((e) => void events.push(e));
  v.adapter.onDiagnostic((d) => void diags.push(d));
  expect((await v.adapter.submit(restingBuy("Gap1-E"))).status).toBe("ACCEPTED");
  v.sim.setPrice("BTC-USDT", 59_000); // it fills while the stream is away: no frame reaches the adapter
  failNextQuery = true;
  await v.catchUp();
  expect(diags.some((d) => d.code === "STREAM_GAP" && d.message.includes("Gap1-E"))).toBe(true);
  const fills = events.filter((e) => e.client_order_id === "Gap1-E" && e.kind === "FULL_FILL");
  expect(fills.map((e) => e.filled_size_cumulative)).toEqual([0.001]);
  expect(v.working()).toBe(0);
}, 30_000);
