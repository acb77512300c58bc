/**
 * A ring intent whose order the venue refuses while the batch is being sent (the BingX adapter
 * refuses a rule-breaking order synchronously: min notional, price step, client id) reaches its
 * producer as a VENUE outcome carrying the refusal, after the intent's own KERNEL outcome. Before,
 * the follow-up was tracked only when the batch's outcomes were published, after the orders were
 * sent: the REJECT had come and gone, and the producer saw an accepted ENTER and nothing more.
 */

import { expect, test } from "bun:test";
import { OFF, RECORD_BYTES } from "../../src/contracts/abi.ts";
import { EVENT_KINDS } from "../../src/contracts/enums.ts";
import { STAGES } from "../../src/contracts/records.ts";
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

function enterRecord(slot: number, trade: string, sequence: number): Uint8Array {
  const rec = new Uint8Array(RECORD_BYTES.input);
  const refusal = encodeInput(
    {
      type: "ENTER",
      slot_id: slot,
      trade_id: trade,
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: null,
      leverage: 5,
      now_ms: T0,
    },
    rec,
    0,
  );
  expect(refusal).toBeNull();
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

test("an order the venue refuses while its batch is sent: the producer gets KERNEL accepted, then VENUE REJECT with the reason", () => {
  const k = kernel();
  const { zinc, published } = plane([enterRecord(0, "SYNC-REJ", 7), enterRecord(1, "RESTS", 8)]);
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
