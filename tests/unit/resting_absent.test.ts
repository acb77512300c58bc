/**
 * Live reconciliation's cancel of an order this process took as ended on the venue's "no such order" and that rests
 * at the venue unseen (`_resting_absent.ts`), in the fast tier: the pure verdict (`restingVerdict`), and one pass's
 * handling of the venue's open orders (`RestingAbsent.follow`) over `AbsentOrders` with a scripted cancel and a
 * kernel double. The end-to-end proof against bingx-sim is tests/unit/resting_absent_sim.test.ts.
 *
 * What they state: such an order is cancelled at the venue (it is no operator's), logged in `cancelIfLanded`'s family,
 * never an anonymous ORPHAN_ORDER; once (a cancel out, or one the venue took, is not sent again each pass), a failed
 * cancel again at a later pass, CANCELS_MAX in all, then one ORPHAN_ORDER naming the slot and role that made it; at
 * most CANCELS_PER_PASS a pass; never one its slot works again, nor another order holding the id (another asset or
 * side); nothing once shutdown began; the stream's path and the pass's share one send.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord, OrderRecord, SlotRecord } from "../../src/contracts/records.ts";
import type { CancelResult, VenueEvent, VenueOrderState } from "../../src/contracts/venue.ts";
import { AbsentOrders } from "../../src/launcher/_absent_orders.ts";
import {
  CANCELS_MAX,
  CANCELS_PER_PASS,
  OPEN_AFTER_CANCEL_PASSES,
  RestingAbsent,
  restingVerdict,
} from "../../src/launcher/_resting_absent.ts";
import { OrderTracker } from "../../src/venue/bingx/_order_tracker.ts";
import { WorkingOrders } from "../../src/venue/bingx/_working_orders.ts";
import { T0 } from "../_support/kernel.ts";

describe("restingVerdict", () => {
  const fresh = { cancels: 0, open_after_cancel: 0 };
  const facts = { worksIt: false, callRunning: false, budget: 1 };

  test("an order its slot works again is the slot's: WORKED_AGAIN, whatever its cancels", () => {
    expect(restingVerdict({ ...fresh, cancel_running: true }, { ...facts, worksIt: true })).toBe("WORKED_AGAIN");
  });

  test("an order its stale slot still holds working (its RECONCILE not made yet) is left to that RECONCILE: RECONCILING, nothing sent", () => {
    expect(restingVerdict(fresh, { ...facts, reconciling: true })).toBe("RECONCILING");
    expect(restingVerdict({ ...fresh, cancels: CANCELS_MAX }, { ...facts, reconciling: true })).toBe("RECONCILING");
  });

  test("a placement, cancel or query of it running, or a cancel of it out: OUT, nothing sent", () => {
    expect(restingVerdict(fresh, { ...facts, callRunning: true })).toBe("OUT");
    expect(restingVerdict({ ...fresh, cancels: 1, cancel_running: true }, facts)).toBe("OUT");
  });

  test(`a cancel the venue took is not sent again while fewer than ${OPEN_AFTER_CANCEL_PASSES} later passes still list the order`, () => {
    const requested = { cancels: 1, cancel_requested: true as const };
    expect(restingVerdict({ ...requested, open_after_cancel: OPEN_AFTER_CANCEL_PASSES - 1 }, facts)).toBe("REQUESTED");
    expect(restingVerdict({ ...requested, open_after_cancel: OPEN_AFTER_CANCEL_PASSES }, facts)).toBe("CANCEL");
  });

  test(`sent while the pass's budget lasts, the next pass after it, and given up after ${CANCELS_MAX} cancels in vain`, () => {
    expect(restingVerdict({ ...fresh, cancels: CANCELS_MAX - 1 }, facts)).toBe("CANCEL");
    expect(restingVerdict(fresh, { ...facts, budget: 0 })).toBe("NEXT_PASS");
    expect(restingVerdict({ ...fresh, cancels: CANCELS_MAX }, facts)).toBe("GIVEN_UP");
  });
});

const order = (cid: string, role: "ENTRY" | "EXIT" = "ENTRY"): OrderRecord => ({
  trade_id: cid.split("-")[0]!,
  venue_order_id: "",
  client_order_id: cid,
  role,
  side: role === "ENTRY" ? "BUY" : "SELL",
  order_type: "LIMIT",
  status: "REJECTED",
  leg: role === "ENTRY" ? 0 : 1,
  intended_size: 0.01,
  filled_size: 0,
  avg_fill_price: 0,
  limit_price: 60_000,
  fee: 0,
  hung: true,
  created_at_ms: 1,
  last_update_ms: 2,
});

/** The venue's open order under `cid` (a BUY LONG LIMIT resting at 60 000 unless `over` says otherwise). */
const open = (cid: string, over: Partial<VenueOrderState> = {}): VenueOrderState => ({
  venue_order_id: `v-${cid}`,
  client_order_id: cid,
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "LIMIT",
  status: "NEW",
  size: 0.01,
  filled_size_cumulative: 0,
  avg_price: 60_000,
  fee_cumulative: 0,
  updated_ms: 3,
  ...over,
});

