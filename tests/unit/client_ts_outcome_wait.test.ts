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
import type { Connection } from "../../clients/typescript/_connect.ts";
import { DitaClient, OutcomeTimeoutError } from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";

const LANE = 3;
const GENERATION = 2;
const KERNEL_GENERATION = 7;

function outcomeAt(position: number, id: bigint): Uint8Array {
  const rec = new Uint8Array(256);
  const dv = new DataView(rec.buffer);
  dv.setBigUint64(0, BigInt(2 * (position + 1)), true); // stable lock of that position
  dv.setBigUint64(8, id, true);
  dv.setBigUint64(16, 1n, true);
  dv.setUint32(32, 0xffff_ffff, true);
  rec.set([4, 0, 2, 1], 36); // kind MARK_PRICE, origin KERNEL, accepted
  return rec;
}

/** One lane, and a kernel that answers every pushed intent right after the client's next poll. */
class FakeLane {
  head = 0;
  read = 0;
  readonly records = new Map<number, Uint8Array>();
  answerAfterPoll: bigint[] = [];
  /** Waits asked for while the lane already held records past the position waited from. */
  waitsPastUnread = 0;
  waits: number[] = [];
  answers = true;

  zinc_outcome_lane_header = (_h: number, _lane: number, out: BigUint64Array) => {
    out[0] = BigInt(this.head);
    out[1] = BigInt(this.read);
    return 0;
  };
  zinc_outcome_head = () => this.head;
  zinc_seq = () => 0;
  zinc_ring_push = (_h: number, rec: Uint8Array) => {
    if (this.answers) this.answerAfterPoll.push(new DataView(rec.buffer, rec.byteOffset).getBigUint64(304, true));
    return 0;
  };
  zinc_outcome_poll = (_h: number, _lane: number, out: Uint8Array, most: number, lost: BigUint64Array) => {
    let n = 0;
    for (; this.read < this.head && n < most; n++, this.read++) out.set(this.records.get(this.read)!, n * 256);
    lost[0] = 0n;
    for (const id of this.answerAfterPoll.splice(0)) this.records.set(this.head, outcomeAt(this.head++, id));
    return n;
  };
  zinc_outcome_wait = (_h: number, _lane: number, last: number) => {
    this.waits.push(last);
    if (this.head === last && this.read < this.head) this.waitsPastUnread++;
    return this.head;
  };
  zinc_header = (_h: number, out: Uint8Array) => {
    const dv = new DataView(out.buffer, out.byteOffset);
    dv.setUint32(8, 4242, true);
    dv.setBigUint64(48, BigInt(KERNEL_GENERATION), true);
    return 0;
  };
  zinc_writer_alive = () => 1;
  zinc_outcome_release = () => 0;
  zinc_close = () => 0;
}

function client(lane: FakeLane): DitaClient {
  const c: Connection = {
    lib: lane as unknown as Connection["lib"],
    libPath: nativeLibraryPath("zinc"),
    h: { intents: 1, state: 2, outcomes: 3, control: null },
    info: {
      prefix: "fake",
      namespace: "pink",
      lane: LANE,
      generation: GENERATION,
      slotCount: 1,
      writerPid: 4242,
      kernelGeneration: KERNEL_GENERATION,
    },
    spinUs: 0,
    nowMs: () => 1_700_000_000_000,
    stateSeq: 0,
  };
  return new (DitaClient as unknown as new (c: Connection) => DitaClient)(c);
}

const mark = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 } as const;

test("an outcome published between the poll and the wait is taken without waiting out the chunk", async () => {
  const lane = new FakeLane();
  const c = client(lane);
  for (let i = 0; i < 3; i++) expect((await c.submit(mark, { timeoutMs: 5000 })).accepted).toBe(true);
  expect(lane.waitsPastUnread).toBe(0);
  expect(lane.waits).toEqual([0, 1, 2]); // each wait is from the position the client read up to
});

test("a wake-up with nothing to read re-reads the position, and the wait ends at its timeout", async () => {
  const lane = new FakeLane();
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
