/**
 * A reused client order id after a restart (src/venue/bingx/adapter.ts `queryOrder`), against
 * bingx-sim on loopback with time on a ManualClock: an earlier process placed "T1-E" (BUY 0.01) and
 * it FILLED; ten minutes later a new process (its adapter never placed the order, as after a
 * restart) looks "T1-E" up for the kernel's order of that id. The adapter cannot know when the order
 * was sent, so the caller says when the kernel created it (`OrderRecord.created_at_ms`, local ms):
 * an order the venue created more than `CREATED_MARGIN_MS` before that (local ms plus the measured
 * venue offset) is another one, reported under the venue's spelling, never as the kernel's order.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { CREATED_MARGIN_MS } from "../../src/venue/bingx/_resolve.ts";
import { QUICK_STREAM, simAdapter, simWithFilledEntry } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function connected(sim: SimHandle, clock: ManualClock) {
  const adapter = simAdapter(sim, clock, { resolveDelaysMs: [0], stream: QUICK_STREAM });
  stops.unshift(() => adapter.close());
  await adapter.connect();
  return adapter;
}

/** The sim with "T1-E" FILLED there ten minutes ago, placed by an earlier adapter (now closed); when the venue created it. */
const venueWithFilledOrder = () => simWithFilledEntry(11, stops);

test("after a restart, a lookup of a reused client id whose only venue order is an old FILLED one created before the kernel's order is not reported as the kernel's order", async () => {
  const { sim, clock } = await venueWithFilledOrder();
  const kernelCreatedAtMs = clock.nowMs(); // the kernel's new "T1-E", ten minutes after the old one
  const restarted = await connected(sim, clock);
  const found = await restarted.queryOrder("BTC-USDT", "T1-E", kernelCreatedAtMs);
  expect(found?.status).toBe("FILLED");
  expect(found?.client_order_id).toBe("t1-e"); // the venue's spelling: the kernel books nothing to its order
});

test("after a restart, the kernel's own order (created at the venue after the kernel created it) is still reported as the kernel's", async () => {
  const { sim, clock, createdAtVenue } = await venueWithFilledOrder();
  const restarted = await connected(sim, clock);
  const found = await restarted.queryOrder("BTC-USDT", "T1-E", createdAtVenue - 50);
  expect(found).toMatchObject({ status: "FILLED", client_order_id: "T1-E" });
});

test("after a restart, an order the venue created less than the margin before the kernel created it is still the kernel's (clock error)", async () => {
  const { sim, clock, createdAtVenue } = await venueWithFilledOrder();
  const restarted = await connected(sim, clock);
  const found = await restarted.queryOrder("BTC-USDT", "T1-E", createdAtVenue + CREATED_MARGIN_MS - 1);
  expect(found?.client_order_id).toBe("T1-E");
});

test("after a restart, the kernel's creation time is converted to venue time with the measured offset (local clock an hour ahead)", async () => {
  const { sim, clock, createdAtVenue } = await venueWithFilledOrder();
  const local = new ManualClock(clock.nowMs() + 3_600_000); // this machine's clock runs an hour ahead of the venue
  const restarted = await connected(sim, local);
  // The kernel created its order (local ms) just before the venue created it.
  const found = await restarted.queryOrder("BTC-USDT", "T1-E", createdAtVenue + 3_600_000 - 50);
  expect(found?.client_order_id).toBe("T1-E");
  const old = await restarted.queryOrder("BTC-USDT", "T1-E", local.nowMs());
  expect(old?.client_order_id).toBe("t1-e");
});

test("a lookup without the kernel's creation time judges as before (the order found is the caller's)", async () => {
  const { sim, clock } = await venueWithFilledOrder();
  const restarted = await connected(sim, clock);
  expect((await restarted.queryOrder("BTC-USDT", "T1-E"))?.client_order_id).toBe("T1-E");
});
