/**
 * An outcome record that does not decode (a broken or hostile writer) costs only the intent it
 * names, as in the Python client (clients/python/tests/test_outcome_drain.py): the client counts it
 * (`corruptOutcomes`) and the CorruptRegionError, naming the intent, goes to the next wait for the
 * intent whose id the record carries (an EDGE/KERNEL or a VENUE wait), once; a wait for another
 * intent that polled it takes its own outcome as usual. A record whose id names no intent of this
 * client (another lane's bits) cannot go to a wait for its intent: the wait that polled it throws it,
 * after the poll's other records were kept. The lane is a fake libzinc that hands the client every
 * record published so far in one poll.
 */

import { expect, test } from "bun:test";
import { CorruptRegionError, type Intent, OutcomeLostError } from "../../clients/typescript/index.ts";
import { FakeLane, fakeClient, outcomeAt } from "../_support/client_fakes.ts";

const LANE = 2;
const GENERATION = 9;

/** A lane whose records the test publishes (`lane.publish`), and a client of lane LANE reading it. */
function laneAndClient() {
  const lane = new FakeLane();
  return { lane, c: fakeClient(lane, { lane: LANE, generation: GENERATION }) };
}

const mark: Intent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 };

test("a record that does not decode is raised to the next wait for the intent it names, once, and counted; the wait that polled it takes its own outcome", async () => {
  const { lane, c } = laneAndClient();
  try {
    const ids = [c.push(mark), c.push(mark), c.push(mark)];
    lane.publish((p) => outcomeAt(p, ids[0]!, { accepted: 2 })); // a broken writer
    lane.publish((p) => outcomeAt(p, ids[1]!));
    lane.publish((p) => outcomeAt(p, ids[2]!));
    expect(c.corruptOutcomes).toBe(0);
    expect((await c.outcome(ids[1]!, 1000)).clientIntentId).toBe(ids[1]!); // it polled the broken record too
    expect((await c.outcome(ids[2]!, 1000)).clientIntentId).toBe(ids[2]!);
    expect(c.corruptOutcomes).toBe(1);
    const e = await c.outcome(ids[0]!, 1000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CorruptRegionError);
    expect(String(e)).toContain(`intent ${ids[0]}`);
    expect(String(e)).toContain("accepted = 2");
    expect(c.outcomesOf(ids[0]!)).toEqual([]); // never handed out as an outcome
    // raised once: the next wait is the ordinary one (a later intent's outcome came: this one's never will)
    expect(await c.outcome(ids[0]!, 1000).catch((x: unknown) => x)).toBeInstanceOf(OutcomeLostError);
  } finally {
    c.close();
  }
});

test("a venue record that does not decode is raised to the next venue wait for its intent, not to a wait for another intent", async () => {
  const { lane, c } = laneAndClient();
  try {
    const ids = [c.push(mark), c.push(mark)];
    lane.publish((p) => outcomeAt(p, ids[0]!));
    lane.publish((p) => outcomeAt(p, ids[0]!, { origin: "VENUE", accepted: 7 }));
    lane.publish((p) => outcomeAt(p, ids[1]!));
    expect((await c.outcome(ids[1]!, 1000)).clientIntentId).toBe(ids[1]!);
    expect((await c.outcome(ids[0]!, 1000)).origin).toBe("KERNEL");
    const e = await c.nextVenueOutcome(ids[0]!, 1000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CorruptRegionError);
    expect(String(e)).toContain(`intent ${ids[0]}`);
    expect(c.corruptOutcomes).toBe(1);
  } finally {
    c.close();
  }
});

test("a record that does not decode and names no intent of this client is raised to the wait that polled it, after the poll's other records were kept, and counted", async () => {
  const { lane, c } = laneAndClient();
  try {
    const ids = [c.push(mark), c.push(mark)];
    const foreign = (BigInt(LANE + 1) << 48n) | (BigInt(GENERATION) << 32n) | 1n; // another lane's intent
    lane.publish((p) => outcomeAt(p, ids[0]!));
    lane.publish((p) => outcomeAt(p, foreign, { accepted: 2 }));
    lane.publish((p) => outcomeAt(p, ids[1]!));
    const e = await c.outcome(ids[0]!, 1000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CorruptRegionError);
    expect(String(e)).toContain(`intent ${foreign}`);
    expect(c.corruptOutcomes).toBe(1);
    expect((await c.outcome(ids[0]!, 1000)).clientIntentId).toBe(ids[0]!);
    expect((await c.outcome(ids[1]!, 1000)).clientIntentId).toBe(ids[1]!);
  } finally {
    c.close();
  }
});