/**
 * AbsentOrders whose cancel answers `answer` (default REQUESTED; "hang": never answers until `release`), remembering
 * `cids` as slot 0's entries taken as ended; slot 0 is IDLE holding the first as its finished entry, unless `working`.
 */
function world(cids: string[], answer: CancelResult | "hang" = { status: "REQUESTED" }) {
  const cancels: string[] = [];
  const logs: string[] = [];
  const diags: DiagnosticRecord[] = [];
  let release = () => {};
  const absent = new AbsentOrders(
    (_asset, cid) => {
      cancels.push(cid);
      if (answer !== "hang") return Promise.resolve(answer);
      return new Promise<CancelResult>((resolve) => (release = () => resolve({ status: "REQUESTED" })));
    },
    (line) => logs.push(line),
  );
  for (const cid of cids) absent.add({ slot_id: 0, asset: "BTC-USDT", side: "LONG" }, order(cid));
  let slot = { slot_id: 0, stage: "IDLE", entry_order: order(cids[0] ?? "X-E"), exit_order: null } as SlotRecord;
  let stopped = false;
  const running = new Set<string>();
  const deps = {
    kernel: { slot: () => slot, slots: () => [slot] },
    executor: { absent, callRunning: (cid: string) => running.has(cid) },
    clock: new ManualClock(T0),
    report: (d: DiagnosticRecord) => diags.push(d),
    log: (line: string) => logs.push(line),
    stopped: () => stopped,
    readAtMs: T0,
    venue: { queryOrder: async () => null }, // never asked: the adapter spells these orders the kernel's way
  };
  const watch = new RestingAbsent();
  return {
    absent,
    cancels,
    logs,
    orphans: () => diags.filter((d) => d.code === "ORPHAN_ORDER"),
    pass: (orders: VenueOrderState[]) => watch.follow(orders, [], deps),
    release: () => release(),
    works: (cid: string) => {
      slot = { ...slot, stage: "ENTRY_WORKING", entry_order: { ...order(cid), status: "ACKED" } };
    },
    /** Slot 0 is stale (ABSENT_STALE), still holding `cid` as its working entry until its RECONCILE. */
    reconciling: (cid: string) => {
      slot = { ...slot, stage: "STALE_STATE_RECONCILING", entry_order: { ...order(cid), status: "ACKED" } };
    },
    stop: () => {
      stopped = true;
    },
    running,
  };
}

