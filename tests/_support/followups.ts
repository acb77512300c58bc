/**
 * Fixtures for the ring's venue follow-ups (src/launcher/_venue_followups.ts): a client_intent_id
 * that asks for outcomes, and a zinc plane that only records what is published.
 *
 * Entry points: `intentId(n)`, `countingZinc()`.
 */

import type { ZincPlane } from "../../src/zinc/index.ts";

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
