/**
 * The ring's venue follow-ups (src/launcher/_venue_followups.ts) over weeks of live reconciliation.
 * An entry leaves the follow-up memory when a venue event finishes its order; an order the kernel
 * ends by RECONCILE (live reconciliation found it gone at the venue: its stream event was lost)
 * gets no venue event, so its entry stayed. Thousands of them filled the memory to its bound, and
 * from then on every new track evicted the oldest entry — a live resting order's too, whose fill
 * was then never reported to its producer. At the bound, entries whose order the kernel no longer
 * works are let go first.
 */

import { expect, test } from "bun:test";
import { VenueFollowups } from "../../src/launcher/_venue_followups.ts";
import { countingZinc, intentId } from "../_support/followups.ts";
import { enter, event, feed, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

test("orders ended by a reconcile (no venue event) are let go at the bound: a live order's fill still reaches its producer", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const followups = new VenueFollowups(zinc, k);
  // A resting entry on slot 1, tracked first (the oldest entry of the follow-up memory).
  expect(enter(k, 1, { trade: "LIVE", size: 0.01 }).accepted).toBe(true);
  followups.track(1, 1, intentId(1));
  const live = k.slot(1).entry_order!.client_order_id;
  const ack = event("ACK", live, 0, 0);
  followups.venue(ack, feed(k, ack, T0 + 2), T0 + 2);
  // Then 5 000 ring ENTERs on slot 0, each acknowledged, then ended by live reconciliation.
  let most = 0;
  for (let i = 0; i < 5_000; i++) {
    const now = T0 + 10 + 3 * i;
    expect(enter(k, 0, { trade: `R${i}`, size: 0.01, now }).accepted).toBe(true);
    followups.track(1, 0, intentId(1_000 + i));
    const cid = k.slot(0).entry_order!.client_order_id;
    const acked = event("ACK", cid, 0, 0);
    followups.venue(acked, feed(k, acked, now), now);
    k.apply({ type: "MARK_STALE", slot_id: 0, reason: "DIVERGENCE", now_ms: now + 1 });
    const truth = { side: null, size: 0, avg_price: 0, open_order: null };
    expect(k.apply({ type: "RECONCILE", slot_id: 0, truth, now_ms: now + 2 }).accepted).toBe(true);
    most = Math.max(most, followups.tracked);
  }
  const fill = event("FULL_FILL", live, 0.01, 100);
  published.length = 0;
  followups.venue(fill, feed(k, fill, T0 + 20_000), T0 + 20_000);
  expect(published).toEqual([1]);
  expect(most).toBeLessThanOrEqual(4096);
});
