/**
 * Orders BingX accepted (a venue order id) and then no longer has (purged from its history, or ended
 * by its risk engine with the stream event lost), in the BingX adapter's working set
 * (src/venue/bingx/_working_orders.ts `forgetAbsent`, adapter.ts, _catch_up.ts), against bingx-sim on
 * loopback with time on a ManualClock (each request moves it 1 s). The venue's "no such order" right
 * after it accepted an order may be its query lagging the acceptance, so one answer does not drop
 * such an order; but none ever did: once the hung-order query's answer had the kernel end it
 * (ABSENT_STALE, then reconcile), it stayed tracked for ever, queried again at every reconnect's
 * catch-up, and such orders piled up towards WORKING_MAX (past it every new order is refused). Now a
 * second "no such order" (both past `QUERY_LAG_MS` after the acceptance) lets it go; a query finding it
 * working in between keeps it; its spelling stays known, so an order seen later still maps to the
 * kernel's client id.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { QUERY_LAG_MS } from "../../src/venue/bingx/_working_orders.ts";
import { adapterOnSim, ORDER_PATH, restingBuy } from "../_support/bingx_sim.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The hung-order time the kernel waits by default before it asks the venue about an order. */
const HUNG_ORDER_MS = 30_000;

/**
 * The adapter on the sim; order queries counted; while `absent` holds a client id (lower-cased), the
 * venue answers that order's queries "no such order" (80016) although it still has the order.
 */
async function venue(clock: ManualClock = new ManualClock()) {
  let orderQueries = 0;
  const absent = new Set<string>();
  const v = await adapterOnSim(
    17,
    stops,
    (url, init) => {
      const query = url.includes(ORDER_PATH) && (init.method ?? "GET") === "GET";
      if (query) orderQueries++;
      const cid = query ? new URL(url).searchParams.get("clientOrderID")?.toLowerCase() : undefined;
      if (cid === undefined || !absent.has(cid)) return fetch(url, init);
      return Promise.resolve(Response.json({ code: 80016, msg: "order not exist", data: {} }));
    },
    clock,
  );
  const forget = async (clientOrderId: string) => {
    const r = await fetch(`${v.sim.url}/_sim/out_of_band`, {
      method: "POST",
      body: JSON.stringify({ action: "forget_order", clientOrderId }),
    });
    expect(r.status).toBe(200);
  };
  return { ...v, absent, forget, queries: () => orderQueries };
}

test("accepted orders the venue forgot, ended in the kernel after the hung-order query, are let go by the next reconnect's catch-up: the one after queries none of them", async () => {
  const v = await venue();
  const N = 20;
  for (let i = 0; i < N; i++) expect((await v.adapter.submit(restingBuy(`Gone${i}-E`))).status).toBe("ACCEPTED");
  for (let i = 0; i < N; i++) await v.forget(`Gone${i}-E`);
  v.clock.advance(HUNG_ORDER_MS);
  // The hung-order query: "no such order" about orders the venue acknowledged; the kernel ends each (ABSENT_STALE).
  for (let i = 0; i < N; i++) expect(await v.adapter.queryOrder("BTC-USDT", `Gone${i}-E`)).toBeNull();
  expect(v.working()).toBe(N); // one answer: kept for one more check
  await v.catchUp(); // the next reconnect: the venue still has none of them
  expect(v.working()).toBe(0);
  const before = v.queries();
  await v.catchUp();
  expect(v.queries() - before).toBe(0);
}, 60_000);

test("a second 'no such order' right after the hung-order query's (live reconciliation's lookup of a stale entry) lets the order go at once", async () => {
  const v = await venue();
  expect((await v.adapter.submit(restingBuy("Gone-E"))).status).toBe("ACCEPTED");
  await v.forget("Gone-E");
  v.clock.advance(HUNG_ORDER_MS);
  expect(await v.adapter.queryOrder("BTC-USDT", "Gone-E")).toBeNull(); // the hung-order query
  expect(await v.adapter.queryOrder("BTC-USDT", "Gone-E")).toBeNull(); // reconciliation's lookup
  expect(v.working()).toBe(0);
  await v.catchUp();
  expect(v.working()).toBe(0);
}, 60_000);

test("'no such order' answers within QUERY_LAG_MS of the acceptance (the venue's query lagging) never drop the order", async () => {
  const v = await venue();
  expect((await v.adapter.submit(restingBuy("Lag1-E"))).status).toBe("ACCEPTED");
  v.absent.add("lag1-e");
  const queries = Math.floor(QUERY_LAG_MS / 1_000) - 1; // each request moves the clock 1 s
  for (let i = 0; i < queries; i++) expect(await v.adapter.queryOrder("BTC-USDT", "Lag1-E")).toBeNull();
  expect(v.working()).toBe(1);
  v.absent.clear();
  expect(await v.adapter.queryOrder("BTC-USDT", "Lag1-E")).toMatchObject({ status: "NEW", client_order_id: "Lag1-E" });
  expect(v.working()).toBe(1);
}, 60_000);

test("a query finding the order working between two 'no such order' answers keeps it; its spelling stays known once let go", async () => {
  const v = await venue();
  expect((await v.adapter.submit(restingBuy("Blip1-E"))).status).toBe("ACCEPTED");
  v.clock.advance(HUNG_ORDER_MS);
  v.absent.add("blip1-e");
  expect(await v.adapter.queryOrder("BTC-USDT", "Blip1-E")).toBeNull();
  v.absent.clear();
  expect(await v.adapter.queryOrder("BTC-USDT", "Blip1-E")).toMatchObject({ status: "NEW" });
  v.absent.add("blip1-e");
  expect(await v.adapter.queryOrder("BTC-USDT", "Blip1-E")).toBeNull();
  expect(v.working()).toBe(1); // one answer since it was seen working
  expect(await v.adapter.queryOrder("BTC-USDT", "Blip1-E")).toBeNull();
  expect(v.working()).toBe(0);
  // The venue did have it after all: its listing still reaches the kernel under the kernel's spelling.
  const open = await v.adapter.openOrders("BTC-USDT");
  expect(open.map((o) => o.client_order_id)).toEqual(["Blip1-E"]);
}, 60_000);

/** A wall clock an operator's NTP correction steps, over a monotonic clock that never jumps. */
class SteppingClock extends ManualClock {
  private offsetMs = 0;
  override nowMs(): number {
    return super.nowMs() + this.offsetMs;
  }
  stepWall(ms: number): void {
    this.offsetMs += ms;
  }
}

test("a wall clock stepped forward does not shorten the lag window: 'no such order' right after the acceptance keeps the order", async () => {
  const clock = new SteppingClock();
  const v = await venue(clock);
  expect((await v.adapter.submit(restingBuy("Step1-E"))).status).toBe("ACCEPTED");
  v.absent.add("step1-e"); // the venue's query lags the acceptance
  clock.stepWall(3_600_000); // the host's clock corrected by an hour meanwhile
  expect(await v.adapter.queryOrder("BTC-USDT", "Step1-E")).toBeNull();
  expect(await v.adapter.queryOrder("BTC-USDT", "Step1-E")).toBeNull();
  expect(v.working()).toBe(1); // two seconds after the acceptance, by a clock that does not jump
}, 60_000);
