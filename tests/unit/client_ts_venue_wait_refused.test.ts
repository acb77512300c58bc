/**
 * A refused intent (its EDGE or KERNEL outcome not accepted: an edge RATE_LIMITED while the venue
 * adapter would not send an order, a kernel refusal) made no order, so no VENUE outcome will ever
 * come: `nextVenueOutcome` for it throws IntentRefusedError (INTENT_REFUSED) at once, naming the
 * intent, the origin, the first diagnostic's code and message and the retry hint, carrying the
 * refused outcome, whether that outcome was taken already, is still untaken, or arrives while the
 * wait is pending. It is never OutcomeTimeoutError after the whole timeout ("it may still be
 * applied": it was not). An accepted intent's venue wait is unchanged. As the Python client
 * (clients/python/tests/test_venue_wait_refused.py). The lane is a fake libzinc whose kernel answers
 * each pushed intent with the record the test sets; `waits` counts the client's waits on the lane,
 * so "at once" is exact, not timed.
 */

import { expect, test } from "bun:test";
import { type Intent, IntentRefusedError, type Outcome, OutcomeTimeoutError } from "../../clients/typescript/index.ts";
import { FakeLane, fakeClient, outcomeAt } from "../_support/client_fakes.ts";

const HOLD_MS = 60_000;
const exit: Intent = { type: "EXIT", slotId: 0, size: 1, reason: "SL", price: null };

/** An EXIT's outcome at `position`: EDGE RATE_LIMITED (WARNING, RETRY_AFTER, retryable, the hint) as the launcher
 * publishes it while orders are held, or KERNEL SLOT_BUSY (ERROR, SLOT_ID, no hint); `accepted` 1: a KERNEL acceptance. */
function exitOutcome(
  position: number,
  id: bigint,
  how: "EDGE_RATE_LIMITED" | "KERNEL_SLOT_BUSY" | "ACCEPTED",
): Uint8Array {
  const edge = how === "EDGE_RATE_LIMITED";
  const rec = outcomeAt(position, id, { origin: edge ? "EDGE" : "KERNEL", accepted: how === "ACCEPTED" ? 1 : 0 });
  const dv = new DataView(rec.buffer);
  dv.setUint32(32, 0, true); // slot 0
  dv.setUint16(36, 2, true); // EXIT
  if (how === "ACCEPTED") return rec;
  rec[41] = 1; // one diagnostic
  dv.setUint16(48, edge ? 13 : 2, true); // RATE_LIMITED / SLOT_BUSY
  rec.set(edge ? [2, 25, 1] : [3, 1, 0], 50); // WARNING RETRY_AFTER retryable / ERROR SLOT_ID not retryable
  dv.setBigInt64(56, edge ? BigInt(HOLD_MS) : -1n, true);
  dv.setFloat64(64, Number.NaN, true);
  const message = edge ? `EXIT not sent: the venue's rate limit holds orders ${HOLD_MS} ms more` : "slot 0 is busy";
  rec.set(new TextEncoder().encode(message), 120);
  return rec;
}

/** A lane whose kernel answers each pushed intent with `answer` (at once, or on the client's first wait when
 * `onWait`); `waits` counts the client's waits on the lane's head. */
class RefusingLane extends FakeLane {
  answer: "EDGE_RATE_LIMITED" | "KERNEL_SLOT_BUSY" | "ACCEPTED" = "EDGE_RATE_LIMITED";
  onWait = false;
  waits = 0;
  private pending: bigint[] = [];

  protected override answerPush(id: bigint): void {
    if (this.onWait) this.pending.push(id);
    else this.publish((p) => exitOutcome(p, id, this.answer));
  }
  override zinc_outcome_wait = (_h: number, _lane: number, _last: number) => {
    this.waits++;
    for (const id of this.pending.splice(0)) this.publish((p) => exitOutcome(p, id, this.answer));
    return this.head;
  };
}

async function refusal(wait: Promise<Outcome>): Promise<IntentRefusedError> {
  const e = await wait.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(IntentRefusedError);
  return e as IntentRefusedError;
}

test("a venue wait for an intent the edge refused RATE_LIMITED (its outcome taken) is IntentRefusedError at once, naming it", async () => {
  const lane = new RefusingLane();
  const c = fakeClient(lane);
  try {
    const o = await c.submit(exit);
    expect(o).toMatchObject({ origin: "EDGE", accepted: false });
    const e = await refusal(c.nextVenueOutcome(o.clientIntentId, 300));
    expect(lane.waits).toBe(0); // never slept on the lane
    expect(e.code).toBe("INTENT_REFUSED");
    expect(e.name).toBe("IntentRefusedError");
    expect(e.outcome).toEqual(o);
    expect(e.clientIntentId).toBe(o.clientIntentId);
    expect(e.message).toBe(
      `intent ${o.clientIntentId} was refused (EDGE RATE_LIMITED: EXIT not sent: the venue's rate limit holds orders 60000 ms more; retry after 60000 ms): it made no order, so no VENUE outcome will come`,
    );
    // and again at every retry
    expect(await refusal(c.nextVenueOutcome(o.clientIntentId, 300))).toMatchObject({ code: "INTENT_REFUSED" });
  } finally {
    c.close();
  }
});

test("a venue wait for a kernel refusal not yet taken is IntentRefusedError at once, and the refusal is still the intent's outcome", async () => {
  const lane = new RefusingLane();
  lane.answer = "KERNEL_SLOT_BUSY";
  const c = fakeClient(lane);
  try {
    const id = c.push(exit);
    const e = await refusal(c.nextVenueOutcome(id, 300));
    expect(lane.waits).toBe(0);
    expect(e.message).toBe(
      `intent ${id} was refused (KERNEL SLOT_BUSY: slot 0 is busy): it made no order, so no VENUE outcome will come`,
    );
    expect(await c.outcome(id, 300)).toEqual(e.outcome); // not taken by the venue wait
  } finally {
    c.close();
  }
});

test("a refusal that arrives while the venue wait is pending ends it at once", async () => {
  const lane = new RefusingLane();
  lane.onWait = true;
  const c = fakeClient(lane);
  try {
    const id = c.push(exit);
    const e = await refusal(c.nextVenueOutcome(id, 300));
    expect(lane.waits).toBe(1); // the one wait the refusal answered
    expect(e.outcome).toMatchObject({ clientIntentId: id, origin: "EDGE", accepted: false });
  } finally {
    c.close();
  }
});

test("an accepted intent's venue wait is unchanged: its VENUE outcome, else OutcomeTimeoutError", async () => {
  const lane = new RefusingLane();
  lane.answer = "ACCEPTED";
  const c = fakeClient(lane);
  try {
    const o = await c.submit(exit);
    expect(o).toMatchObject({ origin: "KERNEL", accepted: true });
    lane.publish((p) => outcomeAt(p, o.clientIntentId, { origin: "VENUE" }));
    expect(await c.nextVenueOutcome(o.clientIntentId, 300)).toMatchObject({ origin: "VENUE" });
    expect(await c.nextVenueOutcome(o.clientIntentId, 20).catch((x: unknown) => x)).toBeInstanceOf(OutcomeTimeoutError);
  } finally {
    c.close();
  }
});
