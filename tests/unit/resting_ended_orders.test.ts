/**
 * Live reconciliation's cancel of an open venue order that is a slot's entry or exit the kernel ENDED (CANCELLED or
 * REJECTED), derived from the kernel's state rather than from the in-memory `AbsentOrders` (`endedOrderListed`,
 * `_resting_absent.ts`), in the fast tier. After a restart `AbsentOrders` is empty, while the kernel's slot still
 * holds such an order as its finished entry or exit: its client id made the venue's open order the slot's own, never
 * an ORPHAN_ORDER, and nothing cancelled it; it reserved the position and could fill behind the kernel's back.
 *
 * What they state: such an order (matched under its client id in any case, on its slot's asset, of its side and size,
 * under its venue order id when both are known, not older than the kernel's) is cancelled at the venue once, logged
 * `… ended REJECTED by the kernel, open at the venue (live reconciliation): cancelling it there`, never an anonymous
 * ORPHAN_ORDER, bounded as any order taken as ended (CANCELS_MAX, then one ORPHAN_ORDER naming its slot); never one a
 * stale slot holds (its RECONCILE decides), a FILLED or working one, nor another order holding its id; and not while
 * the venue's list may lag the kernel's end of it (ENDED_LIST_LAG_MS after the kernel ended it: right after the
 * kernel asked a cancel and heard its CANCEL_ACK, nothing is sent and nothing logged). An earlier exit leg of a slot's
 * trade (`earlierLegListed`: the image holds only the current leg, so before the fix it was an anonymous ORPHAN_ORDER,
 * never cancelled) is derived from its client id `<trade_id>-X<k>` and cancelled alike, logged as an earlier leg; not
 * while the current leg is younger than ENDED_LIST_LAG_MS (owned meanwhile). An order whose lookups by the kernel's id
 * all answered about another order under it is never cancelled by that id (before the fix, once the lookups were
 * spent, the cancel by id went out and cancelled that other order): one ORPHAN_ORDER names the slot and role whose id
 * it holds; lookups that failed are no such answer, nor are lookups answering "no such order" (before that fix they
 * made it NOT_IT: the slot's own order, the venue's query lagging its list, rested uncancelled, reported as another's).
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord, OrderRecord, SlotRecord } from "../../src/contracts/records.ts";
import type { CancelResult, VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import { AbsentOrders, LOOKUPS_MAX } from "../../src/launcher/_absent_orders.ts";
import {
  CANCELS_MAX,
  ENDED_LIST_LAG_MS,
  earlierLegListed,
  endedOrderListed,
  RestingAbsent,
  restingVerdict,
} from "../../src/launcher/_resting_absent.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { mockVenue } from "../_support/executor.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";

/** When the kernel ended the orders below: long before the passes' reads (`T0`). */
const ENDED_AT = T0 - 60_000;

const order = (cid: string, over: Partial<OrderRecord> = {}): OrderRecord => ({
  trade_id: cid.split("-")[0]!,
  venue_order_id: "",
  client_order_id: cid,
  role: "ENTRY",
  side: "BUY",
  order_type: "LIMIT",
  status: "REJECTED",
  leg: 0,
  intended_size: 0.01,
  filled_size: 0,
  avg_fill_price: 0,
  limit_price: 60_000,
  fee: 0,
  hung: true,
  created_at_ms: ENDED_AT - 1_000,
  last_update_ms: ENDED_AT,
  ...over,
});

const idle = (entry: OrderRecord, over: Partial<SlotRecord> = {}): SlotRecord =>
  ({
    slot_id: 0,
    stage: "IDLE",
    asset: "BTC-USDT",
    side: null,
    entry_order: entry,
    exit_order: null,
    ...over,
  }) as SlotRecord;

/** The venue's open order under `cid` as the BingX adapter lists one it does not know: lower-cased. */
const open = (cid: string, over: Partial<VenueOrderState> = {}): VenueOrderState => ({
  venue_order_id: "1801",
  client_order_id: cid.toLowerCase(),
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "LIMIT",
  status: "NEW",
  size: 0.01,
  filled_size_cumulative: 0,
  avg_price: 60_000,
  fee_cumulative: 0,
  updated_ms: ENDED_AT + 1,
  created_ms: ENDED_AT - 900,
  ...over,
});

