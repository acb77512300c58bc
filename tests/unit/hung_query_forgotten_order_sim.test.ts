/**
 * A BingX order the venue acknowledged (the kernel holds its venue order id, the slot ENTRY_WORKING or
 * EXIT_WORKING) and then forgets: purged from its history, or ended by its risk engine with the stream
 * event lost, so that every query of it answers "no such order" (109421; 80016 before, which bingx-sim
 * answers). End to end: a Runtime (journal, executor, serve loops with their TICK, the hung-order path,
 * live reconciliation) on the BingX adapter against bingx-sim in this process; the venue forgets the
 * order through the sim's out-of-band `forget_order`.
 *
 * What a production system must do: within a bounded time the slot no longer believes the order works at
 * the venue; the kernel's slot and account agree with the venue (an entry leaves nothing reserved at either
 * end and the slot takes a new trade; an exit's position is neither lost nor doubled, and the trade closes
 * to the wallet's cent); the operator sees one VENUE_MISMATCH naming the slot and the order; nothing repeats.
 *
 * Before the fix the hung-order query's "no such order" about an acknowledged order was answered NONE and
 * dropped: without live reconciliation (DITA_V2_RECONCILE_INTERVAL_MS=0) the slot stayed ENTRY_WORKING or
 * EXIT_WORKING for ever, its only trace the log line "hung order resolved by query: NONE". Live
 * reconciliation (on by default) already converged it within an interval: that test stays as a regression.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { OrderRecord } from "../../src/contracts/records.ts";
import type { Bundle } from "../../src/launcher/index.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { simRuntime } from "../_support/sim_runtime.ts";
import { within } from "../_support/within.ts";

/** A hung order is flagged this long after its last venue update (at the next 1 s TICK). */
const HUNG_ORDER_MS = 300;
/** The bound: the hung time, a TICK, the query, and a reconciliation pass's reads, on a busy machine. */
const WITHIN_MS = 12_000; // a loaded CI host: `within` returns as soon as it holds

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/**
 * A runtime on the BingX adapter against a fresh bingx-sim (BTC-USDT at 65 000, a 10 000 wallet), its
 * serve loops running, live reconciliation every `intervalMs` (0 = off). `lose(cid)` makes the stream
 * lose every later event of that order before the runtime hears it.
 */
async function world(intervalMs: number) {
  let positionsFailing = 0; // the next reads of the positions that fail as a venue's 5xx does
  const adjust = (bundle: Bundle) => {
    const positions = bundle.venue.positions.bind(bundle.venue);
    bundle.venue.positions = (asset) =>
      positionsFailing-- > 0 ? Promise.reject(new Error("positions: HTTP 503 Service Unavailable")) : positions(asset);
  };
  const prices = { "BTC-USDT": 65_000 };
  const w = await simRuntime({ seed: 29, prices, intervalMs, hungOrderMs: HUNG_ORDER_MS, stops, adjust });
  const mismatches = () => w.lines.filter((l) => l.startsWith("WARNING VENUE_MISMATCH"));
  const failPositions = (n: number) => {
    positionsFailing = n;
  };
  return { ...w, mismatches, failPositions };
}

type World = Awaited<ReturnType<typeof world>>;

/** The venue forgets the order (bingx-sim's out-of-band `forget_order`): every query and cancel now answers 80016. */
async function forget(sim: SimHandle, clientOrderId: string): Promise<void> {
  const r = await fetch(`${sim.url}/_sim/out_of_band`, {
    method: "POST",
    body: JSON.stringify({ action: "forget_order", clientOrderId }),
  });
  expect(r.status).toBe(200);
}

function enter(trade: string, size: number, price: number | null): StrategyIntent {
  return { type: "ENTER", slot_id: 0, trade_id: trade, asset: "BTC-USDT", side: "LONG", size, price, leverage: 20 };
}

