/**
 * An order the runtime took as ended on the venue's "no such order" (the hung-order query's ABSENT_REJECTED: BingX
 * accepted it, held it, and its order service lagged) that lands at the venue and RESTS there while the process is
 * down, or across a restart: the process that took it as ended remembered it in memory only (`AbsentOrders`), gone
 * at the restart. The kernel's slot still holds it as its finished entry or exit (REJECTED), so the venue's open
 * order counts as the slot's own: never an ORPHAN_ORDER, and nothing ever cancelled it; a resting exit reserves the
 * position (BingX refuses a whole-position exit, 101400) and either can fill behind the kernel's back.
 *
 * What a production system must do, and these tests state: after a restart, live reconciliation derives such an order
 * from the kernel's state (an open venue order that is a slot's entry or exit the kernel ended CANCELLED or REJECTED,
 * on the slot's asset and side, of its size) and cancels it at the venue, bounded as any order taken as ended
 * (`_resting_absent.ts`), logged once, never an ORPHAN_ORDER; once it is cancelled, the slot's whole-position exit
 * goes through. So is an earlier exit leg of a slot's trade (its exit a later leg now, so the image no longer holds
 * it): its client id `<trade_id>-X<k>`, k below the current leg, proves it the slot's (before the fix: an anonymous
 * ORPHAN_ORDER, never cancelled, reserving the position).
 *
 * End to end: Runtimes (journal, executor, serve loops, the hung-order path, live reconciliation every 1 s) on the
 * BingX adapter against one bingx-sim in this process (`pending_ms`, `hide_order`, `land_order`), the second on the
 * first's state directory.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { enterLong, outOfBand } from "../_support/late_landing.ts";
import { simRuntime } from "../_support/sim_runtime.ts";
import { within } from "../_support/within.ts";

/** A hung order is flagged this long after its last venue update (at the next 1 s TICK). */
const HUNG_ORDER_MS = 300;
/** The bound: the lag an ended order may be listed open after (5 s), then a pass or two, on a busy machine. */
const WITHIN_MS = 15_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const world = () =>
  simRuntime({ seed: 43, prices: { "BTC-USDT": 65_000 }, intervalMs: 1_000, hungOrderMs: HUNG_ORDER_MS, stops });

type World = Awaited<ReturnType<typeof world>>;

/** The sim's order under client id `cid` (any case), its status. */
const simStatus = (sim: SimHandle, cid: string) =>
  sim.state().orders.find((o) => o.clientOrderId.toLowerCase() === cid.toLowerCase())?.status;

/**
 * Submits `intent` while the venue holds every placement, hides its order `cid`, waits until the hung-order query took
 * it as never placed (REJECTED, the slot `stageAfter`), stops the process, then lands the order: it rests at the venue.
 */
async function restsWhileDown(w: World, intent: StrategyIntent, cid: string, stageAfter: string): Promise<void> {
  w.sim.faults.pending_ms = 60_000;
  expect(w.rt.submitStrategy(intent).accepted).toBe(true);
  await within(10_000, `${cid} accepted, held`, () => simStatus(w.sim, cid) === "PENDING");
  w.sim.faults.pending_ms = 0;
  await outOfBand(w.sim, "hide_order", cid);
  const order = () => [w.slot().entry_order, w.slot().exit_order].find((o) => o?.client_order_id === cid);
  await within(WITHIN_MS, `${cid} taken as never placed`, () => order()?.status === "REJECTED");
  await within(WITHIN_MS, `slot 0 ${stageAfter}`, () => w.slot().stage === stageAfter);
  expect(w.lines).toContain("slot 0: hung order resolved by query: ABSENT_REJECTED");
  await w.stop(); // the process is down: its memory of the order is gone
  await outOfBand(w.sim, "land_order", cid);
  expect(simStatus(w.sim, cid)).toBe("NEW"); // resting at its limit, away from the market
}

/** Opens a 0.01 BTC long on slot 0 at market. */
async function positionOpen(w: World, trade: string): Promise<void> {
  expect(w.rt.submitStrategy(enterLong(trade, null)).accepted).toBe(true);
  await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
}

