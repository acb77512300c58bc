/**
 * Client ids that differ only in case are one order at BingX (it lower-cases them), against
 * bingx-sim on loopback with time on a ManualClock (src/venue/bingx/_working_orders.ts, _resolve.ts):
 * - "AB" then "ab" from this process, back to back: the second is refused locally (LOCAL_RULE
 *   CLIENT_ID_CASE naming both spellings), nothing sent; no fill of "AB" is ever booked to "ab";
 * - an order of another process holding "ab": our "AB" meets 109201, and the order the lookup finds
 *   (other quantity) is not ours: a REJECT (CLIENT_ID_TAKEN), never ACCEPTED, its fills never ours.
 */

import { afterEach, expect, test } from "bun:test";
import type { ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest, VenueDiagnostic, VenueEvent } from "../../src/contracts/venue.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { QUICK_STREAM, simAdapter, simOnClock } from "../_support/bingx_sim.ts";
import { marketBuy } from "../_support/venue_data.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function startSim() {
  const { sim, clock } = await simOnClock(7);
  stops.push(() => sim.stop());
  return { sim, clock };
}

async function adapterOn(sim: SimHandle, clock: ManualClock) {
  const adapter = simAdapter(sim, clock, {
    resolveDelaysMs: [0],
    stream: QUICK_STREAM,
  });
  stops.unshift(() => adapter.close());
  const events: VenueEvent[] = [];
  const diags: VenueDiagnostic[] = [];
  adapter.onEvent((e) => events.push(e));
  adapter.onDiagnostic((d) => diags.push(d));
  await adapter.connect();
  return { adapter, events, diags };
}

const entry = (client_order_id: string, size: number): OrderRequest => marketBuy(client_order_id, size);

const settle = async (pred: () => boolean) => {
  for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
};

test('two entries "AB" and "ab" back to back: the second is rejected locally, never booked to the first\'s fill', async () => {
  const { sim, clock } = await startSim();
  const v = await adapterOn(sim, clock);
  const [first, second] = await Promise.all([v.adapter.submit(entry("AB", 0.01)), v.adapter.submit(entry("ab", 0.02))]);
  expect(first.status).toBe("ACCEPTED");
  expect(second.status).toBe("REJECTED");
  if (second.status === "REJECTED") expect(second.event.venue_code).toBe("LOCAL_RULE");
  const rule = v.diags.find((d) => d.code === "LOCAL_RULE");
  expect(rule?.message).toContain('"ab"');
  expect(rule?.message).toContain('"AB"');
  expect(sim.state().orders.length).toBe(1); // nothing sent for "ab"
  await settle(() => v.events.some((e) => e.kind === "FULL_FILL"));
  const fills = v.events.filter((e) => e.kind === "FULL_FILL" || e.kind === "PARTIAL_FILL");
  expect(fills.map((e) => [e.client_order_id, e.filled_size_cumulative])).toEqual([["AB", 0.01]]);
  expect(v.events.filter((e) => e.client_order_id === "ab").map((e) => e.kind)).toEqual(["REJECT"]);
});

test("an order found by client id after 109201 whose quantity differs is another order: REJECTED, never ACCEPTED", async () => {
  const { sim, clock } = await startSim();
  const other = await adapterOn(sim, clock); // another process on the same account
  const ours = await adapterOn(sim, clock);
  const theirs = await other.adapter.submit(entry("ab", 0.01));
  expect(theirs.status).toBe("ACCEPTED");
  const result = await ours.adapter.submit(entry("AB", 0.02)); // within 1 s: the venue answers 109201
  expect(result.status).toBe("REJECTED");
  if (result.status === "REJECTED") expect(result.event.venue_code).toBe("CLIENT_ID_TAKEN");
  await settle(() => ours.events.some((e) => e.client_order_id === "ab" && e.kind === "FULL_FILL"));
  // The shared account stream shows their order under the venue's spelling; none of it is booked to "AB".
  expect(ours.events.filter((e) => e.client_order_id === "AB").map((e) => e.kind)).toEqual(["REJECT"]);
  expect(ours.events.some((e) => e.client_order_id === "ab" && e.kind === "FULL_FILL")).toBe(true);
});
