/**
 * An order the runtime took as ended that lands late. A BingX order the venue acknowledged (the kernel holds its
 * venue order id) is then answered "no such order" by every query (80016, as bingx-sim answers; 109421 at BingX)
 * for longer than the hung-order time: the hung-order query takes it as ended unseen (ABSENT_STALE, one
 * VENUE_MISMATCH), the kernel ends it and its slot takes the venue's truth. But the venue's "no such order" was only
 * lag: the order is still in its engine and fills after all. End to end: a Runtime (journal, executor, serve loops
 * with their TICK, the hung-order path, live reconciliation) on the BingX adapter against bingx-sim in this process;
 * the sim's out-of-band `hide_order` makes the venue's order service lose sight of the order, `land_order` has its
 * engine fill it (the user stream sends ORDER_TRADE_UPDATE FILLED and ACCOUNT_UPDATE; a test can make the stream
 * lose the order's events, so only the venue's positions show the fill).
 *
 * What a production system must do, and these tests state: the late fill is neither lost nor booked twice; within a
 * bounded time the kernel's slot and account agree with the venue: the slot that placed the order goes to
 * reconciliation and adopts the venue's position (DESIGN.md §3: a fill beyond what the kernel booked of an order is
 * an OVERFILL that moves the slot to STALE_STATE_RECONCILING, and RECONCILE takes the venue's truth; §10.4: a
 * position is an ORPHAN_POSITION only when no slot owns it, and this process's own order made this one), whatever the
 * reconcile interval (0 = off included); one OVERFILL names the order; no anonymous ORPHAN_POSITION; capital follows
 * the wallet; nothing repeats. Where no slot can hold it (the slot moved on to another asset), the ORPHAN_POSITION
 * names the slot and the order that made it.
 *
 * An exit taken so, whose slot still holds the position it was for, is different: its late fill is booked as the
 * exit's (kernel/README.md decision 38): the trade closes (CLOSED, settled once by the kernel), one trade_events
 * CLOSE row records the exit's price, size and PnL, no OVERFILL. Before that fix the fill was an OVERFILL, the slot
 * reconciled to the venue's flat position (IDLE), and the trade's exit was recorded nowhere (no CLOSE row; its PnL
 * reached capital only through the wallet re-seed).
 *
 * Before the fix: with live reconciliation off the slot stayed STALE_STATE_RECONCILING for ever after the OVERFILL
 * (position unmanaged, no pass to take it); a fill whose stream event was lost, or that landed after the slot moved
 * on to a new trade, was reported as an anonymous CRITICAL ORPHAN_POSITION ("no slot owns"), never adopted. With live
 * reconciliation on and the stream telling, the next pass already took the slot to the venue's truth (within an
 * interval): those two tests stay as regressions.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import { enterLong, outOfBand, venueLong } from "../_support/late_landing.ts";
import { simRuntime } from "../_support/sim_runtime.ts";
import { within } from "../_support/within.ts";

/** A hung order is flagged this long after its last venue update (at the next 1 s TICK). */
const HUNG_ORDER_MS = 300;
/** The bound: a TICK, the query, a reconciliation pass or two (each two reads and a lookup), on a busy machine. */
const WITHIN_MS = 12_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/**
 * A runtime on the BingX adapter against a fresh bingx-sim (BTC-USDT at 65 000, ETH-USDT at 3 000, a 10 000
 * wallet), its serve loops running, live reconciliation every `intervalMs` (0 = off). `lose(cid)` makes the stream
 * lose every later event of that order before the runtime hears it.
 */
async function world(intervalMs: number) {
  const diagnostics: DiagnosticRecord[] = []; // the kernel's and the launcher's, as the live feed gets them
  const onOutcome = (_t: unknown, d: readonly DiagnosticRecord[]) => diagnostics.push(...d);
  const prices = { "BTC-USDT": 65_000, "ETH-USDT": 3_000 };
  const events = { onOutcome, onControl() {}, onFlatten() {} };
  const w = await simRuntime({ seed: 31, prices, intervalMs, hungOrderMs: HUNG_ORDER_MS, stops, events });
  const said = (code: string) => diagnostics.filter((d) => d.code === code).map((d) => d.message);
  return { ...w, said };
}

type World = Awaited<ReturnType<typeof world>>;

