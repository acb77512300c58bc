/**
 * The ring's venue follow-ups (src/launcher/_venue_followups.ts) when more than one producer asks
 * about the same order: a strategy ENTERs, a risk process beside it CANCELs that order. The memory
 * kept one producer per order id, so the CANCEL's producer replaced the ENTER's: a fill racing the
 * cancel, and the CANCEL_ACK, never reached the strategy that placed the order (it waited or timed
 * out, and could re-send: a duplicate position). Every producer that asked hears every event.
 */

import { expect, test } from "bun:test";
import { VenueFollowups } from "../../src/launcher/_venue_followups.ts";
import { countingZinc, intentId } from "../_support/followups.ts";
import { enter, event, feed, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

/** A client_intent_id of producer `lane` (sequence `n`). */
function laneId(lane: number, n: number): Uint8Array {
  const id = intentId(n);
  new DataView(id.buffer).setUint16(6, lane, true);
  return id;
}

/** A resting entry on slot 0 tracked for producer lane 0 (intent 1), acknowledged; its client order id. */
function restingEntry(
  k: ReturnType<typeof kernel>,
  followups: VenueFollowups,
): { cid: string; apply: (e: ReturnType<typeof event>, now: number) => void } {
  expect(enter(k, 0, { trade: "MANY", size: 0.01 }).accepted).toBe(true);
  followups.track(1, 0, laneId(0, 1));
  const cid = k.slot(0).entry_order!.client_order_id;
  const apply = (e: ReturnType<typeof event>, now: number) => followups.venue(e, feed(k, e, now), now);
  apply(event("ACK", cid, 0, 0), T0 + 2);
  return { cid, apply };
}

test("a CANCEL from another producer does not take the order's fill from the producer that placed it: both hear it", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const followups = new VenueFollowups(zinc, k);
  const { cid, apply } = restingEntry(k, followups);
  expect(k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 3 }).accepted).toBe(true);
  followups.track(3, 0, laneId(1, 2)); // the risk process's CANCEL of the same order
  published.length = 0;
  apply(event("FULL_FILL", cid, 0.01, 100), T0 + 4); // the fill races the cancel
  expect(published).toEqual([1, 2]);
  expect(followups.tracked).toBe(0);
});

test("a CANCEL_ACK reaches both the ENTER's producer and the CANCEL's producer", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const followups = new VenueFollowups(zinc, k);
  const { cid, apply } = restingEntry(k, followups);
  expect(k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 3 }).accepted).toBe(true);
  followups.track(3, 0, laneId(1, 2));
  published.length = 0;
  apply(event("CANCEL_ACK", cid, 0, 0), T0 + 4);
  expect(published).toEqual([1, 2]);
  expect(followups.tracked).toBe(0);
});

test("the same intent tracked twice for an order is published once; two intents of one producer each hear it", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const followups = new VenueFollowups(zinc, k);
  const { cid, apply } = restingEntry(k, followups);
  followups.track(1, 0, laneId(0, 1)); // the same intent again
  expect(k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 3 }).accepted).toBe(true);
  followups.track(3, 0, laneId(0, 5)); // the same producer's CANCEL: another intent
  published.length = 0;
  apply(event("CANCEL_ACK", cid, 0, 0), T0 + 4);
  expect(published).toEqual([1, 5]);
});

test("past 4 askers of one order the placing producer is kept and the oldest later asker gives way", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const followups = new VenueFollowups(zinc, k);
  const { cid, apply } = restingEntry(k, followups);
  expect(k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 3 }).accepted).toBe(true);
  for (let lane = 1; lane <= 4; lane++) followups.track(3, 0, laneId(lane, 10 + lane));
  published.length = 0;
  apply(event("CANCEL_ACK", cid, 0, 0), T0 + 4);
  expect(published).toEqual([1, 12, 13, 14]);
  expect(followups.tracked).toBe(0);
});

test("venue answers held while a batch drains are released to every asker, in order, after the hold", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const followups = new VenueFollowups(zinc, k);
  const { cid, apply } = restingEntry(k, followups);
  expect(k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 3 }).accepted).toBe(true);
  published.length = 0;
  followups.hold();
  followups.track(3, 0, laneId(1, 2));
  apply(event("CANCEL_ACK", cid, 0, 0), T0 + 4);
  expect(published).toEqual([]);
  followups.release();
  expect(published).toEqual([1, 2]);
});

test("a new follow-up memory (a restarted kernel) knows no order placed before: their venue events are not published", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const { cid } = restingEntry(k, new VenueFollowups(zinc, k));
  const restarted = new VenueFollowups(zinc, k);
  published.length = 0;
  const fill = event("FULL_FILL", cid, 0.01, 100);
  restarted.venue(fill, feed(k, fill, T0 + 4), T0 + 4);
  expect(published).toEqual([]);
  expect(restarted.tracked).toBe(0);
});
