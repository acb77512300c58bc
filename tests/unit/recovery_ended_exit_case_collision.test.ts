/**
 * Start-up recovery's lookup of a POSITION_OPEN slot's exit the kernel ended (`endedExit`, `_recovery_lookups.ts`)
 * when another restored slot works an order whose client id differs from it only in case, in the fast tier: a real
 * kernel and executor over the mock venue whose order lookups answer as the BingX adapter does.
 *
 * The case: slot 0 (trade "ab") and slot 1 (trade "AB") each hold 1 LONG; slot 1's exit AB-X1 rests at the venue;
 * slot 0's exit ab-X1, sent right after, was refused locally (BingX lower-cases client ids: CLIENT_ID_CASE), so the
 * kernel ended it REJECTED. Then a restart. BingX holds the two ids as one: a lookup by "ab-X1" finds AB-X1's venue
 * order, and the adapter, knowing neither yet, takes that order as ab-X1 from then on (its events, its lookups).
 *
 * What they state: recovery does not look up an ended order whose client id another restored slot's order holds in
 * another case (nor remembers it to cancel): slot 1's exit is looked up alone, found open and kept (EXIT_WORKING),
 * and nothing is cancelled. Before the fix slot 0's ended exit was looked up first: the adapter took the venue order
 * as ab-X1, slot 1's own lookup then found none, its RECONCILE ended the resting exit CANCELLED, and slot 0's exit,
 * remembered as open at the venue, was cancelled by live reconciliation: slot 1's exit, its fills routed to slot 0.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueAdapter, VenueOrderState, VenuePosition } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { mockVenue } from "../_support/executor.ts";
import { enter, event, exit, feed, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 10_000 });

/** Slot `slot` holds 1 LONG at 100 under trade `trade`. */
function holding(k: ExecutionKernel, slot: number, trade: string): void {
  expect(enter(k, slot, { trade }).accepted).toBe(true);
  feed(k, event("ACK", `${trade}-E`, 0, 0));
  feed(k, event("FULL_FILL", `${trade}-E`, 1, 100));
  expect(k.slot(slot)).toMatchObject({ stage: "POSITION_OPEN", trade_id: trade });
}

/** The venue's AB-X1 (resting, nothing filled), as the adapter answers a lookup by `asked`. */
const restingExit = (asked: string): VenueOrderState => ({
  venue_order_id: event("ACK", "AB-X1", 0, 0).venue_order_id,
  client_order_id: asked,
  asset: "BTC-USDT",
  side: "SELL",
  position_side: "LONG",
  type: "MARKET",
  status: "NEW",
  size: 1,
  filled_size_cumulative: 0,
  avg_price: 0,
  fee_cumulative: 0,
  updated_ms: T0 + 100,
});

test("an ended exit whose client id another slot's working exit holds in another case is not looked up: that exit is found open and kept, nothing cancelled", async () => {
  const k = kernel();
  holding(k, 0, "ab");
  holding(k, 1, "AB");
  expect(exit(k, 1).accepted).toBe(true);
  feed(k, event("ACK", "AB-X1", 0, 0), T0 + 101);
  expect(exit(k, 0, 1, "SIGNAL", T0 + 102).accepted).toBe(true);
  feed(k, event("REJECT", "ab-X1", 0, 0, { reject_reason: "VENUE" }), T0 + 103); // CLIENT_ID_CASE, refused locally
  expect(k.slot(0)).toMatchObject({
    stage: "POSITION_OPEN",
    exit_order: { client_order_id: "ab-X1", status: "REJECTED" },
  });
  expect(k.slot(1)).toMatchObject({ stage: "EXIT_WORKING", exit_order: { client_order_id: "AB-X1", status: "ACKED" } });

  const clock = new ManualClock(T0 + 60_000);
  const mock = await mockVenue(5, clock);
  const queries: string[] = [];
  const cancels: string[] = [];
  let takenAs: string | null = null; // the spelling the adapter took the venue order under, at its first lookup
  const venue: VenueAdapter = Object.create(mock, {
    cancel: {
      value: async (asset: string, cid: string) => {
        cancels.push(cid);
        return mock.cancel(asset, cid);
      },
    },
    queryOrder: {
      value: async (_asset: string, cid: string) => {
        queries.push(cid);
        takenAs ??= cid;
        return takenAs === cid ? restingExit(cid) : null; // under another spelling: another order's, none
      },
    },
    positions: {
      value: async (): Promise<VenuePosition[]> => [
        { asset: "BTC-USDT", side: "LONG", size: 2, avg_price: 100, unrealized_pnl: 0, leverage: 5 },
      ],
    },
  });
  const log = () => {};
  const executor = new Executor(k, venue, clock, { afterApply: () => {}, sleep: async () => {}, log });
  await recover(
    { kernel: k, executor, venue, nowMs: () => clock.nowMs(), log },
    { source: "journal", images: [] },
    true,
  );

  expect(k.slot(1)).toMatchObject({ stage: "EXIT_WORKING", exit_order: { client_order_id: "AB-X1", status: "ACKED" } });
  expect(queries).toEqual(["AB-X1"]);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
  expect(executor.absent.find("ab-X1")).toBeUndefined();
  await executor.drain(1_000);
  expect(cancels).toEqual([]);
});