/** Submits `intent` and waits until the slot's order with client id `cid` is acknowledged (a venue order id). */
async function acknowledged(w: World, intent: StrategyIntent, cid: string): Promise<OrderRecord> {
  expect(w.rt.submitStrategy(intent).accepted).toBe(true);
  const order = () => [w.slot().entry_order, w.slot().exit_order].find((o) => o?.client_order_id === cid);
  await within(10_000, `${cid} acknowledged`, () => order()?.status === "ACKED");
  expect(order()?.venue_order_id).toMatch(/^\d{19}$/);
  return order()!;
}

/** The position the venue holds on BTC-USDT LONG (0 for none). */
const venueLong = (sim: SimHandle) =>
  sim.state().positions.find((p) => p.symbol === "BTC-USDT" && p.positionSide === "LONG")?.positionAmt ?? 0;

/** The single VENUE_MISMATCH names the slot, the order and its venue order id (or says it is no longer open). */
function expectOneMismatchNaming(w: World, order: OrderRecord): void {
  expect(w.count("VENUE_MISMATCH")).toBe(1);
  const [line] = w.mismatches();
  expect(line).toContain("slot 0");
  expect(line).toContain(order.client_order_id);
}

/** Nothing repeats: a few more TICKs and passes add no diagnostic and no hung-order query. */
async function expectQuietAfter(w: World): Promise<void> {
  const before = { hung: w.count("HUNG_ORDER"), mismatch: w.count("VENUE_MISMATCH") };
  const queries = w.lines.filter((l) => l.includes("hung order resolved by query")).length;
  await Bun.sleep(2_500);
  expect({ hung: w.count("HUNG_ORDER"), mismatch: w.count("VENUE_MISMATCH") }).toEqual(before);
  expect(w.lines.filter((l) => l.includes("hung order resolved by query")).length).toBe(queries);
  expect(before.hung).toBeLessThanOrEqual(1);
}

describe("an acknowledged entry the venue forgets", () => {
  for (const intervalMs of [0, 1_000]) {
    const how = intervalMs === 0 ? "without live reconciliation" : "with live reconciliation every 1 s";
    test(`${how}: the slot is IDLE within a bounded time, one VENUE_MISMATCH names it, nothing stays reserved, nothing repeats`, async () => {
      const w = await world(intervalMs);
      const order = await acknowledged(w, enter("A1", 0.01, 60_000), "A1-E");
      expect(w.sim.state().balance.freezed_margin).toBeGreaterThan(0); // the resting entry reserves margin
      await forget(w.sim, "A1-E");

      await within(WITHIN_MS, "slot 0 IDLE", () => w.slot().stage === "IDLE");
      expectOneMismatchNaming(w, order);
      if (intervalMs === 0) expect(w.mismatches()[0]).toContain(`venue id ${order.venue_order_id}`);
      await expectQuietAfter(w);
      expect(w.slot()).toMatchObject({ stage: "IDLE", size: 0 });
      expect(w.sim.state().balance.freezed_margin).toBe(0);
      await within(
        10_000,
        "capital = the wallet",
        () => Math.abs(w.rt.b.kernel.account().capital - w.sim.state().balance.wallet) < 1e-6,
      );

      // The slot is free: a new trade enters (a new client id; the venue keeps the old one taken).
      expect(w.rt.submitStrategy(enter("A2", 0.01, null)).accepted).toBe(true);
      await within(10_000, "slot 0 holds the new trade", () => w.slot().stage === "POSITION_OPEN");
      expect(w.slot().size).toBe(venueLong(w.sim));
    }, 60_000);
  }
});

