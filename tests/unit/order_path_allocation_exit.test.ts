/**
 * Position allocation with two slots on one asset and side, one of them exiting (real kernel
 * records, src/launcher/position_allocation.ts): the venue's position falls by what the working
 * exit filled before its fill reached the kernel. That shortfall is the exiting slot's; the other
 * slot, with no order of its own, keeps its whole confirmed share (else live reconciliation would
 * take a position from a slot that never traded and give it to the one whose exit closed it).
 */

import { expect, test } from "bun:test";
import type { VenuePosition } from "../../src/contracts/venue.ts";
import { allocatePositions, slotClaim } from "../../src/launcher/position_allocation.ts";
import { event, exit, feed, kernelsPerTest, openPosition } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 100_000 });

const btcLong = (size: number): VenuePosition => ({
  asset: "BTC-USDT",
  side: "LONG",
  size,
  avg_price: 100,
  unrealized_pnl: 0,
  leverage: 5,
});

/** Slots 0 and 1 each hold 1 BTC long; slot 0 exits it all (the exit acknowledged, nothing filled in the kernel). */
function twoSlotsOneExiting() {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  openPosition(k, 1, 1, 100);
  expect(exit(k, 0, 1).accepted).toBe(true);
  feed(k, event("ACK", k.slot(0).exit_order!.client_order_id, 0, 0));
  expect(k.slot(0).stage).toBe("EXIT_WORKING");
  return k;
}

const shares = (k: ReturnType<typeof kernel>, venue: VenuePosition[]) =>
  allocatePositions([slotClaim(k.slot(0)), slotClaim(k.slot(1))], venue).assignments.map((a) => a.size);

test("a working exit that filled at the venue takes the shortfall: the slot without an order keeps its share", () => {
  const k = twoSlotsOneExiting();
  expect(shares(k, [btcLong(1)])).toEqual([0, 1]); // the exit filled: slot 0 is flat, slot 1 still holds 1
});

test("a working exit partly filled at the venue: only the exiting slot's share shrinks", () => {
  const k = twoSlotsOneExiting();
  expect(shares(k, [btcLong(1.5)])).toEqual([0.5, 1]);
});

test("a working exit with nothing filled at the venue: both slots keep their whole share", () => {
  const k = twoSlotsOneExiting();
  expect(shares(k, [btcLong(2)])).toEqual([1, 1]);
  expect(allocatePositions([slotClaim(k.slot(0)), slotClaim(k.slot(1))], [btcLong(2)]).orphans).toEqual([]);
});

test("a partial exit fill the kernel already applied is not counted twice", () => {
  const k = twoSlotsOneExiting();
  feed(k, event("PARTIAL_FILL", k.slot(0).exit_order!.client_order_id, 0.25, 100));
  expect(k.slot(0).size).toBe(0.75);
  expect(shares(k, [btcLong(1.75)])).toEqual([0.75, 1]); // nothing more filled at the venue
  expect(shares(k, [btcLong(1.25)])).toEqual([0.25, 1]); // another 0.5 filled there
});
