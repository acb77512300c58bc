/**
 * The boolean bytes of an outcome record (ffi/README.md §7: `accepted` at byte 39 and each
 * diagnostic's `retryable`) are 0 or 1. Any other value is a broken or hostile writer: the record is
 * a CorruptRegionError naming the field, never a refusal (or a non-retryable diagnostic) the kernel
 * did not say; through the client's poll the records polled with it are still kept and delivered.
 * As the Python client (clients/python/tests/test_outcome_flags.py). The lane is a fake libzinc.
 */

import { expect, test } from "bun:test";
import type { Connection } from "../../clients/typescript/_connect.ts";
import { CorruptRegionError, DitaClient, decodeOutcome, type Intent } from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";

const KERNEL_GENERATION = 4;

/** A stable KERNEL outcome of a MARK_PRICE at lane `position` for intent `id`, accepted byte as given. */
function outcomeAt(position: number, id: bigint, accepted = 1): Uint8Array {
  const rec = new Uint8Array(256);
  const dv = new DataView(rec.buffer);
  dv.setBigUint64(0, BigInt(2 * (position + 1)), true);
  dv.setBigUint64(8, id, true);
  dv.setUint32(32, 0xffff_ffff, true);
  rec.set([4, 0, 2, accepted], 36);
  return rec;
}

/** `rec` with one RATE_LIMITED diagnostic whose retryable byte is `retryable`. */
function withDiagnostic(rec: Uint8Array, retryable: number): Uint8Array {
  const out = rec.slice();
  const dv = new DataView(out.buffer);
  out[41] = 1;
  dv.setUint16(48, 13, true);
  out.set([2, 0, retryable], 50);
  dv.setBigInt64(56, -1n, true);
  dv.setFloat64(64, Number.NaN, true);
  return out;
}

test("an outcome's accepted byte 0 or 1 decodes, any other value is a CorruptRegionError naming accepted", () => {
  expect(decodeOutcome(outcomeAt(0, 7n, 1)).accepted).toBe(true);
  expect(decodeOutcome(outcomeAt(0, 7n, 0)).accepted).toBe(false);
  for (const v of [2, 0x7f, 0xff]) {
    expect(() => decodeOutcome(outcomeAt(0, 7n, v))).toThrow(CorruptRegionError);
    expect(() => decodeOutcome(outcomeAt(0, 7n, v))).toThrow(`accepted = ${v}`);
  }
});

test("a diagnostic's retryable byte other than 0 or 1 is a CorruptRegionError naming retryable", () => {
  const rec = outcomeAt(0, 7n, 0);
  expect(decodeOutcome(withDiagnostic(rec, 0)).diagnostics[0]!.retryable).toBe(false);
  expect(decodeOutcome(withDiagnostic(rec, 1)).diagnostics[0]!.retryable).toBe(true);
  for (const v of [2, 0xff]) {
    expect(() => decodeOutcome(withDiagnostic(rec, v))).toThrow(CorruptRegionError);
    expect(() => decodeOutcome(withDiagnostic(rec, v))).toThrow(`retryable = ${v}`);
  }
});

/** A lane whose kernel answers every pushed intent at once; `accepted` gives each answer's byte in push order. */
class Lane {
  head = 0;
  read = 0;
  readonly records = new Map<number, Uint8Array>();
  constructor(private readonly accepted: number[]) {}
  zinc_ring_push = (_h: number, rec: Uint8Array) => {
    const id = new DataView(rec.buffer, rec.byteOffset).getBigUint64(304, true);
    const p = this.head++;
    this.records.set(p, outcomeAt(p, id, this.accepted[p] ?? 1));
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
      lane: 2,
      generation: 9,
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

test("an outcome whose accepted byte is 2 is a CorruptRegionError, never a refusal, and the poll's other outcome is delivered", async () => {
  const c = client(new Lane([2, 1]));
  try {
    const ids = [c.push(mark), c.push(mark)];
    const e = await c.outcome(ids[0]!, 1000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CorruptRegionError);
    expect(String(e)).toContain("accepted = 2");
    const other = await c.outcome(ids[1]!, 1000);
    expect([other.clientIntentId, other.accepted]).toEqual([ids[1]!, true]);
  } finally {
    c.close();
  }
});
