/**
 * A ring batch in which the edge refuses a record (the venue's size rules, a rate-limit hold, a
 * kind strategies may not send) before an accepted ENTER: the accepted ENTER's producer must still
 * hear its order's venue events (VENUE outcomes). The follow-up was tracked by the record's index
 * among the records the kernel saw, but read the kind, slot and client_intent_id by its position in
 * the ring: after an edge refusal those are another record's, so the refused record's producer was
 * tracked instead (on the wrong slot) and the ENTER's producer never heard its fill.
 */

import { expect, test } from "bun:test";
import { OFF } from "../../src/contracts/abi.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { enterRecord, ringPlane } from "../_support/followups.ts";
import { event, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

test("after a record the edge refused, an accepted ENTER's producer hears its order's fill (VENUE outcome)", () => {
  const k = kernel();
  // Slot 0's ENTER is refused at the edge (its size breaks a rule); slot 1's is applied.
  const { zinc, published } = ringPlane([enterRecord(0, "REFUSED", 7, 0.5), enterRecord(1, "APPLIED", 8)]);
  const intake = new RingIntake(zinc, k, {
    check: (rec) =>
      new DataView(rec.buffer, rec.byteOffset).getUint32(OFF.InputRecord.slot_id, true) === 0
        ? { code: "INVALID_INTENT", field: "SIZE", message: "size off step", input_kind: "ENTER", slot_id: 0 }
        : null,
    applied: () => {},
    refused: () => {},
    nowMs: () => T0 + 2,
  });
  expect(intake.drain()).toBe(2);
  expect(k.slot(1).stage).toBe("ENTRY_WORKING");
  const cid = k.slot(1).entry_order!.client_order_id;
  const fill = event("FULL_FILL", cid, 0.01, 100);
  intake.followVenue(fill, k.apply({ type: "VENUE_EVENT", slot_id: null, event: fill, now_ms: T0 + 3 }));
  const of = (seq: number) =>
    published.filter((o) => (o.client_intent_id & 0xffffffffn) === BigInt(seq)).map((o) => [o.origin, o.accepted]);
  expect(of(7)).toEqual([["EDGE", false]]);
  expect(of(8)).toEqual([
    ["KERNEL", true],
    ["VENUE", true],
  ]);
});
