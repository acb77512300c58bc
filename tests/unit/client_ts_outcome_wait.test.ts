/**
 * The TypeScript client's wait for an outcome: it waits for its lane to hold a record it has not
 * read, so an outcome the kernel publishes between the client's poll and its wait is taken at once
 * (a wait for the head it last saw would sleep a whole chunk with that outcome unread); and a
 * wake-up that finds nothing to read (the lane's read word rewritten under the client) re-reads
 * the position from the lane header instead of spinning until the timeout. The lane is a fake
 * libzinc with zinc_outcome_poll / zinc_outcome_wait's C semantics (ffi/README.md §7), so the
 * race is exact, not timed.
 */

import { expect, test } from "bun:test";
import { OutcomeTimeoutError } from "../../clients/typescript/index.ts";
import { FakeLane, fakeClient, outcomeAt } from "../_support/client_fakes.ts";

/** One lane, and a kernel that answers every pushed intent right after the client's next poll. */
class AfterPollLane extends FakeLane {
  answerAfterPoll: bigint[] = [];
  /** Waits asked for while the lane already held records past the position waited from. */
  waitsPastUnread = 0;
  waits: number[] = [];
  answers = true;

  protected override answerPush(id: bigint): void {
    if (this.answers) this.answerAfterPoll.push(id);
  }
  protected override poll(out: Uint8Array, most: number, lost: BigUint64Array): number {
    const n = super.poll(out, most, lost);
    for (const id of this.answerAfterPoll.splice(0)) this.publish((p) => outcomeAt(p, id));
    return n;
  }
  zinc_outcome_head = () => this.head;
  zinc_seq = () => 0;
  override zinc_outcome_wait = (_h: number, _lane: number, last: number) => {
    this.waits.push(last);
    if (this.head === last && this.read < this.head) this.waitsPastUnread++;
    return this.head;
  };
}

const client = (lane: AfterPollLane) => fakeClient(lane, { lane: 3, generation: 2 });

const mark = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 } as const;

test("an outcome published between the poll and the wait is taken without waiting out the chunk", async () => {
  const lane = new AfterPollLane();
  const c = client(lane);
  for (let i = 0; i < 3; i++) expect((await c.submit(mark, { timeoutMs: 5000 })).accepted).toBe(true);
  expect(lane.waitsPastUnread).toBe(0);
  expect(lane.waits).toEqual([0, 1, 2]); // each wait is from the position the client read up to
});

test("a wake-up with nothing to read re-reads the position, and the wait ends at its timeout", async () => {
  const lane = new AfterPollLane();
  const c = client(lane);
  lane.head = lane.read = 5; // the lane's words rewritten under the client: its count is stale
  lane.answers = false;
  lane.zinc_outcome_wait = (_h: number, _l: number, last: number) => {
    lane.waits.push(last);
    if (lane.head !== last) return lane.head;
    Bun.sleepSync(20); // the chunk passes with nothing
    return last;
  };
  const started = performance.now();
  await expect(c.submit(mark, { timeoutMs: 50 })).rejects.toBeInstanceOf(OutcomeTimeoutError);
  expect(performance.now() - started).toBeLessThan(1000);
  expect(lane.waits.length).toBeLessThanOrEqual(8);
  expect(lane.waits.at(-1)).toBe(5);
});
