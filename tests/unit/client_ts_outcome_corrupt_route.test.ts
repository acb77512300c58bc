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
import type { Connection } from "../../clients/typescript/_connect.ts";
import { CorruptRegionError, DitaClient, type Intent, OutcomeLostError } from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";

const LANE = 2;
const GENERATION = 9;
const KERNEL_GENERATION = 4;

/** A stable outcome of a MARK_PRICE at lane `position` for intent `id`: origin 2 KERNEL, 3 VENUE. */
function outcomeAt(position: number, id: bigint, origin = 2, accepted = 1): Uint8Array {
  const rec = new Uint8Array(256);
  const dv = new DataView(rec.buffer);
  dv.setBigUint64(0, BigInt(2 * (position + 1)), true);
  dv.setBigUint64(8, id, true);
  dv.setUint32(32, 0xffff_ffff, true);
  rec.set([4, 0, origin, accepted], 36);
  return rec;
}

/** A lane whose records a test publishes (`publish`) for the intents the client pushed (`pushed`). */
class Lane {
  head = 0;
  read = 0;
  readonly pushed: bigint[] = [];
  readonly records = new Map<number, Uint8Array>();
  publish(make: (position: number) => Uint8Array): void {
    this.records.set(this.head, make(this.head));
    this.head++;
  }
  zinc_ring_push = (_h: number, rec: Uint8Array) => {
    this.pushed.push(new DataView(rec.buffer, rec.byteOffset).getBigUint64(304, true));
    return 0;
  };
  zinc_outcome_poll = (_h: number, _lane: number, out: Uint8Array, most: number, lost: BigUint64Array) => {
    lost[0] = 0n;
    let n = 0;
    for (; this.read < this.head && n < most; n++, this.read++) out.set(this.records.get(this.read)!, n * 256);
    return n;
  };
  zinc_outcome_wait = () => this.head;
  zinc_outcome_lane_header = (_h: number, _lane: number, out: BigUint64Array) => {
    out[0] = BigInt(this.head);
    out[1] = BigInt(this.read);
    return 0;
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

function client(lane: Lane): DitaClient {
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

const mark: Intent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 };

test("a record that does not decode is raised to the next wait for the intent it names, once, and counted; the wait that polled it takes its own outcome", async () => {
  const lane = new Lane();
  const c = client(lane);
  try {
    const ids = [c.push(mark), c.push(mark), c.push(mark)];
    lane.publish((p) => outcomeAt(p, ids[0]!, 2, 2)); // accepted = 2: a broken writer
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
  const lane = new Lane();
  const c = client(lane);
  try {
    const ids = [c.push(mark), c.push(mark)];
    lane.publish((p) => outcomeAt(p, ids[0]!));
    lane.publish((p) => outcomeAt(p, ids[0]!, 3, 7)); // a VENUE outcome whose accepted byte is 7
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
  const lane = new Lane();
  const c = client(lane);
  try {
    const ids = [c.push(mark), c.push(mark)];
    const foreign = (BigInt(LANE + 1) << 48n) | (BigInt(GENERATION) << 32n) | 1n; // another lane's intent
    lane.publish((p) => outcomeAt(p, ids[0]!));
    lane.publish((p) => outcomeAt(p, foreign, 2, 2));
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
