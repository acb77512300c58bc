/**
 * An order the runtime took as ended on the venue's "no such order" that lands at the venue late and RESTS there,
 * its stream events lost. BingX accepted the placement, but its order service lagged: the order was held (bingx-sim's
 * `pending_ms`: accepted, no stream event yet) and then out of every client's reach (`hide_order`: query and cancel
 * answer 80016), so the hung-order query took it as never placed (ABSENT_REJECTED) and the kernel ended it. Then the
 * venue's engine takes it (`land_order`): NEW, a limit away from the market, resting; the stream's event of it is
 * lost (`lose`), so the executor's `cancelIfLanded` never hears it. End to end: a Runtime (journal, executor, serve
 * loops, the hung-order path, live reconciliation every 1 s) on the BingX adapter against bingx-sim in this process.
 *
 * What a production system must do, and these tests state: live reconciliation, which reads the venue's open orders
 * every pass, cancels at the venue an order this process placed and took as ended (it is no operator's), within a
 * bounded time, with one log line of `cancelIfLanded`'s family, once; it is never an anonymous ORPHAN_ORDER. A
 * resting closing order reserves the position (BingX refuses a new whole-position exit, 101400): once it is
 * cancelled, the slot's whole-position exit goes through.
 *
 * Before the fix: the order kept resting unseen for ever (its client id a finished order of its slot: owned, never
 * reported), or, once its slot had moved on to another trade, it was an anonymous ORPHAN_ORDER ("no slot owns, not
 * cancelled") that could fill into a position behind the kernel's back.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { enterLong, outOfBand } from "../_support/late_landing.ts";
import { simRuntime } from "../_support/sim_runtime.ts";
import { within } from "../_support/within.ts";

/** A hung order is flagged this long after its last venue update (at the next 1 s TICK). */
const HUNG_ORDER_MS = 300;
/** The bound: a TICK, the query, a reconciliation pass or two (each two reads), on a busy machine. */
const WITHIN_MS = 12_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A runtime on bingx-sim (BTC-USDT at 65 000), live reconciliation every 1 s; the diagnostics the live feed gets. */
async function world() {
  const diagnostics: DiagnosticRecord[] = [];
  const onOutcome = (_t: unknown, d: readonly DiagnosticRecord[]) => diagnostics.push(...d);
  const events = { onOutcome, onControl() {}, onFlatten() {} };
  const prices = { "BTC-USDT": 65_000 };
  const w = await simRuntime({ seed: 37, prices, intervalMs: 1_000, hungOrderMs: HUNG_ORDER_MS, stops, events });
  const said = (code: string) => diagnostics.filter((d) => d.code === code).map((d) => d.message);
  return { ...w, said };
}

type World = Awaited<ReturnType<typeof world>>;

/** The sim's order under client id `cid` (any case), its status. */
const simStatus = (sim: SimHandle, cid: string) =>
  sim.state().orders.find((o) => o.clientOrderId.toLowerCase() === cid.toLowerCase())?.status;

/**
 * Submits `intent` while the venue holds every placement (accepted, no event), hides its order `cid`, waits until the
 * hung-order query took it as never placed (REJECTED, the slot `stageAfter`), then lands it at the venue with every
 * event of it lost: it rests there, unseen.
 */
async function landsRestingUnseen(w: World, intent: StrategyIntent, cid: string, stageAfter: string): Promise<void> {
  w.sim.faults.pending_ms = 60_000;
  expect(w.rt.submitStrategy(intent).accepted).toBe(true);
  await within(10_000, `${cid} accepted, held`, () => simStatus(w.sim, cid) === "PENDING");
  w.sim.faults.pending_ms = 0;
  await outOfBand(w.sim, "hide_order", cid);
  const order = () => [w.slot().entry_order, w.slot().exit_order].find((o) => o?.client_order_id === cid);
  await within(WITHIN_MS, `${cid} taken as never placed`, () => order()?.status === "REJECTED");
  await within(WITHIN_MS, `slot 0 ${stageAfter}`, () => w.slot().stage === stageAfter);
  expect(w.lines).toContain("slot 0: hung order resolved by query: ABSENT_REJECTED");
  w.lose(cid);
  await outOfBand(w.sim, "land_order", cid);
  expect(simStatus(w.sim, cid)).toBe("NEW"); // resting at its limit, away from the market
}

/** The reconciler's cancel of `cid`: one log line of `cancelIfLanded`'s family. */
const cancelLines = (w: World, cid: string) =>
  w.lines.filter((l) => l.includes(`${cid}, taken as absent,`) && l.includes("cancelling it there"));

/** A few more passes: no second cancel, no ORPHAN_ORDER. */
async function expectQuietAfter(w: World, cid: string): Promise<void> {
  await Bun.sleep(2_500);
  expect(cancelLines(w, cid).length).toBe(1);
  expect(w.count("ORPHAN_ORDER")).toBe(0);
}

describe("an order taken as ended that lands at the venue late and rests there, its events lost", () => {
  test("a limit entry: the next live-reconciliation pass cancels it at the venue, logged once, no ORPHAN_ORDER", async () => {
    const w = await world();
    await landsRestingUnseen(w, enterLong("R1", 60_000), "R1-E", "IDLE");

    await within(WITHIN_MS, "R1-E cancelled at the venue", () => simStatus(w.sim, "R1-E") === "CANCELLED");
    expect(cancelLines(w, "R1-E")).toEqual([
      "slot 0: R1-E, taken as absent, open at the venue (live reconciliation): cancelling it there",
    ]);
    expect(w.slot().stage).toBe("IDLE");
    await expectQuietAfter(w, "R1-E");
  }, 60_000);

  test("a limit entry after its slot moved on to another trade: cancelled, never an anonymous ORPHAN_ORDER", async () => {
    const w = await world();
    await landsRestingUnseen(w, enterLong("S1", 60_000), "S1-E", "IDLE");
    expect(w.rt.submitStrategy(enterLong("S2", 61_000)).accepted).toBe(true); // rests too: slot 0's working entry now
    await within(10_000, "slot 0 works S2-E", () => w.slot().entry_order?.status === "ACKED");

    await within(WITHIN_MS, "S1-E cancelled at the venue", () => simStatus(w.sim, "S1-E") === "CANCELLED");
    expect(simStatus(w.sim, "S2-E")).toBe("NEW"); // the slot's own working order is left alone
    expect(w.slot()).toMatchObject({ stage: "ENTRY_WORKING", trade_id: "S2" });
    await expectQuietAfter(w, "S1-E");
    expect(w.said("ORPHAN_ORDER")).toEqual([]);
  }, 60_000);

  test("a limit exit (it reserves the position): cancelled at the venue, and the slot's whole-position exit then goes through", async () => {
    const w = await world();
    expect(w.rt.submitStrategy(enterLong("X1", null)).accepted).toBe(true);
    await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
    const exit = { type: "EXIT", slot_id: 0, size: 0.01, price: 70_000, reason: "TP" } as const;
    await landsRestingUnseen(w, exit, "X1-X1", "POSITION_OPEN");

    await within(WITHIN_MS, "X1-X1 cancelled at the venue", () => simStatus(w.sim, "X1-X1") === "CANCELLED");
    expect(cancelLines(w, "X1-X1").length).toBe(1);
    expect(w.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
    const close = { type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" } as const;
    expect(w.rt.submitStrategy(close).accepted).toBe(true);
    await within(10_000, "trade closed", () => w.slot().stage === "CLOSED");
    await expectQuietAfter(w, "X1-X1");
  }, 60_000);
});
