/**
 * Live reconciliation's cancel of a slot's order the kernel ended, derived from the kernel's state
 * (`endedOrderListed`, `_resting_absent.ts`), when two slots hold orders whose client ids differ only in case, in the
 * fast tier.
 *
 * The case: slot 0 (trade "AB") works its entry AB-E, resting at the venue; slot 1 (trade "ab") entered at the same
 * moment, and its entry ab-E was refused locally (BingX lower-cases client ids: CLIENT_ID_CASE, `_working_orders.ts`),
 * so the kernel ended it REJECTED and slot 1, IDLE, keeps it in its image. Same asset, side and size; ab-E never had a
 * venue order id. The venue lists AB-E: under the kernel's spelling when the adapter knows it, lower-cased ("ab-e")
 * when it does not (a restart whose lookup of it failed).
 *
 * What they state: the listed order is never taken as slot 1's ended ab-E: nothing is looked up or cancelled at any
 * pass, and it is no ORPHAN_ORDER (slot 0 owns it). Before the fix the match (client id in any case) took it as
 * slot 1's: in the kernel's spelling it was looked up by "ab-E" at each pass (the adapter answers another order's:
 * none) and cancelled by "ab-E" once LOOKUPS_MAX lookups were spent, which BingX applies to AB-E; lower-cased, the
 * lookup (the adapter then takes the venue order as ab-E) said open and it was cancelled at the first pass: slot 0's
 * working entry cancelled behind its back, its events routed to slot 1.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord, OrderRecord, SlotRecord } from "../../src/contracts/records.ts";
import type { VenueOrderState } from "../../src/contracts/venue.ts";
import { AbsentOrders, LOOKUPS_MAX } from "../../src/launcher/_absent_orders.ts";
import { endedOrderListed, RestingAbsent } from "../../src/launcher/_resting_absent.ts";
import { T0 } from "../_support/kernel.ts";

/** When both entries were placed: long before the passes' reads (`T0`), so no lag window applies. */
const PLACED_AT = T0 - 60_000;

const entry = (cid: string, over: Partial<OrderRecord>): OrderRecord => ({
  trade_id: cid.split("-")[0]!,
  venue_order_id: "",
  client_order_id: cid,
  role: "ENTRY",
  side: "BUY",
  order_type: "LIMIT",
  status: "ACKED",
  leg: 0,
  intended_size: 0.01,
  filled_size: 0,
  avg_fill_price: 0,
  limit_price: 60_000,
  fee: 0,
  hung: false,
  created_at_ms: PLACED_AT,
  last_update_ms: PLACED_AT,
  ...over,
});

const slot = (slotId: number, stage: SlotRecord["stage"], order: OrderRecord): SlotRecord =>
  ({ slot_id: slotId, stage, asset: "BTC-USDT", side: null, entry_order: order, exit_order: null }) as SlotRecord;

const slots = [
  slot(0, "ENTRY_WORKING", entry("AB-E", { venue_order_id: "1801" })),
  slot(1, "IDLE", entry("ab-E", { status: "REJECTED", created_at_ms: PLACED_AT + 2 })),
];

/** AB-E as the venue lists it, under `spelling`. */
const listed = (spelling: string): VenueOrderState => ({
  venue_order_id: "1801",
  client_order_id: spelling,
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "LIMIT",
  status: "NEW",
  size: 0.01,
  filled_size_cumulative: 0,
  avg_price: 60_000,
  fee_cumulative: 0,
  updated_ms: PLACED_AT + 1,
  created_ms: PLACED_AT + 1,
});

/**
 * Passes of live reconciliation's open-order watch over both slots and an empty `AbsentOrders` (a restarted process);
 * a lookup by "ab-E" answers as the BingX adapter would: `answer`.
 */
async function passes(open: VenueOrderState, answer: VenueOrderState | null, count: number) {
  const queries: string[] = [];
  const cancels: string[] = [];
  const diags: DiagnosticRecord[] = [];
  const absent = new AbsentOrders(
    async (_asset, cid) => {
      cancels.push(cid);
      return { status: "REQUESTED" };
    },
    () => {},
  );
  const deps = {
    kernel: { slot: (id: number) => slots[id]!, slots: () => slots },
    executor: { absent, callRunning: () => false },
    clock: new ManualClock(T0),
    report: (d: DiagnosticRecord) => diags.push(d),
    log: () => {},
    stopped: () => false,
    readAtMs: T0,
    venue: {
      queryOrder: async (_asset: string, cid: string) => {
        queries.push(cid);
        return answer;
      },
    },
  };
  const watch = new RestingAbsent();
  for (let i = 0; i < count; i++) await watch.follow([open], [], deps);
  return { queries, cancels, orphans: diags.filter((d) => d.code === "ORPHAN_ORDER") };
}

test("another slot's working order whose client id differs only in case is never taken as this slot's ended one, in either spelling", () => {
  expect(endedOrderListed(listed("AB-E"), slots, T0)).toBeNull();
  expect(endedOrderListed(listed("ab-e"), slots, T0)).toBeNull();
});

test(`listed in the kernel's spelling (the adapter knows it): never looked up or cancelled as slot 1's ab-E, ${LOOKUPS_MAX + 2} passes on; no ORPHAN_ORDER`, async () => {
  const w = await passes(listed("AB-E"), null, LOOKUPS_MAX + 2);
  expect(w.cancels).toEqual([]);
  expect(w.queries).toEqual([]);
  expect(w.orphans).toEqual([]);
});

test("listed lower-cased (the adapter does not know it: a restart): never looked up or cancelled as slot 1's ab-E; no ORPHAN_ORDER", async () => {
  const w = await passes(listed("ab-e"), { ...listed("ab-e"), client_order_id: "ab-E" }, 3);
  expect(w.cancels).toEqual([]);
  expect(w.queries).toEqual([]);
  expect(w.orphans).toEqual([]);
});
