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
import type { Connection } from "../../clients/typescript/_connect.ts";
import { DitaClient, type Intent, OutcomeLostError, OutcomeTimeoutError } from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";

const LANE = 2;
const GENERATION = 9;
const KERNEL_GENERATION = 4;

function outcomeAt(position: number, id: bigint): Uint8Array {
  const rec = new Uint8Array(256);
  const dv = new DataView(rec.buffer);
  dv.setBigUint64(0, BigInt(2 * (position + 1)), true);
  dv.setBigUint64(8, id, true);
  dv.setUint32(32, 0xffff_ffff, true);
  rec.set([4, 0, 2, 1], 36); // MARK_PRICE, origin KERNEL, accepted
  return rec;
}

/** A lane two records deep; the kernel answers every pushed intent at once (unless `silent`). */
class OverwrittenLane {
  head = 0;
  read = 0;
  silent = false;
  readonly records = new Map<number, Uint8Array>();
  zinc_ring_push = (_h: number, rec: Uint8Array) => {
    const id = new DataView(rec.buffer, rec.byteOffset).getBigUint64(304, true);
    if (!this.silent) this.records.set(this.head, outcomeAt(this.head++, id));
    return 0;
  };
  zinc_outcome_poll = (_h: number, _lane: number, out: Uint8Array, most: number, lost: BigUint64Array) => {
    lost[0] = BigInt(Math.max(0, this.head - this.read - 2));
    this.read += Number(lost[0]);
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

function client(lane: OverwrittenLane): DitaClient {
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

test("each intent whose outcome was written over before it was read is OutcomeLostError at once, not a timeout", async () => {
  const lane = new OverwrittenLane();
  const c = client(lane);
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
  const lane = new OverwrittenLane();
  const c = client(lane);
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