describe("RestingAbsent.follow: one pass's open orders", () => {
  test("this process's order taken as ended, resting at the venue, is cancelled there, logged in cancelIfLanded's family, and is no ORPHAN_ORDER", async () => {
    const w = world(["A1-E"]);
    await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual(["A1-E"]);
    expect(w.logs).toEqual([
      "slot 0: A1-E, taken as absent, open at the venue (live reconciliation): cancelling it there",
    ]);
    expect(w.orphans()).toEqual([]);
  });

  test(`a cancel the venue took is not sent again at the next pass; only after ${OPEN_AFTER_CANCEL_PASSES} more passes still list the order`, async () => {
    const w = world(["A1-E"]);
    await w.pass([open("A1-E")]); // sent, REQUESTED
    for (let i = 0; i < OPEN_AFTER_CANCEL_PASSES; i++) await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual(["A1-E"]);
    await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual(["A1-E", "A1-E"]);
    expect(w.orphans()).toEqual([]);
  });

  test(`a failed cancel is sent again at later passes, ${CANCELS_MAX} in all; then one ORPHAN_ORDER names the slot and role that made it, also while the slot lists the order as its own`, async () => {
    const w = world(["A1-E"], { status: "UNKNOWN", reason: "timeout" });
    for (let i = 0; i < CANCELS_MAX + 3; i++) await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual(Array(CANCELS_MAX).fill("A1-E"));
    expect(w.orphans()).toHaveLength(1);
    const [d] = w.orphans();
    expect(d!.message).toStartWith(`slot 0's entry order, taken as ended, still open after ${CANCELS_MAX} cancels:`);
    expect(d!.message).toContain("client id A1-E");
    expect(d!.details).toMatchObject({ made_by_slot: 0, client_order_id: "A1-E", asset: "BTC-USDT" });
    expect(w.logs.filter((l) => l.includes("late A1-E cancel UNKNOWN"))).toHaveLength(CANCELS_MAX);
  });

  test("a cancel still out is not sent twice: neither by the next pass nor by the order's stream event", async () => {
    const w = world(["A1-E"], "hang");
    const first = w.pass([open("A1-E")]);
    await w.pass([open("A1-E")]);
    const ack: VenueEvent = {
      kind: "ACK",
      event_id: "A1-E:ACK",
      venue_order_id: "v-A1-E",
      client_order_id: "A1-E",
      asset: "BTC-USDT",
      filled_size_cumulative: 0,
      avg_price: 0,
      last_fill_size: 0,
      last_fill_price: 0,
      fee_cumulative: 0,
      venue_time_ms: 3,
    };
    expect(w.absent.cancelIfLanded(ack, () => ({ slot_id: 0, stage: "IDLE" }) as SlotRecord)).toBeNull();
    expect(w.cancels).toEqual(["A1-E"]);
    w.release();
    await first;
    expect(w.orphans()).toEqual([]);
  });

  test("a placement, cancel or query of it the executor runs: nothing sent, and it is no ORPHAN_ORDER", async () => {
    const w = world(["A1-E"]);
    w.running.add("A1-E");
    await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual([]);
    expect(w.orphans()).toEqual([]);
  });

  test("one its slot works again is the slot's: never cancelled, let go", async () => {
    const w = world(["A1-E"]);
    w.works("A1-E");
    await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual([]);
    expect(w.absent.find("A1-E")).toBeUndefined();
    expect(w.orphans()).toEqual([]);
  });

  test("another order holding the id (another asset or side) is not this process's: never cancelled, an ORPHAN_ORDER when no slot owns it", async () => {
    const w = world(["A1-E"]);
    w.works("B1-E"); // slot 0 no longer lists A1-E
    await w.pass([open("A1-E", { asset: "ETH-USDT" }), open("A1-E", { side: "SELL", venue_order_id: "v2" })]);
    expect(w.cancels).toEqual([]);
    expect(w.orphans().map((d) => d.message.startsWith("open order no slot owns, not cancelled"))).toEqual([
      true,
      true,
    ]);
  });

  test(`at most ${CANCELS_PER_PASS} cancels a pass; the rest are sent at the next, none reported meanwhile`, async () => {
    const cids = Array.from({ length: CANCELS_PER_PASS + 2 }, (_, i) => `T${i}-E`);
    const w = world(cids);
    w.works("B1-E");
    await w.pass(cids.map((cid) => open(cid)));
    expect(w.cancels).toEqual(cids.slice(0, CANCELS_PER_PASS));
    expect(w.orphans()).toEqual([]);
    await w.pass(cids.slice(CANCELS_PER_PASS).map((cid) => open(cid)));
    expect(w.cancels).toEqual(cids);
  });

  test("once shutdown began nothing is sent, and the order is no ORPHAN_ORDER", async () => {
    const w = world(["A1-E"]);
    w.stop();
    await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual([]);
    expect(w.orphans()).toEqual([]);
  });

  test("another venue order holding an acknowledged order's id, which the BingX adapter spells the kernel's way once it forgot that order as absent without its venue order id, is not this process's: never cancelled, an ORPHAN_ORDER", async () => {
    // The adapter: A1-E's placement answer lost (no venue order id; the kernel heard 1800 from the stream), then "no
    // such order": forgotten. (One whose venue order id the adapter knows keeps the venue's spelling for another order:
    // venue_bingx_restart_client_ids.test.ts.)
    const working = new WorkingOrders(new OrderTracker(), () => 0);
    working.track("A1-E", "BTC-USDT", true);
    working.placed("A1-E", "");
    working.forgetAbsent("A1-E");
    // An operator's (or another process's) order under the lower-cased id, another venue order id: the kernel's spelling.
    const foreign = { client_order_id: "a1-e", venue_order_id: "1799", asset: "BTC-USDT" };
    expect(working.kernelIdOf(foreign)).toBe("A1-E");

    const w = world([]);
    w.absent.add({ slot_id: 0, asset: "BTC-USDT", side: "LONG" }, { ...order("A1-E"), venue_order_id: "1800" });
    w.works("B1-E"); // slot 0 moved on
    await w.pass([open("A1-E", { venue_order_id: "1799" })]);
    expect(w.cancels).toEqual([]);
    expect(w.orphans().map((d) => d.message.split(":")[0])).toEqual(["open order no slot owns, not cancelled"]);
    await w.pass([open("A1-E", { venue_order_id: "1800" })]); // the order itself, landed late: cancelled
    expect(w.cancels).toEqual(["A1-E"]);
  });

  test("an order its stale slot still holds working is left to that slot's RECONCILE: nothing sent, no ORPHAN_ORDER, still remembered", async () => {
    const w = world(["A1-E"]);
    w.reconciling("A1-E");
    await w.pass([open("A1-E")]);
    expect(w.cancels).toEqual([]);
    expect(w.orphans()).toEqual([]);
    expect(w.absent.find("A1-E")).toBeDefined();
  });
});
