/**
 * The ring's venue follow-ups (src/launcher/_venue_followups.ts) over a long run. A ring ENTER's
 * order can be finished before its follow-up is tracked (the runtime tracked follow-ups only when
 * the batch's outcomes were published, after the batch's orders were sent, and the BingX adapter
 * refuses a rule-breaking order synchronously, so its REJECT reached the kernel first; tracking now
 * comes before the send, tests/unit/ring_venue_refusal_outcome.test.ts). Such an order never gets another event:
 * tracked anyway, its entry was never removed, thousands of them filled the memory to its bound,
 * and from then on every new track evicted the oldest entry, a live resting order's too, whose fill
 * was then never reported to its producer. A finished order is not tracked.
 */

import { expect, test } from "bun:test";
import { VenueFollowups } from "../../src/launcher/_venue_followups.ts";
import { countingZinc, intentId } from "../_support/followups.ts";
import { enter, event, feed, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

test("orders refused before their follow-up was tracked are not kept: a live order's fill still reaches its producer", () => {
  const k = kernel();
  const { zinc, published } = countingZinc();
  const followups = new VenueFollowups(zinc, k);
  // A resting entry on slot 1, placed first (the oldest entry of the follow-up memory).
  expect(enter(k, 1, { trade: "LIVE", size: 0.01 }).accepted).toBe(true);
  followups.track(1, 1, intentId(1));
  const live = k.slot(1).entry_order!.client_order_id;
  const ack = event("ACK", live, 0, 0);
  followups.venue(ack, feed(k, ack, T0 + 2), T0 + 2);
  // Then 5 000 ring ENTERs on slot 0 whose orders the venue refused while the batch was sent.
  for (let i = 0; i < 5_000; i++) {
    expect(enter(k, 0, { trade: `R${i}`, size: 0.01, now: T0 + 10 + i }).accepted).toBe(true);
    const cid = k.slot(0).entry_order!.client_order_id;
    const reject = event("REJECT", cid, 0, 0, { venue_order_id: "", reject_reason: "VENUE" });
    followups.venue(reject, feed(k, reject, T0 + 10 + i), T0 + 10 + i); // not tracked yet: nothing to publish
    followups.track(1, 0, intentId(1_000 + i)); // the batch's outcomes are published after it
  }
  const trackedAfterRejects = followups.tracked;
  const fill = event("FULL_FILL", live, 0.01, 100);
  published.length = 0;
  followups.venue(fill, feed(k, fill, T0 + 10_000), T0 + 10_000);
  expect(published).toEqual([1]);
  expect(trackedAfterRejects).toBe(1);
  expect(followups.tracked).toBe(0);
});