describe("endedOrderListed: which open venue order is a slot's order the kernel ended", () => {
  const listed = (slot: SlotRecord, state = open("P1-E"), readAtMs = T0) =>
    endedOrderListed(state, [slot], readAtMs)?.order.client_order_id ?? null;

  test("a REJECTED or CANCELLED entry or exit under its client id in any case, on its asset, side and size: it", () => {
    expect(listed(idle(order("P1-E")))).toBe("P1-E");
    expect(listed(idle(order("P1-E", { status: "CANCELLED", venue_order_id: "1801" })))).toBe("P1-E");
    const exit = order("P1-X1", { role: "EXIT", side: "SELL" });
    const holding = idle(order("P1-E", { status: "FILLED" }), { stage: "POSITION_OPEN", exit_order: exit });
    expect(listed(holding, open("P1-X1", { side: "SELL", position_side: "LONG" }))).toBe("P1-X1");
  });

  test("a FILLED order, a working one, or one its stale slot holds (its RECONCILE decides): none", () => {
    expect(listed(idle(order("P1-E", { status: "FILLED" })))).toBeNull();
    expect(listed(idle(order("P1-E", { status: "ACKED" }), { stage: "ENTRY_WORKING" }))).toBeNull();
    expect(listed(idle(order("P1-E"), { stage: "STALE_STATE_RECONCILING" }))).toBeNull();
  });

  test("another order holding its id (another asset, side, size or venue order id, or created long before it): none", () => {
    const slot = idle(order("P1-E", { venue_order_id: "1801" }));
    expect(listed(slot, open("P1-E", { asset: "ETH-USDT" }))).toBeNull();
    expect(listed(slot, open("P1-E", { side: "SELL" }))).toBeNull();
    expect(listed(slot, open("P1-E", { size: 0.02 }))).toBeNull();
    expect(listed(slot, open("P1-E", { venue_order_id: "1799" }))).toBeNull();
    expect(listed(slot, open("P1-E", { created_ms: ENDED_AT - 600_000 }))).toBeNull();
    expect(listed(slot, open("P1-E", { venue_order_id: "" }))).toBe("P1-E"); // one id unknown: the rest decide
  });

  test(`ended less than ${ENDED_LIST_LAG_MS} ms before the pass's reads (the venue's list may lag its end): not yet; past it: it`, () => {
    const slot = idle(order("P1-E", { status: "CANCELLED" }));
    expect(listed(slot, open("P1-E"), ENDED_AT + ENDED_LIST_LAG_MS - 1)).toBeNull();
    expect(listed(slot, open("P1-E"), ENDED_AT + ENDED_LIST_LAG_MS)).toBe("P1-E");
    expect(listed(slot, open("P1-E"), ENDED_AT - 3_600_000)).toBe("P1-E"); // the clock stepped back an hour since
  });
});

/**
 * One pass's open orders over a kernel double holding `slot` and an empty `AbsentOrders` (a restarted process); the
 * venue's answer to a lookup by the kernel's client id: `found` (default: the order, open, in the kernel's spelling).
 */
function world(
  slot: SlotRecord,
  answer: CancelResult = { status: "REQUESTED" },
  found: (cid: string) => VenueOrderState | null = (cid) => ({ ...open(cid), client_order_id: cid }),
) {
  const queries: string[] = [];
  const cancels: string[] = [];
  const logs: string[] = [];
  const diags: DiagnosticRecord[] = [];
  const absent = new AbsentOrders(
    async (_asset, cid) => {
      cancels.push(cid);
      return answer;
    },
    (line) => logs.push(line),
  );
  const deps = {
    kernel: { slot: () => slot, slots: () => [slot] },
    executor: { absent, callRunning: () => false },
    clock: new ManualClock(T0),
    report: (d: DiagnosticRecord) => diags.push(d),
    log: (line: string) => logs.push(line),
    stopped: () => false,
    readAtMs: T0,
    venue: {
      queryOrder: async (_asset: string, cid: string) => {
        queries.push(cid);
        return found(cid);
      },
    },
  };
  const watch = new RestingAbsent();
  const orphans = () => diags.filter((d) => d.code === "ORPHAN_ORDER");
  const pass = (orders: VenueOrderState[]) => watch.follow(orders, [], deps);
  return { absent, queries, cancels, logs, orphans, pass };
}