/** Submits `intent`, waits until its order `cid` is acknowledged, hides it at the venue, and waits until the slot ended it. */
async function takenAsEnded(w: World, intent: StrategyIntent, cid: string, stageAfter: string): Promise<void> {
  expect(w.rt.submitStrategy(intent).accepted).toBe(true);
  const order = () => [w.slot().entry_order, w.slot().exit_order].find((o) => o?.client_order_id === cid);
  await within(10_000, `${cid} acknowledged`, () => order()?.status === "ACKED");
  await outOfBand(w.sim, "hide_order", cid);
  await within(WITHIN_MS, `${cid} taken as ended, slot 0 ${stageAfter}`, () => order()?.status === "CANCELLED");
  await within(WITHIN_MS, `slot 0 ${stageAfter}`, () => w.slot().stage === stageAfter);
  expect(w.lines).toContain("slot 0: hung order resolved by query: ABSENT_STALE");
  expect(w.said("VENUE_MISMATCH")[0]).toContain(`slot 0's ${order()?.role} order ${cid}`);
}

/** Capital is the wallet (no open trade): every fill counted once. */
const capitalIsWallet = (w: World) => Math.abs(w.rt.b.kernel.account().capital - w.sim.state().balance.wallet) < 1e-6;

/** Nothing repeats: a few more TICKs and passes add no diagnostic of these codes. */
async function expectQuietAfter(w: World, codes = ["OVERFILL", "VENUE_MISMATCH", "ORPHAN_POSITION", "HUNG_ORDER"]) {
  const before = codes.map(w.count);
  await Bun.sleep(2_500);
  expect(codes.map(w.count)).toEqual(before);
}

/** The one OVERFILL names slot 0's order `cid` (its fill beyond the 0 the kernel booked when it ended it). */
function expectOneOverfillNaming(w: World, cid: string): void {
  expect(w.count("OVERFILL")).toBe(1);
  expect(w.said("OVERFILL")[0]).toContain(cid);
}

/** Closes slot 0's whole position at the market; the trade closes and capital ends at the wallet to the cent. */
async function closeToTheWallet(w: World, asset = "BTC-USDT"): Promise<void> {
  const exit = { type: "EXIT", slot_id: 0, size: w.slot().size, price: null, reason: "SL" } as const;
  expect(w.rt.submitStrategy(exit).accepted).toBe(true);
  await within(10_000, "trade closed", () => w.slot().stage === "CLOSED");
  expect(venueLong(w.sim, asset)).toBe(0);
  await within(10_000, "capital = the wallet", () => capitalIsWallet(w));
}

