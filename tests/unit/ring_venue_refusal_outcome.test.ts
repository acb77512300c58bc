/**
 * A ring intent whose order the venue refuses while the batch is being sent (the BingX adapter
 * refuses a rule-breaking order synchronously: min notional, price step, client id) reaches its
 * producer as a VENUE outcome carrying the refusal, after the intent's own KERNEL outcome. Before,
 * the follow-up was tracked only when the batch's outcomes were published, after the orders were
 * sent: the REJECT had come and gone, and the producer saw an accepted ENTER and nothing more.
 */

import { expect, test } from "bun:test";
import { EVENT_KINDS } from "../../src/contracts/enums.ts";
import { STAGES } from "../../src/contracts/records.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { enterRecord, ringPlane } from "../_support/followups.ts";
import { event, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

test("an order the venue refuses while its batch is sent: the producer gets KERNEL accepted, then VENUE REJECT with the reason", () => {
  const k = kernel();
  const { zinc, published } = ringPlane([enterRecord(0, "SYNC-REJ", 7), enterRecord(1, "RESTS", 8)]);
  const intake: RingIntake = new RingIntake(zinc, k, {
    check: () => null,
    // The executor's dispatch: slot 0's order is refused by the venue before the call returns.
    applied: (o) => {
      for (const t of o.transitions) {
        if (t.trigger !== "ENTER" || t.slot_id !== 0) continue;
        const cid = k.slot(0).entry_order!.client_order_id;
        const reject = event("REJECT", cid, 0, 0, { venue_order_id: "", reject_reason: "VENUE" });
        intake.followVenue(reject, k.apply({ type: "VENUE_EVENT", slot_id: null, event: reject, now_ms: T0 + 1 }));
      }
    },
    refused: () => {},
    nowMs: () => T0 + 2,
  });
  expect(intake.drain()).toBe(2);
  const of = (seq: number) =>
    published.filter((o) => (o.client_intent_id & 0xffffffffn) === BigInt(seq)).map((o) => [o.origin, o.accepted]);
  expect(of(7)).toEqual([
    ["KERNEL", true],
    ["VENUE", true],
  ]);
  const venue = published.find((o) => o.origin === "VENUE")!;
  expect(EVENT_KINDS[venue.event_kind - 1]).toBe("REJECT");
  expect(STAGES[venue.stage - 1]).toBe("IDLE");
  expect(of(8)).toEqual([["KERNEL", true]]);
  expect(published.map((o) => o.origin)).toEqual(["KERNEL", "KERNEL", "VENUE"]); // batch first, then the venue's
});