describe("RestingAbsent.follow: a slot's ended order, open at the venue, with nothing in memory of it", () => {
  test("looked up by the kernel's client id first (the adapter learns its spelling), then cancelled at the venue once, logged as ended by the kernel, no ORPHAN_ORDER", async () => {
    const w = world(idle(order("P1-E")));
    await w.pass([open("P1-E")]);
    await w.pass([open("P1-E")]); // the venue took the cancel: not sent again while its list may lag
    expect(w.queries).toEqual(["P1-E"]);
    expect(w.cancels).toEqual(["P1-E"]);
    expect(w.logs).toEqual([
      "slot 0: P1-E, ended REJECTED by the kernel, open at the venue (live reconciliation): cancelling it there",
    ]);
    expect(w.orphans()).toEqual([]);
  });

  test(`a cancel that fails is sent again at later passes, ${CANCELS_MAX} in all; then one ORPHAN_ORDER names the slot and role`, async () => {
    const w = world(idle(order("P1-E")), { status: "UNKNOWN", reason: "timeout" });
    for (let i = 0; i < CANCELS_MAX + 2; i++) await w.pass([open("P1-E")]);
    expect(w.cancels).toEqual(Array(CANCELS_MAX).fill("P1-E"));
    expect(w.orphans().map((d) => d.message.split(":")[0])).toEqual([
      `slot 0's entry order, taken as ended, still open after ${CANCELS_MAX} cancels`,
    ]);
  });

  test("one the adapter spells the kernel's way (it knows the order) is cancelled with no lookup", async () => {
    const w = world(idle(order("P1-E")));
    await w.pass([open("P1-E", { client_order_id: "P1-E" })]);
    expect(w.queries).toEqual([]);
    expect(w.cancels).toEqual(["P1-E"]);
  });

  test("one the lookup finds ended (the venue's list lagged) is not cancelled, and is let go when nothing filled late", async () => {
    const w = world(idle(order("P1-E")), { status: "REQUESTED" }, (cid) => ({
      ...open(cid),
      client_order_id: cid,
      status: "CANCELED",
    }));
    await w.pass([open("P1-E")]);
    expect(w.queries).toEqual(["P1-E"]);
    expect(w.cancels).toEqual([]);
    expect(w.logs).toEqual([]);
    expect(w.absent.find("P1-E")).toBeUndefined();
  });

  test("another order holding its lower-cased id (another venue order id): never cancelled, reported as no slot's", async () => {
    const w = world(idle(order("P1-E", { status: "CANCELLED", venue_order_id: "1801" })));
    await w.pass([open("P1-E", { venue_order_id: "1799" })]);
    expect(w.cancels).toEqual([]);
    expect(w.orphans()).toEqual([]); // its id in any case is the slot's: owned, as before
  });
});

const kernel = kernelsPerTest({ slots: 2, capital: 100_000 });

test("right after the kernel's own cancel was acknowledged the venue's lagging list still shows the order: nothing sent, nothing logged; a pass past the lag that still lists it cancels it once", async () => {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(11, clock);
  let lagging: VenueOrderState[] | null = null; // the venue's list, as it was before the cancel
  const cancels: string[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    openOrders: { value: async () => lagging ?? mock.openOrders() },
    cancel: {
      value: async (asset: string, cid: string) => {
        cancels.push(cid);
        return mock.cancel(asset, cid);
      },
    },
  });
  const k = kernel();
  const logs: string[] = [];
  const log = (line: string) => void logs.push(line);
  const executor = new Executor(k, venue, clock, {
    afterApply: () => {},
    sleep: async () => {},
    report: () => {},
    log,
  });
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  const enter = { type: "ENTER", slot_id: 0, trade_id: "L1", asset: "BTC-USDT", side: "LONG", size: 0.01 } as const;
  executor.submitStrategy({ ...enter, price: 60_000, leverage: 3 }); // rests below the market
  for (let i = 0; i < 50 && k.slot(0).entry_order?.status !== "ACKED"; i++) await Bun.sleep(2);
  lagging = await mock.openOrders();
  expect(executor.submitStrategy({ type: "CANCEL", slot_id: 0 }).accepted).toBe(true);
  for (let i = 0; i < 50 && k.slot(0).stage !== "IDLE"; i++) await Bun.sleep(2);
  expect(k.slot(0)).toMatchObject({ stage: "IDLE", entry_order: { client_order_id: "L1-E", status: "CANCELLED" } });
  cancels.length = 0; // the kernel's own cancel
  logs.length = 0;

  const diags: DiagnosticRecord[] = [];
  const r = testReconciler({ kernel: k, executor, venue, clock }, diags, log);
  await r.pass();
  expect(cancels).toEqual([]);
  expect(logs).toEqual([]);

  clock.advance(ENDED_LIST_LAG_MS);
  await r.pass();
  lagging = null; // the venue's list caught up
  await r.pass();
  expect(cancels).toEqual(["L1-E"]);
  expect(logs.filter((l) => l.includes("cancelling it there"))).toEqual([
    "slot 0: L1-E, ended CANCELLED by the kernel, open at the venue (live reconciliation): cancelling it there",
  ]);
  expect(diags.filter((d) => d.code === "ORPHAN_ORDER")).toEqual([]);
  await executor.drain(1_000);
  await Bun.sleep(5); // the mock's answer to that cancel (an event on a later turn) reaches the kernel before it goes
  expect(k.slot(0).stage).toBe("IDLE");
});