describe("an acknowledged entry taken as ended that fills at the venue after all", () => {
  for (const intervalMs of [0, 1_000]) {
    const how = intervalMs === 0 ? "without live reconciliation" : "with live reconciliation every 1 s";
    test(`${how}: its slot adopts the position within a bounded time, one OVERFILL names it, no ORPHAN_POSITION, nothing repeats, and closing it ends at the wallet`, async () => {
      const w = await world(intervalMs);
      await takenAsEnded(w, enterLong("A1", 60_000), "A1-E", "IDLE");
      await outOfBand(w.sim, "land_order", "A1-E"); // the engine fills it at its limit: the stream tells

      await within(WITHIN_MS, "slot 0 holds the venue's position", () => w.slot().stage === "POSITION_OPEN");
      expect(w.slot()).toMatchObject({ side: "LONG", size: 0.01 });
      expect(venueLong(w.sim)).toBe(0.01); // filled once at the venue, held once in the kernel
      expectOneOverfillNaming(w, "A1-E");
      expect(w.count("ORPHAN_POSITION")).toBe(0);
      await expectQuietAfter(w);
      expect(w.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
      await closeToTheWallet(w);
    }, 60_000);
  }

  test("its fill's stream event lost (only the venue's position shows it): live reconciliation hands the position to the slot that placed the order, no ORPHAN_POSITION", async () => {
    const w = await world(1_000);
    await takenAsEnded(w, enterLong("L1", 60_000), "L1-E", "IDLE");
    w.lose("L1-E");
    await outOfBand(w.sim, "land_order", "L1-E");

    await within(WITHIN_MS, "slot 0 holds the venue's position", () => w.slot().stage === "POSITION_OPEN");
    expect(w.slot()).toMatchObject({ side: "LONG", size: 0.01 });
    expect(w.lines.some((l) => l.includes("L1-E, taken as ended at the venue, filled 0.01 there late"))).toBe(true);
    expectOneOverfillNaming(w, "L1-E");
    expect(w.count("ORPHAN_POSITION")).toBe(0);
    await expectQuietAfter(w);
    await closeToTheWallet(w);
  }, 60_000);

  test("after its slot moved on to a new trade of the same asset and side: the slot holds both trades' fills (the venue's position), no ORPHAN_POSITION", async () => {
    const w = await world(1_000);
    await takenAsEnded(w, enterLong("M1", 60_000), "M1-E", "IDLE");
    expect(w.rt.submitStrategy(enterLong("M2", null)).accepted).toBe(true);
    await within(10_000, "slot 0 holds the new trade", () => w.slot().stage === "POSITION_OPEN");
    await outOfBand(w.sim, "land_order", "M1-E");

    await within(
      WITHIN_MS,
      "slot 0 holds both fills",
      () => w.slot().size === 0.02 && w.slot().stage === "POSITION_OPEN",
    );
    expect(venueLong(w.sim)).toBe(0.02);
    expect(w.slot().trade_id).toBe("M2");
    expectOneOverfillNaming(w, "M1-E");
    expect(w.count("ORPHAN_POSITION")).toBe(0);
    await expectQuietAfter(w);
    await closeToTheWallet(w);
  }, 60_000);

  test("after its slot moved on to another asset: the position no slot can hold is one ORPHAN_POSITION naming the slot and the order that made it", async () => {
    const w = await world(1_000);
    await takenAsEnded(w, enterLong("N1", 60_000), "N1-E", "IDLE");
    expect(w.rt.submitStrategy(enterLong("N2", null, "ETH-USDT", 0.1)).accepted).toBe(true);
    await within(10_000, "slot 0 holds the ETH trade", () => w.slot().stage === "POSITION_OPEN");
    await outOfBand(w.sim, "land_order", "N1-E");

    await within(WITHIN_MS, "one ORPHAN_POSITION", () => w.count("ORPHAN_POSITION") === 1);
    const [orphan] = w.said("ORPHAN_POSITION");
    expect(orphan).toContain("0.01 BTC-USDT LONG");
    expect(orphan).toContain("slot 0's entry N1-E, taken as ended, filled 0.01 late");
    await within(WITHIN_MS, "slot 0 back on its ETH trade", () => w.slot().stage === "POSITION_OPEN");
    expect(w.slot()).toMatchObject({ asset: "ETH-USDT", size: 0.1, trade_id: "N2" });
    await expectQuietAfter(w);
  }, 60_000);
});

describe("an acknowledged exit taken as ended that fills at the venue after all, the position held", () => {
  for (const intervalMs of [0, 1_000]) {
    const how = intervalMs === 0 ? "without live reconciliation" : "with live reconciliation every 1 s";
    test(`${how}: the fill is booked as the exit's: the trade closes with one CLOSE row at the exit's price and size, no OVERFILL, capital follows the wallet, nothing repeats`, async () => {
      const w = await world(intervalMs);
      expect(w.rt.submitStrategy(enterLong("B1", null)).accepted).toBe(true);
      await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
      const entryPrice = w.slot().entry_price;
      const exit = { type: "EXIT", slot_id: 0, size: 0.01, price: 70_000, reason: "TP" } as const;
      await takenAsEnded(w, exit, "B1-X1", "POSITION_OPEN");
      expect(w.slot().size).toBe(0.01);
      await outOfBand(w.sim, "land_order", "B1-X1"); // the exit fills at its limit: the position is gone

      await within(WITHIN_MS, "slot 0 closed its trade", () => w.slot().stage === "CLOSED");
      expect(w.slot()).toMatchObject({ trade_id: "B1", size: 0, is_open: false });
      expect(w.slot().exit_order).toMatchObject({
        client_order_id: "B1-X1",
        filled_size: 0.01,
        avg_fill_price: 70_000,
      });
      expect(venueLong(w.sim)).toBe(0);
      expect(w.count("OVERFILL")).toBe(0);
      expect(w.count("ORPHAN_POSITION")).toBe(0);
      expect(w.rt.b.kernel.account().trade_seq).toBe(1); // settled once, by the kernel
      await within(10_000, "the CLOSE row projected", () => closeRows(w).length === 1);
      const [close] = closeRows(w);
      expect(close).toMatchObject({
        trade_id: "B1",
        slot_id: 0,
        exit_price: 70_000,
        fill_size: 0.01,
        position_size: 0,
      });
      expect(close!.realized_pnl).toBeCloseTo(0.01 * (70_000 - entryPrice), 6);
      await within(10_000, "capital = the wallet", () => capitalIsWallet(w)); // the exit's PnL counted once
      await expectQuietAfter(w);
      expect(closeRows(w)).toHaveLength(1);
      expect(w.slot().stage).toBe("CLOSED");
    }, 60_000);
  }
});

/** The trade_events CLOSE rows projected so far. */
const closeRows = (w: World) => w.tradeEvents().filter((r) => r.event_type === "CLOSE");
