/**
 * An order whose end the stream never delivered (its last frame lost, the stream still up) is let
 * go as working once the hung-order query answers its final state (src/venue/bingx/adapter.ts
 * `queryOrder`). Before, it stayed in the working set until the next reconnect's catch-up, and if
 * BingX no longer knew the order by then (109421) it was never forgotten, since it had a venue
 * order id: queried again at every reconnect, counted against WORKING_MAX until every new order
 * was refused. Here bingx-sim cancels the resting order out of band (no stream event at all).
 */

import { afterEach, expect, test } from "bun:test";
import { adapterOnSim, restingBuy } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

test("a resting order ended at the venue with no stream event leaves the working set when its query answers CANCELED", async () => {
  const { sim, adapter, working } = await adapterOnSim(11, stops);

  expect((await adapter.submit(restingBuy("Rest1-E"))).status).toBe("ACCEPTED");
  expect(working()).toBe(1);
  const cancelled = await fetch(`${sim.url}/_sim/out_of_band`, {
    method: "POST",
    body: JSON.stringify({ action: "cancel_order", clientOrderId: "Rest1-E" }),
  });
  expect(cancelled.status).toBe(200);

  const state = await adapter.queryOrder("BTC-USDT", "Rest1-E");
  expect(state?.status).toBe("CANCELED");
  expect(state?.client_order_id).toBe("Rest1-E");
  expect(working()).toBe(0);
});
