/**
 * The pieces behind a late landing, in the fast tier (the end-to-end proof against bingx-sim is
 * tests/unit/late_landing_sim.test.ts):
 * - `withLateFill` (position_allocation.ts): a stale slot's claim grows by what an earlier entry of its own, taken
 *   as ended, filled late; that part is served after every slot's confirmed share, never out of another slot's.
 * - `orphanDiagnostic` (recovery.ts): a position this process's own order made that no slot can hold names the
 *   slot and the order (`made_by`), never an anonymous ORPHAN_POSITION.
 * - `AbsentOrders` (_absent_orders.ts): remembers both kinds the hung-order query takes as ended; one that lands
 *   live is cancelled at the venue once (not at every event after the cancel was requested), unless its slot works
 *   it again; live reconciliation sees only entries, newest first, each at most LOOKUPS_MAX times; bounded.
 */

import { describe, expect, test } from "bun:test";
import type { OrderRecord, SlotRecord } from "../../src/contracts/records.ts";
import type { CancelResult, VenueEvent, VenuePosition } from "../../src/contracts/venue.ts";
import { ABSENT_KEPT, AbsentOrders, LOOKUPS_MAX } from "../../src/launcher/_absent_orders.ts";
import { allocatePositions, withLateFill } from "../../src/launcher/position_allocation.ts";
import { orphanDiagnostic } from "../../src/launcher/recovery.ts";

const long = (size: number): VenuePosition => ({
  asset: "BTC-USDT",
  side: "LONG",
  size,
  avg_price: 64_000,
  unrealized_pnl: 0,
  leverage: 20,
});
const claim = (slot_id: number, claim_size: number) => ({
  slot_id,
  asset: "BTC-USDT",
  side: "LONG" as const,
  claim_size,
});

describe("withLateFill: a stale slot claims what an earlier entry of its own filled late", () => {
  test("on top of its confirmed size: the slot holds both trades' fills, no orphan", () => {
    const { assignments, orphans } = allocatePositions([withLateFill(claim(0, 0.01), 0.01)], [long(0.02)]);
    expect(assignments[0]?.size).toBe(0.02);
    expect(orphans).toEqual([]);
  });

  test("after every other slot's confirmed share: a later slot's position is never taken by it", () => {
    const claims = [withLateFill(claim(0, 0.01), 0.01), claim(1, 0.01)];
    const { assignments, orphans } = allocatePositions(claims, [long(0.02)]); // the late fill not (yet) at the venue
    expect(assignments.map((a) => a.size)).toEqual([0.01, 0.01]);
    expect(orphans).toEqual([]);
  });

  test("nothing late changes nothing", () => {
    expect(withLateFill(claim(0, 0.01), 0)).toEqual(claim(0, 0.01));
  });
});

describe("orphanDiagnostic", () => {
  const orphan = { asset: "BTC-USDT", side: "LONG" as const, size: 0.01, avg_price: 60_000 };

  test("a position this process's order made names the slot and the order that filled into it", () => {
    const made_by = { slot_id: 3, client_order_id: "N1-E", filled_late: 0.01 };
    const d = orphanDiagnostic({ ...orphan, made_by }, 1);
    expect(d).toMatchObject({ code: "ORPHAN_POSITION", severity: "CRITICAL", slot_id: null });
    expect(d.message).toContain("0.01 BTC-USDT LONG that no slot owns; slot 3's entry N1-E, taken as ended");
    expect(d.details).toMatchObject({ made_by_slot: 3, client_order_id: "N1-E" });
  });

  test("one nobody here made reads as before", () => {
    expect(orphanDiagnostic(orphan, 1).message).toBe(
      "the venue holds 0.01 BTC-USDT LONG that no slot owns; not adopted: close it at the venue or reconcile by hand",
    );
  });
});

const slot = { slot_id: 0, asset: "BTC-USDT", side: "LONG" as const } satisfies Pick<
  SlotRecord,
  "slot_id" | "asset" | "side"