/**
 * A POSITION_OPEN slot of trade P1 (LONG 0.01) whose exit leg 1 was taken as ended and whose exit is now leg 2
 * (`exit`), as it is after a restart: leg 1 is in the kernel's finished-order ring only, not in the slot image.
 */
const afterLegOne = (exit: Partial<OrderRecord> = {}, over: Partial<SlotRecord> = {}): SlotRecord =>
  idle(order("P1-E", { status: "FILLED", filled_size: 0.01, hung: false, created_at_ms: ENDED_AT - 10_000 }), {
    stage: "POSITION_OPEN",
    trade_id: "P1",
    side: "LONG",
    exit_order: order("P1-X2", { role: "EXIT", side: "SELL", status: "FILLED", leg: 2, intended_size: 0.005, ...exit }),
    ...over,
  });

/** Leg 1 of trade P1, a SELL closing the LONG, as the BingX adapter lists an order it does not know: lower-cased. */
const legOne = (over: Partial<VenueOrderState> = {}) => open("P1-X1", { side: "SELL", position_side: "LONG", ...over });

describe("earlierLegListed: which open venue order is an earlier exit leg of a slot's trade", () => {
  const listed = (slots: SlotRecord[], state = legOne(), readAtMs = T0) => {
    const found = earlierLegListed(state, slots, readAtMs);
    if (found === null) return null;
    const { slot, leg, endedBefore, listLag } = found;
    return `${slot.slot_id}:${leg.client_order_id} before ${endedBefore}${listLag ? " (list lag)" : ""}`;
  };

  test("`<trade_id>-X<k>` (any case) below the slot's current exit leg, on its asset, closing its position: that leg, in the kernel's spelling, of any size", () => {
    expect(listed([afterLegOne()])).toBe("0:P1-X1 before P1-X2");
    expect(listed([afterLegOne()], legOne({ client_order_id: "P1-X1", size: 0.02 }))).toBe("0:P1-X1 before P1-X2");
    const leg = earlierLegListed(legOne(), [afterLegOne()], T0)?.leg;
    expect(leg).toMatchObject({ role: "EXIT", side: "SELL", venue_order_id: "1801", filled_size: 0 });
    expect(leg?.created_at_ms).toBe(ENDED_AT - 10_000); // no older than the trade: its lookup judges by it
  });

  test("the current leg or a later one, another trade's, or not the kernel's spelling of a leg: none", () => {
    expect(listed([afterLegOne()], legOne({ client_order_id: "p1-x2" }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ client_order_id: "p1-x3" }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ client_order_id: "p2-x1" }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ client_order_id: "p1-x01" }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ client_order_id: "p1-x0" }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ client_order_id: "p1-e" }))).toBeNull();
  });

  test("another asset, an order opening rather than closing the position, or a stale slot's (its RECONCILE decides): none", () => {
    expect(listed([afterLegOne()], legOne({ asset: "ETH-USDT" }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ side: "BUY" }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ position_side: "SHORT" }))).toBeNull(); // a SELL opening a SHORT
    expect(listed([afterLegOne({}, { stage: "STALE_STATE_RECONCILING" })])).toBeNull();
  });

  test("two slots whose trade ids differ only in case (BingX holds them as one), or a slot order under that id: none", () => {
    const other = afterLegOne({ client_order_id: "p1-X2" }, { slot_id: 1, trade_id: "p1" });
    expect(listed([afterLegOne(), other])).toBeNull();
    const holder = idle(order("P1-X1", { trade_id: "Z" }), { slot_id: 1, trade_id: "Z" });
    expect(listed([afterLegOne(), holder])).toBeNull();
  });

  test("created long before the trade's entry (an old order under a reused trade id) or after its current leg: none", () => {
    expect(listed([afterLegOne()], legOne({ created_ms: ENDED_AT - 600_000 }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ created_ms: ENDED_AT + 60_000 }))).toBeNull();
    expect(listed([afterLegOne()], legOne({ created_ms: undefined }))).toBe("0:P1-X1 before P1-X2"); // unknown
  });

  test(`its current leg made less than ${ENDED_LIST_LAG_MS} ms before the pass's reads (the list may lag the end of the leg before it): not judged yet`, () => {
    const fresh = afterLegOne({ created_at_ms: T0 - ENDED_LIST_LAG_MS + 1 });
    expect(listed([fresh], legOne({ created_ms: T0 - 10 }))).toBe("0:P1-X1 before P1-X2 (list lag)");
    expect(listed([fresh], legOne({ created_ms: T0 - 10 }), T0 + 1)).toBe("0:P1-X1 before P1-X2");
  });
});