describe("an acknowledged entry the venue forgets while the venue fails the first reads (no live reconciliation)", () => {
  test("the first two passes' positions reads failing (a 5xx burst), a later pass still takes the slot to IDLE: not stale for ever", async () => {
    const w = await world(0);
    const order = await acknowledged(w, enter("D1", 0.01, 60_000), "D1-E");
    w.failPositions(2); // the pass at once and the one after it both fail to read the venue
    await forget(w.sim, "D1-E");

    await within(WITHIN_MS, "slot 0 IDLE", () => w.slot().stage === "IDLE");
    expectOneMismatchNaming(w, order);
    expect(w.sim.state().balance.freezed_margin).toBe(0);
    await within(
      10_000,
      "capital = the wallet",
      () => Math.abs(w.rt.b.kernel.account().capital - w.sim.state().balance.wallet) < 1e-6,
    );
  }, 60_000);
});

describe("an acknowledged exit the venue forgets, the position held (no live reconciliation)", () => {
  test("unfilled: the slot is back in POSITION_OPEN with the whole position, and the next exit closes it to the wallet", async () => {
    const w = await world(0);
    expect(w.rt.submitStrategy(enter("B1", 0.01, null)).accepted).toBe(true);
    await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
    const order = await acknowledged(w, { type: "EXIT", slot_id: 0, size: 0.01, price: 70_000, reason: "TP" }, "B1-X1");
    await forget(w.sim, "B1-X1");

    await within(WITHIN_MS, "slot 0 POSITION_OPEN", () => w.slot().stage === "POSITION_OPEN");
    expect(w.slot().size).toBe(0.01);
    expect(venueLong(w.sim)).toBe(0.01);
    expectOneMismatchNaming(w, order);
    await expectQuietAfter(w);

    expect(w.rt.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SL" }).accepted).toBe(
      true,
    );
    await within(10_000, "trade closed", () => w.slot().stage === "CLOSED");
    expect(w.slot().exit_order?.client_order_id).toBe("B1-X2");
    expect(venueLong(w.sim)).toBe(0);
    await within(
      10_000,
      "capital = the wallet",
      () => Math.abs(w.rt.b.kernel.account().capital - w.sim.state().balance.wallet) < 1e-6,
    );
  }, 60_000);

  test("partly filled unheard: the slot holds what the venue still holds, and closing that leaves nothing at either end", async () => {
    const w = await world(0);
    expect(w.rt.submitStrategy(enter("C1", 1, null)).accepted).toBe(true);
    await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
    expect(venueLong(w.sim)).toBe(1);
    const order = await acknowledged(w, { type: "EXIT", slot_id: 0, size: 1, price: 66_000, reason: "TP" }, "C1-X1");
    w.lose("C1-X1"); // the stream loses the exit's fill
    w.sim.setPrice("BTC-USDT", 66_000.1); // only the best bid (66 000) reaches the exit's limit: part of it fills
    const filled = w.sim.state().orders.find((o) => o.clientOrderId === "c1-x1")?.executedQty ?? 0;
    expect(filled).toBeGreaterThan(0);
    expect(filled).toBeLessThan(1);
    await forget(w.sim, "C1-X1");

    await within(WITHIN_MS, "slot 0 POSITION_OPEN", () => w.slot().stage === "POSITION_OPEN");
    const left = venueLong(w.sim);
    expect(left).toBeCloseTo(1 - filled, 8);
    expect(w.slot().size).toBeCloseTo(left, 8); // not the 1 the kernel believed, nor 1 + what filled
    expectOneMismatchNaming(w, order);

    const exit = { type: "EXIT", slot_id: 0, size: w.slot().size, price: null, reason: "SL" } as const;
    expect(w.rt.submitStrategy(exit).accepted).toBe(true);
    await within(10_000, "trade closed", () => w.slot().stage === "CLOSED");
    expect(venueLong(w.sim)).toBe(0);
    expect(w.sim.state().balance.freezed_margin).toBe(0);
    // Capital followed the wallet after the reconcile (the unheard fill's PnL is in it), then the rest settled once.
    await within(
      10_000,
      "capital = the wallet",
      () => Math.abs(w.rt.b.kernel.account().capital - w.sim.state().balance.wallet) < 1e-6,
    );
  }, 60_000);
});
