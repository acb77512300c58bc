/**
 * The BingX adapter against bingx-sim's rarer answers (sim faults `reject_orders`, `pending_ms`,
 * `ip_ban`), on loopback with time on a ManualClock:
 * - an order the venue accepts and its engine then REJECTS: the adapter's REJECT carries
 *   reject_reason VENUE, which the kernel requires of every REJECT (a REJECT without one is refused
 *   as invalid and the entry would stay working until the hung-order path);
 * - a PENDING order (accepted, not yet in the engine) reads as a working order (NEW), then fills;
 * - HTTP 418 (IP banned after 429s): the whole IP is banned, so the adapter sends nothing at all,
 *   on any endpoint, until the venue's expiry or, without one, BingX's 5-minute restriction; its
 *   `orderHoldMs` says so beforehand, and the order edges refuse ENTER and EXIT with that hint.
 */

import { afterEach, expect, test } from "bun:test";
import type { OrderRequest, VenueEvent } from "../../src/contracts/venue.ts";
import { orderIntentRefusal } from "../../src/launcher/_order_hold.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { VenueRequestError } from "../../src/venue/bingx/index.ts";
import { QUICK_STREAM, simAdapter, simOnClock } from "../_support/bingx_sim.ts";
import { enter, feed, freshKernel } from "../_support/kernel.ts";
import { marketBuy } from "../_support/venue_data.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function start() {
  const { sim, clock } = await simOnClock(17);
  stops.push(() => sim.stop());
  const adapter = simAdapter(sim, clock, {
    resolveDelaysMs: [0],
    stream: QUICK_STREAM,
  });
  stops.unshift(() => adapter.close());
  const events: VenueEvent[] = [];
  adapter.onEvent((e) => events.push(e));
  await adapter.connect();
  return { sim, clock, adapter, events };
}

const entry = (client_order_id: string): OrderRequest => marketBuy(client_order_id);

const until = async (pred: () => boolean) => {
  for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error("condition not reached");
};

async function refusal(p: Promise<unknown>): Promise<VenueRequestError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof VenueRequestError)) throw new Error(`expected a VenueRequestError, got ${String(e)}`);
  return e;
}

test("an order the venue accepts and then REJECTS becomes a REJECT with reason VENUE that the kernel applies: the entry slot is IDLE again", async () => {
  const { sim, adapter, events } = await start();
  sim.faults.reject_orders = 1;
  const cid = "T1-E";
  const kernel = freshKernel();
  stops.push(async () => kernel.destroy());
  const entered = enter(kernel, 0, { trade: "T1", size: 0.01 });
  expect(entered.accepted).toBe(true);
  expect(kernel.slot(0).entry_order?.client_order_id).toBe(cid);
  expect((await adapter.submit(entry(cid))).status).toBe("ACCEPTED");
  await until(() => events.some((e) => e.kind === "REJECT"));
  const reject = events.find((e) => e.kind === "REJECT")!;
  expect([reject.client_order_id, reject.filled_size_cumulative, reject.reject_reason]).toEqual([cid, 0, "VENUE"]);
  for (const e of events.filter((x) => x.client_order_id === cid)) {
    const out = feed(kernel, e);
    expect(out.diagnostics.filter((d) => d.code === "INVALID_INTENT")).toEqual([]);
  }
  expect(kernel.slot(0).stage).toBe("IDLE");
  // A REST read of the rejected order (catch-up, hung-order query) reads REJECTED too.
  expect((await adapter.queryOrder("BTC-USDT", cid))?.status).toBe("REJECTED");
});

test("a PENDING order (accepted, not yet in the engine) reads as working (NEW) over REST, then fills when the engine takes it", async () => {
  const { sim, clock, adapter, events } = await start();
  sim.faults.pending_ms = 1_000;
  expect((await adapter.submit(entry("p1"))).status).toBe("ACCEPTED");
  expect((await adapter.queryOrder("BTC-USDT", "p1"))?.status).toBe("NEW");
  expect((await adapter.openOrders("BTC-USDT")).map((o) => [o.client_order_id, o.status])).toEqual([["p1", "NEW"]]);
  clock.advance(1_000);
  expect((await adapter.queryOrder("BTC-USDT", "p1"))?.status).toBe("FILLED");
  await until(() => events.some((e) => e.kind === "FULL_FILL"));
  expect(
    events.filter((e) => e.kind === "FULL_FILL").map((e) => [e.client_order_id, e.filled_size_cumulative]),
  ).toEqual([["p1", 0.01]]);
});

async function bannedOnPlacement(sim: SimHandle, adapter: Awaited<ReturnType<typeof start>>["adapter"]) {
  const placed = await adapter.submit(entry("b1"));
  expect(placed.status).toBe("REJECTED");
  if (placed.status === "REJECTED") expect(placed.event.reject_reason).toBe("RATE_LIMITED");
  expect(sim.state().counters.ip_banned).toBe(1);
  return placed;
}

test("after HTTP 418 without an expiry the adapter sends nothing on any endpoint for BingX's 5 minutes", async () => {
  const { sim, clock, adapter } = await start();
  sim.faults.ip_ban = { count: 1, retry_hint: false };
  await bannedOnPlacement(sim, adapter);
  const held = await refusal(adapter.balance());
  expect([held.kind, held.retry_after_ms]).toEqual(["RATE_LIMIT", 300_000]);
  await refusal(adapter.positions("BTC-USDT"));
  await refusal(adapter.queryOrder("BTC-USDT", "b1"));
  expect(sim.state().counters.ip_banned).toBe(1);
  clock.advance(300_000);
  expect((await adapter.balance()).balance).toBeGreaterThan(0);
  expect(sim.state().counters.ip_banned).toBe(1);
});

test("after HTTP 418 with the venue's expiry the adapter sends nothing on any endpoint until that instant", async () => {
  const { sim, clock, adapter } = await start();
  sim.faults.ip_ban = { count: 1, retry_hint: true };
  const placed = await bannedOnPlacement(sim, adapter);
  if (placed.status === "REJECTED") expect(placed.event.retry_after_ms).toBe(300_000);
  clock.advance(200_000);
  expect((await refusal(adapter.balance())).retry_after_ms).toBe(100_000);
  expect(sim.state().counters.ip_banned).toBe(1);
  clock.advance(100_000);
  expect((await adapter.balance()).balance).toBeGreaterThan(0);
  expect(sim.state().counters.ip_banned).toBe(1);
});

test("during an IP ban the adapter's orderHoldMs is the ban's remaining time and the order edge refuses an EXIT with it", async () => {
  const { sim, clock, adapter } = await start();
  expect(adapter.orderHoldMs()).toBeNull();
  sim.faults.ip_ban = { count: 1, retry_hint: true };
  await bannedOnPlacement(sim, adapter);
  clock.advance(60_000);
  expect(adapter.orderHoldMs()).toBe(240_000);
  const slotOf = () => ({ asset: "BTC-USDT", size: 0.01, side: "LONG" as const });
  const sl = { type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" } as const;
  expect(orderIntentRefusal(adapter, sl, slotOf)).toMatchObject({
    code: "RATE_LIMITED",
    input_kind: "EXIT",
    retry_after_ms: 240_000,
  });
  expect(orderIntentRefusal(adapter, { type: "CANCEL", slot_id: 0 }, slotOf)).toBeNull(); // a cancel is not held here
  clock.advance(240_000);
  expect([adapter.orderHoldMs(), orderIntentRefusal(adapter, sl, slotOf)]).toEqual([null, null]);
});