const tpExit = { type: "EXIT", slot_id: 0, size: 0.01, price: 70_000, reason: "TP" } as const;
const slExit = { type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" } as const;

/** The restarted process's cancels of `cid`: one log line each. */
const cancelLines = (lines: string[], cid: string) =>
  lines.filter((l) => l.includes(`${cid}, ended REJECTED by the kernel,`) && l.includes("cancelling it there"));

describe("an order taken as ended that rests at the venue across a restart", () => {
  test("a limit entry (its slot IDLE): live reconciliation after the restart cancels it at the venue, logged once, no ORPHAN_ORDER", async () => {
    const w = await world();
    await restsWhileDown(w, enterLong("P1", 60_000), "P1-E", "IDLE");

    const r = await w.restart();
    expect(r.slot()).toMatchObject({ stage: "IDLE", entry_order: { client_order_id: "P1-E", status: "REJECTED" } });
    await within(WITHIN_MS, "P1-E cancelled at the venue", () => simStatus(w.sim, "P1-E") === "CANCELLED");
    expect(cancelLines(r.lines, "P1-E")).toEqual([
      "slot 0: P1-E, ended REJECTED by the kernel, open at the venue (live reconciliation): cancelling it there",
    ]);
    await Bun.sleep(2_500); // more passes: no second cancel, nothing reported
    expect(cancelLines(r.lines, "P1-E")).toHaveLength(1);
    expect(r.count("ORPHAN_ORDER")).toBe(0);
    expect(r.count("UNKNOWN_ORDER")).toBe(0);
    expect(r.slot().stage).toBe("IDLE");
  }, 60_000);

  test("a limit exit (it reserves the position): cancelled after the restart, and the slot's whole-position exit then goes through", async () => {
    const w = await world();
    await positionOpen(w, "Q1");
    await restsWhileDown(w, tpExit, "Q1-X1", "POSITION_OPEN");

    const r = await w.restart();
    expect(r.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    await within(WITHIN_MS, "Q1-X1 cancelled at the venue", () => simStatus(w.sim, "Q1-X1") === "CANCELLED");
    expect(r.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    expect(r.rt.submitStrategy(slExit).accepted).toBe(true);
    await within(10_000, "trade closed", () => r.slot().stage === "CLOSED");
    expect(r.count("ORPHAN_ORDER")).toBe(0);
    expect(r.count("VENUE_REJECTED")).toBe(0);
  }, 60_000);

  test("a limit exit that lands only after the restart (recovery's lookup found nothing): its events reach the kernel under its client id (no UNKNOWN_ORDER), the next passes cancel it, and the whole-position exit then goes through", async () => {
    const w = await world();
    await positionOpen(w, "U1");
    w.sim.faults.pending_ms = 60_000;
    expect(w.rt.submitStrategy(tpExit).accepted).toBe(true);
    await within(10_000, "U1-X1 accepted, held", () => simStatus(w.sim, "U1-X1") === "PENDING");
    w.sim.faults.pending_ms = 0;
    await outOfBand(w.sim, "hide_order", "U1-X1");
    await within(WITHIN_MS, "U1-X1 taken as never placed", () => w.slot().exit_order?.status === "REJECTED");
    await w.stop();

    const r = await w.restart(); // recovery looks the exit up: the venue has no such order (still hidden)
    expect(r.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    await outOfBand(w.sim, "land_order", "U1-X1"); // its events reach a process that never placed it
    expect(simStatus(w.sim, "U1-X1")).toBe("NEW");
    await within(WITHIN_MS, "U1-X1 cancelled at the venue", () => simStatus(w.sim, "U1-X1") === "CANCELLED");
    expect(cancelLines(r.lines, "U1-X1")).toHaveLength(1);
    expect(r.rt.submitStrategy(slExit).accepted).toBe(true);
    await within(10_000, "trade closed", () => r.slot().stage === "CLOSED");
    expect(r.count("ORPHAN_ORDER")).toBe(0);
    expect(r.count("VENUE_REJECTED")).toBe(0);
    expect(r.count("UNKNOWN_ORDER")).toBe(0); // the adapter was told U1-X1 at start: not BingX's u1-x1
  }, 60_000);
});

describe("an earlier exit leg taken as ended that rests at the venue across a restart (the slot's exit is a later leg now)", () => {
  test("live reconciliation after the restart cancels it at the venue as that slot's earlier leg, logged once, no ORPHAN_ORDER; the whole-position exit then goes through", async () => {
    const w = await world();
    expect(w.rt.submitStrategy(enterLong("R1", null, "BTC-USDT", 0.02)).accepted).toBe(true);
    await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
    // Leg 1, a TP of half the position: accepted, held, hidden, taken as never placed (REJECTED).
    w.sim.faults.pending_ms = 60_000;
    expect(w.rt.submitStrategy({ ...tpExit, size: 0.01 }).accepted).toBe(true);
    await within(10_000, "R1-X1 accepted, held", () => simStatus(w.sim, "R1-X1") === "PENDING");
    w.sim.faults.pending_ms = 0;
    await outOfBand(w.sim, "hide_order", "R1-X1");
    await within(WITHIN_MS, "R1-X1 taken as never placed", () => w.slot().exit_order?.status === "REJECTED");
    await within(WITHIN_MS, "slot 0 POSITION_OPEN", () => w.slot().stage === "POSITION_OPEN");
    // Leg 2 closes the other half at market: the slot's exit is R1-X2 now, leg 1 is in the kernel's ring only.
    expect(w.rt.submitStrategy({ ...slExit, size: 0.01 }).accepted).toBe(true);
    await within(10_000, "R1-X2 filled", () => w.slot().exit_order?.status === "FILLED");
    expect(w.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, exit_order: { client_order_id: "R1-X2" } });
    await w.stop(); // the process is down: its memory of R1-X1 is gone
    await outOfBand(w.sim, "land_order", "R1-X1");
    expect(simStatus(w.sim, "R1-X1")).toBe("NEW"); // resting at 70 000, reserving the rest of the position

    const r = await w.restart();
    await within(WITHIN_MS, "R1-X1 cancelled at the venue", () => simStatus(w.sim, "R1-X1") === "CANCELLED");
    expect(r.lines.filter((l) => l.includes("R1-X1,") && l.includes("cancelling it there"))).toEqual([
      "slot 0: R1-X1, an earlier exit leg the kernel ended before R1-X2, open at the venue (live reconciliation): cancelling it there",
    ]);
    expect(r.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    expect(r.rt.submitStrategy(slExit).accepted).toBe(true); // the whole position: refused while R1-X1 reserved it
    await within(10_000, "trade closed", () => r.slot().stage === "CLOSED");
    expect(r.count("ORPHAN_ORDER")).toBe(0);
    expect(r.count("VENUE_REJECTED")).toBe(0);
    expect(r.count("UNKNOWN_ORDER")).toBe(0);
  }, 60_000);
});
