/**
 * An intent's EDGE or KERNEL outcome comes before any later intent's of the same client (one lane,
 * ring order: ffi/README.md §7). So once a later intent's has come, a wait for an earlier one whose
 * outcome is not in the inbox (written over in the lane before it was read, the loss counted during
 * another wait) is OutcomeLostError at once, naming the intent: not an OutcomeTimeoutError ("it may
 * still be applied": it was, its answer was lost) after the whole timeout, again at every retry.
 * An intent whose outcome is merely late is still waited for, and a VENUE wait is unchanged. As the
 * Python client. The lane is a fake libzinc two records deep whose poll reports what was written over.
 */

import { expect, test } from "bun:test";
import { type Intent, OutcomeLostError, OutcomeTimeoutError } from "../../clients/typescript/index.ts";
import { AnsweringLane, fakeClient } from "../_support/client_fakes.ts";

/** A lane two records deep whose kernel answers every pushed intent at once (unless `silent`), and its client. */
function overwrittenLane() {
  const lane = new AnsweringLane({ depth: 2 });
  return { lane, c: fakeClient(lane) };
}

const mark: Intent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 };

test("each intent whose outcome was written over before it was read is OutcomeLostError at once, not a timeout", async () => {
  const { c } = overwrittenLane();
  try {
    const ids = Array.from({ length: 5 }, () => c.push(mark));
    expect((await c.outcome(ids[4]!, 5000)).clientIntentId).toBe(ids[4]!); // its poll lost ids[0..2]
    for (const id of ids.slice(0, 3)) {
      const e = await c.outcome(id, 50).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(OutcomeLostError);
      expect((e as OutcomeLostError).clientIntentId).toBe(id);
    }
    expect((await c.outcome(ids[3]!, 5000)).clientIntentId).toBe(ids[3]!); // kept: taken as usual
  } finally {
    c.close();
  }
});

test("an intent whose outcome is merely late is still waited for, and so is a venue answer", async () => {
  const { lane, c } = overwrittenLane();
  try {
    const answered = c.push(mark);
    expect((await c.outcome(answered, 5000)).clientIntentId).toBe(answered);
    lane.silent = true;
    const late = c.push(mark);
    expect(await c.outcome(late, 20).catch((x: unknown) => x)).toBeInstanceOf(OutcomeTimeoutError);
    expect(await c.nextVenueOutcome(answered, 20).catch((x: unknown) => x)).toBeInstanceOf(OutcomeTimeoutError);
  } finally {
    c.close();
  }
});
