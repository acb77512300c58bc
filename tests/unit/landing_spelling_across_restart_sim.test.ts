/**
 * An order of the kernel's that lands at BingX only after a restart. BingX lower-cases client order ids; the adapter
 * maps the venue's spelling back to the kernel's for the orders it knows (working, or forgotten as absent), but that
 * memory is the process's: after a restart it knew none of them, so the landed order's events reached the kernel under
 * the venue's spelling (`d1-x1` for `D1-X1`). The kernel routed them by venue order id when its order had one (an ended
 * exit's late fill then was no longer the exit's own, decision 38, but an OVERFILL: the slot reconciled to the venue's
 * flat position, the trade's CLOSE row lost), else not at all (UNKNOWN_ORDER, an ERROR for the kernel's own order; an
 * entry's fill then an anonymous ORPHAN_POSITION for live reconciliation).
 *
 * What a production system must do, and these tests state: at start, once the belief is restored, the adapter is told
 * the kernel's spellings of the orders its slots name (each slot's entry and exit, working or ended), so such an order's
 * events reach the kernel under the kernel's client id and the kernel decides what they mean (no UNKNOWN_ORDER).
 *
 * End to end: Runtimes (journal, executor, serve loops, the hung-order path, live reconciliation every 1 s) on the
 * BingX adapter against one bingx-sim in this process (`pending_ms`, `hide_order`, `land_order`), the second on the
 * first's state directory.
 */

import { afterEach, expect, test } from "bun:test";
import type { SimHandle } from "../../src/sim/index.ts";
import { enterLong, exitTakenAsEnded, outOfBand, venueLong } from "../_support/late_landing.ts";
import { simRuntime } from "../_support/sim_runtime.ts";
import { within } from "../_support/within.ts";

/** A hung order is flagged this long after its last venue update (at the next 1 s TICK). */
const HUNG_ORDER_MS = 300;
/** The bound: a TICK, the query, a reconciliation pass or two, on a busy machine. */
const WITHIN_MS = 15_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A runtime against a fresh bingx-sim (BTC-USDT at 65 000, a 10 000 wallet), live reconciliation every 1 s. */
async function world() {
  const w = await simRuntime({
    seed: 47,
    prices: { "BTC-USDT": 65_000 },
    intervalMs: 1_000,
    hungOrderMs: HUNG_ORDER_MS,
    stops,
  });
  const closeRows = () => w.tradeEvents().filter((r) => r.event_type === "CLOSE");
  return { ...w, closeRows };
}

/** The sim's order under client id `cid` (any case), its status. */
const simStatus = (sim: SimHandle, cid: string) =>
  sim.state().orders.find((o) => o.clientOrderId.toLowerCase() === cid.toLowerCase())?.status;

/**
 * Slot 0's entry `trade`-E, accepted and held by the venue, then hidden: the hung-order query takes it as never
 * placed (REJECTED) and the slot goes IDLE, while the venue still holds the order to land later.
 */
async function entryTakenAsNeverPlaced(w: Awaited<ReturnType<typeof simRuntime>>, trade: string): Promise<void> {
  w.sim.faults.pending_ms = 60_000; // the venue accepts the entry and holds it
  expect(w.rt.submitStrategy(enterLong(trade)).accepted).toBe(true);
  await within(10_000, `${trade}-E accepted, held`, () => simStatus(w.sim, `${trade}-E`) === "PENDING");
  w.sim.faults.pending_ms = 0;
  await outOfBand(w.sim, "hide_order", `${trade}-E`);
  await within(WITHIN_MS, `${trade}-E taken as never placed`, () => w.slot().entry_order?.status === "REJECTED");
  await within(WITHIN_MS, "slot 0 IDLE", () => w.slot().stage === "IDLE");
}

