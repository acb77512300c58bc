/**
 * A ring batch in which the edge refuses a record (the venue's size rules, a rate-limit hold, a
 * kind strategies may not send) before an accepted ENTER: the accepted ENTER's producer must still
 * hear its order's venue events (VENUE outcomes). The follow-up was tracked by the record's index
 * among the records the kernel saw, but read the kind, slot and client_intent_id by its position in
 * the ring: after an edge refusal those are another record's, so the refused record's producer was
 * tracked instead (on the wrong slot) and the ENTER's producer never heard its fill.
 */

import { expect, test } from "bun:test";
import { OFF, RECORD_BYTES } from "../../src/contracts/abi.ts";
import { encodeInput } from "../../src/kernel/index.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import {
  type DecodedOutcome,
  decodeOutcome,
  encodeIntentId,
  OUTCOME_OFF,
  OUTCOME_RECORD_BYTES,
  type ZincPlane,
} from "../../src/zinc/index.ts";
import { event, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

function enterRecord(slot: number, trade: string, size: number, sequence: number): Uint8Array {
  const rec = new Uint8Array(RECORD_BYTES.input);
  const intent = { type: "ENTER", slot_id: slot, trade_id: trade, asset: "BTC-USDT", side: "LONG", size } as const;
  expect(encodeInput({ ...intent, price: null, leverage: 5, now_ms: T0 }, rec, 0)).toBeNull();
  rec.set(encodeIntentId(0, 1, sequence), OFF.InputRecord.client_intent_id);
  return rec;
}

/** A plane holding `records` in its ring and keeping every outcome published, decoded, in order. */
function plane(records: Uint8Array[]): { zinc: ZincPlane; published: DecodedOutcome[] } {
  const published: DecodedOutcome[] = [];
  const zinc = {
    drainIntents(max: number, onRecord: (bytes: Uint8Array) => void): number {
      const taken = records.splice(0, max);
      for (const r of taken) onRecord(r);
      return taken.length;
    },
    publishOutcomes(bytes: Uint8Array, count: number): number {
      for (let i = 0; i < count; i++) {
        const rec = bytes.slice(i * OUTCOME_RECORD_BYTES, (i + 1) * OUTCOME_RECORD_BYTES);
        new DataView(rec.buffer).setBigUint64(OUTCOME_OFF.lock, 2n, true); // the lane position libzinc stamps
        published.push(decodeOutcome(rec));
      }
      return count;
    },
  } as unknown as ZincPlane;
  return { zinc, published };
}

test("after a record the edge refused, an accepted ENTER's producer hears its order's fill (VENUE outcome)", () => {
  const k = kernel();
  // Slot 0's ENTER is refused at the edge (its size breaks a rule); slot 1's is applied.
  const { zinc, published } = plane([enterRecord(0, "REFUSED", 0.5, 7), enterRecord(1, "APPLIED", 0.01, 8)]);
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