>;
const order = (cid: string, role: "ENTRY" | "EXIT" = "ENTRY"): OrderRecord => ({
  trade_id: cid.split("-")[0]!,
  venue_order_id: "1800000000000000001",
  client_order_id: cid,
  role,
  side: role === "ENTRY" ? "BUY" : "SELL",
  order_type: "LIMIT",
  status: "ACKED",
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
const live = (cid: string, kind: VenueEvent["kind"] = "PARTIAL_FILL"): VenueEvent => ({
  kind,
  event_id: `${cid}:${kind}`,
  venue_order_id: "1800000000000000001",
  client_order_id: cid,
  asset: "BTC-USDT",
  filled_size_cumulative: 0.004,
  avg_price: 60_000,
  last_fill_size: 0.004,
  last_fill_price: 60_000,
  fee_cumulative: 0,
  venue_time_ms: 3,
});

/** Slot 0 as the kernel holds it after the event: `stage`, and its entry order `entry` (none: null). */
const slotNow = (stage: SlotRecord["stage"], entry: OrderRecord | null = null) =>
  ({ slot_id: 0, stage, entry_order: entry, exit_order: null }) as unknown as SlotRecord;
const idle = () => slotNow("IDLE", { ...order("A1-E"), status: "CANCELLED" });

function absentOrders() {
  const cancels: string[] = [];
  const requested: CancelResult = { status: "REQUESTED" };
  const absent = new AbsentOrders(
    async (_asset, cid) => {
      cancels.push(cid);
      return requested;
    },
    () => {},
  );
  return { absent, cancels };
}

describe("AbsentOrders", () => {
  test("an event of another venue order holding a forgotten order's client id (BingX spells it the kernel's way) cancels nothing: an operator's order is not this process's", async () => {
    const { absent, cancels } = absentOrders();
    absent.add(slot, order("A1-E"));
    const foreign = { ...live("A1-E", "ACK"), venue_order_id: "1799" };
    expect(absent.cancelIfLanded(foreign, idle)).toBeNull();
    expect(cancels).toEqual([]);
    await absent.cancelIfLanded(live("A1-E", "ACK"), idle); // the order itself, landed late: cancelled
    expect(cancels).toEqual(["A1-E"]);
  });

  test("an order taken as ended that lands live is cancelled once, not again at its next events", async () => {
    const { absent, cancels } = absentOrders();
    absent.add(slot, order("A1-E"));
    await absent.cancelIfLanded(live("A1-E"), idle);
    expect(absent.cancelIfLanded(live("A1-E"), idle)).toBeNull();
    expect(cancels).toEqual(["A1-E"]);
    expect(absent.entriesOf(0).map((o) => o.client_order_id)).toEqual(["A1-E"]); // still looked up for its fill
  });

  test("one its slot works again is its own: not cancelled, and let go", () => {
    const { absent, cancels } = absentOrders();
    absent.add(slot, order("A1-E"));
    expect(absent.cancelIfLanded(live("A1-E", "ACK"), () => slotNow("ENTRY_WORKING", order("A1-E")))).toBeNull();
    expect(cancels).toEqual([]);
    expect(absent.entriesOf(0)).toEqual([]);
  });

  test("one its slot kept working (a RECONCILE found it open) and then filled through the kernel: that fill is booked, not late", () => {
    const { absent, cancels } = absentOrders();
    absent.add(slot, order("A1-E"));
    const filled = { ...order("A1-E"), status: "FILLED" as const, filled_size: 0.01 };
    expect(absent.cancelIfLanded(live("A1-E", "FULL_FILL"), () => slotNow("POSITION_OPEN", filled))).toBeNull();
    expect(cancels).toEqual([]);
    expect(absent.entriesOf(0)[0]?.filled_size).toBe(0.01);
  });

  test("live reconciliation sees entries only (newest first, on their asset and side), each at most LOOKUPS_MAX times", () => {
    const { absent } = absentOrders();
    absent.add(slot, order("A1-E"));
    absent.add(slot, order("B1-X1", "EXIT"));
    absent.add(slot, order("C1-E"));
    expect(absent.entriesOn("BTC-USDT", "LONG").map((o) => o.client_order_id)).toEqual(["C1-E", "A1-E"]);
    expect(absent.entriesOn("BTC-USDT", "SHORT")).toEqual([]);
    for (let i = 0; i < LOOKUPS_MAX; i++) absent.lookedUp("C1-E");
    expect(absent.entriesOf(0).map((o) => o.client_order_id)).toEqual(["A1-E"]);
    expect(absent.entriesOf(0, true).map((o) => o.client_order_id)).toEqual(["C1-E", "A1-E"]);
  });

  test(`remembers at most ${ABSENT_KEPT} orders, the oldest let go first`, () => {
    const { absent } = absentOrders();
    for (let i = 0; i <= ABSENT_KEPT; i++) absent.add(slot, order(`T${i}-E`));
    const kept = absent.entriesOf(0, true);
    expect(kept).toHaveLength(ABSENT_KEPT);
    expect(kept.at(-1)?.client_order_id).toBe("T1-E");
  });
});
