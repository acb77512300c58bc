/**
 * `LateFills.exitsFilledLate` (_late_fills.ts) in the fast tier, on a fake kernel and venue (the end-to-end proof
 * against bingx-sim is tests/unit/late_exit_lost_event_sim.test.ts): before live reconciliation judges a slot's
 * position mismatch, the slot's own exit taken as ended on the venue's "no such order" (remembered in AbsentOrders,
 * role EXIT) is looked up; a fill beyond what the kernel booked of it is passed to the kernel as the venue event
 * the stream lost; the kernel decides. Bounds: LOOKUPS_PER_PASS lookups a pass, LOOKUPS_MAX per exit, one event per
 * cumulative fill the venue reports (an exit it had open, partly filled, is passed again only when its cumulative
 * grew: the rest filled, that event lost too; never what the stream brought), nothing once shutdown began; a slot
 * whose exit could not be looked up waits for a later pass, and one a fill or transition moved meanwhile is left
 * alone.
 */

import { describe, expect, test } from "bun:test";
import type { OrderRecord, SlotRecord } from "../../src/contracts/records.ts";
import type { VenueEvent, VenueOrderState } from "../../src/contracts/venue.ts";
import { AbsentOrders, LOOKUPS_MAX } from "../../src/launcher/_absent_orders.ts";
import { LateFills, LOOKUPS_PER_PASS } from "../../src/launcher/_late_fills.ts";
import { eventFromOrderState } from "../../src/launcher/_order_event.ts";

const exitOrder = (trade: string): OrderRecord => ({
  trade_id: trade,
  venue_order_id: "1800000000000000001",
  client_order_id: `${trade}-X1`,
  role: "EXIT",
  side: "SELL",
  order_type: "LIMIT",
  status: "CANCELLED",
  leg: 1,
  intended_size: 0.01,
  filled_size: 0,
  avg_fill_price: 0,
  limit_price: 70_000,
  fee: 0,
  hung: false,
  created_at_ms: 1,
  last_update_ms: 2,
});

/** Slot `id` holding a 0.01 BTC-USDT LONG (POSITION_OPEN), its exit `<trade>-X1` ended (taken as absent). */
const holding = (id: number, trade = `T${id}`, stage: SlotRecord["stage"] = "POSITION_OPEN") =>
  ({
    slot_id: id,
    stage,
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    version: 1,
    entry_order: null,
    exit_order: exitOrder(trade),
  }) as unknown as SlotRecord;

const filled = (cid: string, status: VenueOrderState["status"] = "FILLED", cumulative = 0.01): VenueOrderState => ({
  venue_order_id: "1800000000000000001",
  client_order_id: cid,
  asset: "BTC-USDT",
  side: "SELL",
  position_side: "LONG",
  type: "LIMIT",
  status,
  size: 0.01,
  filled_size_cumulative: cumulative,
  avg_price: cumulative > 0 ? 70_000 : 0,
  fee_cumulative: 0,
  updated_ms: 3,
});

/**
 * Slots `slots`, each exit remembered as taken as absent; the venue answers each lookup with `answer(cid)` (throws:
 * a failed lookup); a kernel that takes every event (`takes` false: none), booking it as decision 38 does (the exit
 * takes the event's cumulative, the position shrinks by what it adds: POSITION_OPEN, or CLOSED at 0; the version
 * moves), then the executor's follow-up (`cancelIfLanded`: what the kernel booked of the order is remembered).
 * `stream(e)` is an event the stream brought (not passed by LateFills).
 */
