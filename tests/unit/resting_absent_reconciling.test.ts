/**
 * An order the hung-order query takes as ended unseen (ABSENT_STALE: acknowledged, then "no such order", its slot
 * marked stale) while a live pass is reading the venue, in the fast tier: a real kernel, executor and reconciler over
 * the mock venue, whose order service lags (every query answers "no such order") while its lists show the order.
 *
 * The pass's list of open orders was read before that answer: it shows the slot's own working order, not one
 * "resting unseen" after it was taken as ended. The slot is stale and still holds the order working; its RECONCILE
 * (the next pass) takes the venue's truth and keeps the order, since the venue lists it open (`_reconcile_truth.ts`).
 *
 * What it states: that pass sends no cancel (`_resting_absent.ts` RECONCILING: the slot's truth decides), the next
 * pass keeps the entry working, and the venue still has it. Before the fix the pass cancelled it at the venue (the
 * slot, stale, "worked" no order), and the next RECONCILE, no longer finding it, ended the strategy's entry.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { CancelResult, VenueAdapter, VenueOrderState } from "../../src/contracts/venue.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 100_000 });

test("an order taken as ended while a pass read the venue is left to its stale slot's RECONCILE, which keeps it: no cancel is sent", async () => {
  const clock = new ManualClock(T0);
  const mock = new MockVenueAdapter({ seed: 7, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  const cancels: string[] = [];
  let duringListRead: (() => Promise<unknown>) | null = null;
  const venue: VenueAdapter = Object.create(mock, {
    queryOrder: { value: async () => null }, // the order service lags: "no such order"
    openOrders: {
      value: async (): Promise<VenueOrderState[]> => {
        const listed = await mock.openOrders();
        const meanwhile = duringListRead;
        duringListRead = null;
        await meanwhile?.(); // the hung-order query answers while the pass reads
        return listed;
      },
    },
    cancel: {
      value: async (asset: string, cid: string): Promise<CancelResult> => {
        cancels.push(cid);
        return mock.cancel(asset, cid);
      },
    },
  });
  const k = kernel();
  const diags: DiagnosticRecord[] = [];
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {}, report: () => {} });
  await executor.setLeverage("BTC-USDT", "LONG", 3);
  const enter = { type: "ENTER", slot_id: 0, trade_id: "S1", asset: "BTC-USDT", side: "LONG", size: 0.01 } as const;
  executor.submitStrategy({ ...enter, price: 60_000, leverage: 3 }); // rests below the market
  for (let i = 0; i < 50 && k.slot(0).entry_order?.status !== "ACKED"; i++) await Bun.sleep(2);
  expect(k.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", entry_order: { status: "ACKED" } });

  const r = testReconciler({ kernel: k, executor, venue, clock }, diags);
  let verdict: unknown = null;
  duringListRead = async () => {
    verdict = await executor.resolveByQuery(0);
  };
  await r.pass();
  expect(verdict).toBe("ABSENT_STALE");
  expect(k.slot(0).stage).toBe("STALE_STATE_RECONCILING");
  expect(cancels).toEqual([]); // the list predates the answer: the slot's RECONCILE decides

  await r.pass(); // the slot's RECONCILE: the venue lists its entry open, so it keeps it
  expect(k.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", entry_order: { client_order_id: "S1-E" } });
  expect(cancels).toEqual([]);
  expect((await mock.openOrders()).map((o) => o.client_order_id)).toEqual(["S1-E"]);
  expect(diags.filter((d) => d.code === "ORPHAN_ORDER")).toEqual([]);
});
