/**
 * Fixtures for the ring's outcomes and venue follow-ups (src/launcher/_ring_outcomes.ts,
 * _venue_followups.ts): a client_intent_id that asks for outcomes, a zinc plane that only records
 * what is published, a market ENTER ring record asking for its outcome, and a plane whose ring holds
 * given records and keeps every outcome published, decoded, in order.
 *
 * Entry points: `intentId(n)`, `countingZinc()`, `enterRecord(...)`, `ringPlane(records?)`.
 */

import { expect } from "bun:test";
import { OFF, RECORD_BYTES } from "../../src/contracts/abi.ts";
import { encodeInput } from "../../src/kernel/index.ts";
import {
  type DecodedOutcome,
  decodeOutcome,
  encodeIntentId,
  OUTCOME_OFF,
  OUTCOME_RECORD_BYTES,
  type ZincPlane,
} from "../../src/zinc/index.ts";
import { T0 } from "./kernel.ts";

/** A client_intent_id asking for outcomes (generation bits set), distinct per `n`. */
export function intentId(n: number): Uint8Array {
  const id = new Uint8Array(8);
  new DataView(id.buffer).setUint32(0, n, true);
  id[4] = 1;
  return id;
}

/** A zinc plane that only records the client_intent_id low word of each outcome published. */
export function countingZinc(): { zinc: ZincPlane; published: number[] } {
  const published: number[] = [];
  const zinc = {
    publishOutcomes(bytes: Uint8Array, count: number): number {
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < count; i++) published.push(dv.getUint32(i * (bytes.byteLength / count) + 8, true));
      return count;
    },
  } as unknown as ZincPlane;
  return { zinc, published };
}

/** A market ENTER of `size` BTC-USDT (leverage 5) on `slot`, asking for its outcome as lane 0's `sequence`. */
export function enterRecord(slot: number, trade: string, sequence: number, size = 0.01): Uint8Array {
  const rec = new Uint8Array(RECORD_BYTES.input);
  const intent = { type: "ENTER", slot_id: slot, trade_id: trade, asset: "BTC-USDT", side: "LONG", size } as const;
  expect(encodeInput({ ...intent, price: null, leverage: 5, now_ms: T0 }, rec, 0)).toBeNull();
  rec.set(encodeIntentId(0, 1, sequence), OFF.InputRecord.client_intent_id);
  return rec;
}

/** A plane whose ring holds `ring` (push more into it), keeping every outcome published, decoded, in order. */
export function ringPlane(ring: Uint8Array[] = []): {
  zinc: ZincPlane;
  ring: Uint8Array[];
  published: DecodedOutcome[];
} {
  const published: DecodedOutcome[] = [];
  const zinc = {
    drainIntents(max: number, onRecord: (bytes: Uint8Array) => void): number {
      const taken = ring.splice(0, max);
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
  return { zinc, ring, published };
}