function world(slots: SlotRecord[], answer: (cid: string) => VenueOrderState | null, takes = true) {
  const kernelSlots = new Map(slots.map((s) => [s.slot_id, s]));
  const absent = new AbsentOrders(
    async () => ({ status: "REQUESTED" }),
    () => {},
  );
  for (const s of slots) absent.add(s, s.exit_order!);
  const events: VenueEvent[] = [];
  const asked: string[] = [];
  let stopped = false;
  const stream = (e: VenueEvent) => {
    const s = [...kernelSlots.values()].find((x) => x.exit_order?.client_order_id === e.client_order_id)!;
    const exit = s.exit_order!;
    const size = Math.round((s.size - (e.filled_size_cumulative - exit.filled_size)) * 1e8) / 1e8;
    const booked = { ...exit, filled_size: e.filled_size_cumulative };
    const stage = size === 0 ? "CLOSED" : "POSITION_OPEN";
    kernelSlots.set(s.slot_id, { ...s, stage, size, exit_order: booked, version: s.version + 1 });
    void absent.cancelIfLanded(e, (id) => kernelSlots.get(id)!);
  };
  const late = new LateFills({
    kernel: { slot: (id) => kernelSlots.get(id)! },
    executor: {
      absent,
      onVenueEvent(e) {
        events.push(e);
        if (takes) stream(e);
      },
    },
    venue: {
      async queryOrder(_asset, cid) {
        asked.push(cid);
        return answer(cid);
      },
    },
    log() {},
    read: (_what, call) => call(),
    stopped: () => stopped,
  });
  const ids = slots.map((s) => s.slot_id);
  /** One pass: a slot is unmoved while its version is the one it had when the pass began. */
  const judge = (open: VenueOrderState[] = []) => {
    const versions = new Map([...kernelSlots.values()].map((s) => [s.slot_id, s.version]));
    return late.exitsFilledLate(ids, open, (id) => kernelSlots.get(id)!.version === versions.get(id));
  };
  const stop = () => {
    stopped = true;
  };
  return { late, absent, events, asked, judge, stop, stream, slot: (id: number) => kernelSlots.get(id)! };
}