test("an exit taken as ended that lands and fills only after a restart reaches the kernel under its own id: booked as the exit's (CLOSED, one CLOSE row), no OVERFILL, no UNKNOWN_ORDER", async () => {
  const w = await world();
  const entryPrice = await exitTakenAsEnded(w, "Sp1", WITHIN_MS);
  await w.stop();

  const r = await w.restart(); // recovery looks the exit up: the venue has no such order (still hidden)
  expect(r.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  await outOfBand(w.sim, "land_order", "Sp1-X1"); // fills at its limit; the stream tells the restarted process
  expect(venueLong(w.sim)).toBe(0);
  await within(WITHIN_MS, "the trade closed", () => r.slot().stage === "CLOSED");
  expect(r.slot().exit_order).toMatchObject({ client_order_id: "Sp1-X1", filled_size: 0.01, avg_fill_price: 70_000 });
  expect(r.count("UNKNOWN_ORDER")).toBe(0);
  expect(r.count("OVERFILL")).toBe(0);
  expect(r.rt.b.kernel.account().trade_seq).toBe(1); // settled once, by the kernel
  await within(10_000, "the CLOSE row projected", () => w.closeRows().length === 1);
  const [close] = w.closeRows();
  expect(close).toMatchObject({ trade_id: "Sp1", exit_price: 70_000, fill_size: 0.01, position_size: 0 });
  expect(close!.realized_pnl).toBeCloseTo(0.01 * (70_000 - entryPrice), 6);
}, 60_000);

test("an entry taken as never placed that lands and fills only after a restart reaches the kernel under its own id: its OVERFILL sends the slot to take the position, no UNKNOWN_ORDER, no ORPHAN_POSITION", async () => {
  const w = await world();
  await entryTakenAsNeverPlaced(w, "Sp2");
  await w.stop();

  const r = await w.restart();
  expect(r.slot()).toMatchObject({ stage: "IDLE", entry_order: { client_order_id: "Sp2-E", status: "REJECTED" } });
  await outOfBand(w.sim, "land_order", "Sp2-E"); // it runs now: a market BUY, filled
  expect(venueLong(w.sim)).toBe(0.01);
  await within(WITHIN_MS, "slot 0 holds the position", () => r.slot().stage === "POSITION_OPEN");
  expect(r.slot()).toMatchObject({ trade_id: "Sp2", size: 0.01, is_open: true });
  expect(r.count("UNKNOWN_ORDER")).toBe(0);
  expect(r.count("OVERFILL")).toBe(1);
  await Bun.sleep(2_500); // a few live-reconciliation passes
  expect(r.count("ORPHAN_POSITION")).toBe(0);
  expect(r.count("UNKNOWN_ORDER")).toBe(0);
}, 60_000);

test("an order that lands while the restarted process connects, before its recovery ran, still reaches the kernel under its own id (the journal's slots are told the adapter before the stream opens): no UNKNOWN_ORDER", async () => {
  let landAtConnect: string | null = null;
  let sim: SimHandle | null = null;
  const w = await simRuntime({
    seed: 48,
    prices: { "BTC-USDT": 65_000 },
    intervalMs: 1_000,
    hungOrderMs: HUNG_ORDER_MS,
    stops,
    adjust: (b) => {
      const connect = b.venue.connect.bind(b.venue);
      b.venue.connect = async () => {
        await connect();
        if (landAtConnect === null || sim === null) return;
        await outOfBand(sim, "land_order", landAtConnect); // its events come on the stream just opened
        await Bun.sleep(1_000); // and reach the process before its recovery runs
      };
    },
  });
  sim = w.sim;
  await entryTakenAsNeverPlaced(w, "Sp3");
  await w.stop();

  landAtConnect = "Sp3-E";
  const r = await w.restart(); // Sp3-E landed and filled between connect and recovery
  expect(venueLong(w.sim)).toBe(0.01);
  await within(WITHIN_MS, "slot 0 holds the position", () => r.slot().stage === "POSITION_OPEN");
  expect(r.slot()).toMatchObject({ trade_id: "Sp3", size: 0.01 });
  expect(r.count("UNKNOWN_ORDER")).toBe(0);
}, 60_000);