describe("RestingAbsent.follow: an earlier exit leg of a slot's trade, open at the venue after a restart", () => {
  test("looked up by the kernel's client id, cancelled at the venue once, logged as an earlier leg, never an anonymous ORPHAN_ORDER", async () => {
    const w = world(afterLegOne());
    await w.pass([legOne()]);
    await w.pass([legOne()]); // the venue took the cancel: not sent again while its list may lag
    expect(w.queries).toEqual(["P1-X1"]);
    expect(w.cancels).toEqual(["P1-X1"]);
    expect(w.logs).toEqual([
      "slot 0: P1-X1, an earlier exit leg the kernel ended before P1-X2, open at the venue (live reconciliation): cancelling it there",
    ]);
    expect(w.orphans()).toEqual([]);
  });

  test(`its slot's current leg made less than ${ENDED_LIST_LAG_MS} ms before the pass's reads (a restart right after it): nothing sent, nothing logged, no ORPHAN_ORDER; judged at a later pass`, async () => {
    const w = world(afterLegOne({ created_at_ms: T0 - 1_000 }));
    await w.pass([legOne({ created_ms: T0 - 2_000 })]);
    expect([...w.queries, ...w.cancels, ...w.logs]).toEqual([]);
    expect(w.orphans()).toEqual([]);
    expect(w.absent.find("P1-X1")).toBeUndefined();
  });
});

describe("RestingAbsent.follow: a lookup answering that another order holds the id", () => {
  test("restingVerdict: NOT_IT (nothing sent) once the lookups are spent on such answers, after a call running, before any cancel verdict", () => {
    const facts = { worksIt: false, callRunning: false, budget: 1, notIt: true };
    const fresh = { cancels: 0, open_after_cancel: 0 };
    expect(restingVerdict(fresh, facts)).toBe("NOT_IT");
    expect(restingVerdict({ ...fresh, cancels: CANCELS_MAX }, facts)).toBe("NOT_IT");
    expect(restingVerdict(fresh, { ...facts, callRunning: true })).toBe("OUT");
    expect(restingVerdict(fresh, { ...facts, notIt: false })).toBe("CANCEL");
  });

  test(`an order whose lookups answered "another order" is never cancelled by its id (that would cancel the other), and is one ORPHAN_ORDER naming the slot and role; lookups that failed are no such answer: cancelled after ${LOOKUPS_MAX} as before`, async () => {
    // The adapter's answer about another venue order under the id: that order, under the venue's spelling.
    const another = world(idle(order("P1-E")), { status: "REQUESTED" }, (cid) => open(cid, { venue_order_id: "1799" }));
    for (let i = 0; i < LOOKUPS_MAX + 2; i++) await another.pass([open("P1-E")]);
    expect(another.queries).toEqual(Array(LOOKUPS_MAX).fill("P1-E"));
    expect(another.cancels).toEqual([]);
    expect(another.logs.filter((l) => l.includes("cancelling it there"))).toEqual([]);
    expect(another.orphans().map((d) => d.message.split(":")[0])).toEqual([
      "open order under slot 0's entry order's client id that its lookups found to be another order, not cancelled",
    ]);
    expect(another.orphans()[0]?.details).not.toHaveProperty("made_by_slot"); // the slot did not make it

    const failing = world(idle(order("P1-E")), { status: "REQUESTED" }, () => {
      throw new Error("rate limited");
    });
    for (let i = 0; i < LOOKUPS_MAX + 1; i++) await failing.pass([open("P1-E")]);
    expect(failing.queries).toEqual(Array(LOOKUPS_MAX).fill("P1-E"));
    expect(failing.cancels).toEqual(["P1-E"]);
    expect(failing.orphans()).toEqual([]);
  });

  test(`lookups answering "no such order" (the venue's query lagging its list) say nothing of another order: cancelled after ${LOOKUPS_MAX} as before, never reported as another's`, async () => {
    const none = world(idle(order("P1-E")), { status: "REQUESTED" }, () => null);
    for (let i = 0; i < LOOKUPS_MAX + 1; i++) await none.pass([open("P1-E")]);
    expect(none.queries).toEqual(Array(LOOKUPS_MAX).fill("P1-E"));
    expect(none.cancels).toEqual(["P1-E"]);
    expect(none.absent.find("P1-E")?.answered_another).toBeUndefined();
    expect(none.orphans()).toEqual([]);
  });
});