describe("exitsFilledLate: a lost late fill of a slot's own exit taken as ended reaches the kernel before the mismatch is judged", () => {
  test("the venue reports the exit filled: its fill is passed to the kernel as the lost FULL_FILL, and the slot it moved is not judged", async () => {
    const w = world([holding(0, "C1")], (cid) => filled(cid));
    expect(await w.judge()).toEqual([]);
    expect(w.asked).toEqual(["C1-X1"]);
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ kind: "FULL_FILL", client_order_id: "C1-X1", filled_size_cumulative: 0.01 });
  });

  test("once for an exit the venue reports ended: an event the kernel did not take is not passed again, nor the exit looked up again; the slot is judged as before", async () => {
    const w = world([holding(0, "C1")], (cid) => filled(cid), false);
    expect(await w.judge()).toEqual([0]);
    expect(await w.judge()).toEqual([0]);
    expect(w.events).toHaveLength(1);
    expect(w.asked).toEqual(["C1-X1"]);
  });

  test("an exit the venue reports ended with nothing filled: no event, let go, the slot judged at once", async () => {
    const w = world([holding(0, "C1")], (cid) => filled(cid, "CANCELED", 0));
    expect(await w.judge()).toEqual([0]);
    expect(w.events).toEqual([]);
    expect(w.absent.find("C1-X1")).toBeUndefined();
  });

  test("an exit the venue lists open, partly filled: no lookup, its fill passed as the lost PARTIAL_FILL", async () => {
    const w = world([holding(0, "C1")], () => null);
    expect(await w.judge([filled("C1-X1", "PARTIALLY_FILLED", 0.004)])).toEqual([]);
    expect(w.asked).toEqual([]);
    expect(w.events[0]).toMatchObject({ kind: "PARTIAL_FILL", filled_size_cumulative: 0.004 });
  });

  test(`at most ${LOOKUPS_PER_PASS} lookups a pass: a slot whose exit was not looked up waits for a later pass`, async () => {
    const slots = Array.from({ length: LOOKUPS_PER_PASS + 2 }, (_, i) => holding(i));
    const w = world(slots, (cid) => filled(cid, "CANCELED", 0)); // nothing late: each one let go
    const first = await w.judge();
    expect(w.asked).toHaveLength(LOOKUPS_PER_PASS);
    expect(first).toEqual(slots.slice(0, LOOKUPS_PER_PASS).map((s) => s.slot_id));
    expect(await w.judge()).toEqual(slots.map((s) => s.slot_id)); // the rest looked up at the next pass
    expect(w.asked).toHaveLength(LOOKUPS_PER_PASS + 2);
  });

  test(`a failed lookup: the slot waits, and after ${LOOKUPS_MAX} failed lookups it is judged as before`, async () => {
    const w = world([holding(0, "C1")], () => {
      throw new Error("HTTP 503");
    });
    for (let i = 0; i < LOOKUPS_MAX; i++) expect(await w.judge()).toEqual([]);
    expect(await w.judge()).toEqual([0]);
    expect(w.asked).toHaveLength(LOOKUPS_MAX);
    expect(w.events).toEqual([]);
  });

  test("only a POSITION_OPEN slot's own exit: another stage, or an order remembered as another slot's, is not looked up", async () => {
    const working = holding(0, "C1", "EXIT_WORKING");
    const w = world([working, holding(1, "D1")], (cid) => filled(cid));
    w.absent.add({ slot_id: 5, asset: "BTC-USDT", side: "LONG" }, exitOrder("D1")); // now remembered as slot 5's
    expect(await w.judge()).toEqual([0, 1]);
    expect(w.asked).toEqual([]);
    expect(w.events).toEqual([]);
  });

  test("an exit whose partial fill was passed (the venue had it open) fills the rest with that event lost too: the next pass looks it up again and passes the rest as the lost FULL_FILL, closing the trade", async () => {
    const w = world([holding(0, "C1")], (cid) => filled(cid)); // looked up: FILLED, 0.01
    expect(await w.judge([filled("C1-X1", "PARTIALLY_FILLED", 0.004)])).toEqual([]);
    expect(w.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.006, exit_order: { filled_size: 0.004 } });

    expect(await w.judge()).toEqual([]); // the rest reached the kernel: the slot moved, not judged mismatched
    expect(w.asked).toEqual(["C1-X1"]);
    expect(w.events.map((e) => [e.kind, e.filled_size_cumulative])).toEqual([
      ["PARTIAL_FILL", 0.004],
      ["FULL_FILL", 0.01],
    ]);
    expect(w.slot(0)).toMatchObject({ stage: "CLOSED", size: 0, exit_order: { filled_size: 0.01 } });
  });

  test("the same cumulative fill is never passed twice (listed open again, or looked up while the venue lags), even when the kernel did not take it; a grown one is", async () => {
    let cumulative = 0.004;
    const w = world([holding(0, "C1")], (cid) => filled(cid, "PARTIALLY_FILLED", cumulative), false);
    const listed = () => [filled("C1-X1", "PARTIALLY_FILLED", cumulative)];
    expect(await w.judge(listed())).toEqual([0]); // not taken: judged as before
    expect(await w.judge(listed())).toEqual([0]);
    expect(await w.judge()).toEqual([0]); // not listed (the venue's lists lag): looked up, the same 0.004
    expect(w.events).toHaveLength(1);
    cumulative = 0.007;
    expect(await w.judge(listed())).toEqual([0]);
    expect(w.events.map((e) => e.filled_size_cumulative)).toEqual([0.004, 0.007]);
  });

  test("a fill the stream brought after a passed partial one (the kernel booked it) is not passed again; a rest lost later is", async () => {
    let venue = filled("C1-X1", "PARTIALLY_FILLED", 0.007);
    const w = world([holding(0, "C1")], () => venue);
    expect(await w.judge([filled("C1-X1", "PARTIALLY_FILLED", 0.004)])).toEqual([]);
    w.stream(eventFromOrderState(venue)); // the stream's event of 0.007
    expect(await w.judge([venue])).toEqual([0]); // nothing beyond what the kernel booked: judged
    expect(w.events).toHaveLength(1);
    venue = filled("C1-X1"); // the rest fills, its event lost
    expect(await w.judge()).toEqual([]);
    expect(w.events.map((e) => [e.kind, e.filled_size_cumulative])).toEqual([
      ["PARTIAL_FILL", 0.004],
      ["FULL_FILL", 0.01],
    ]);
    expect(w.slot(0)).toMatchObject({ stage: "CLOSED", size: 0 });
  });

  test(`an exit passed partly filled is looked up again at most ${LOOKUPS_MAX} times in all, then its slot is judged as before`, async () => {
    const w = world([holding(0, "C1")], (cid) => filled(cid, "PARTIALLY_FILLED", 0.004));
    expect(await w.judge([filled("C1-X1", "PARTIALLY_FILLED", 0.004)])).toEqual([]);
    for (let i = 0; i < LOOKUPS_MAX + 2; i++) expect(await w.judge()).toEqual([0]);
    expect(w.asked).toHaveLength(LOOKUPS_MAX);
    expect(w.events).toHaveLength(1);
  });

  test("nothing reaches the kernel once shutdown began during the lookup", async () => {
    let w: ReturnType<typeof world> | null = null;
    w = world([holding(0, "C1")], (cid) => {
      w?.stop();
      return filled(cid);
    });
    expect(await w.judge()).toEqual([]);
    expect(w.events).toEqual([]);
  });
});
