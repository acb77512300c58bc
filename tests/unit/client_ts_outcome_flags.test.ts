/**
 * The boolean bytes of an outcome record (ffi/README.md §7: `accepted` at byte 39 and each
 * diagnostic's `retryable`) are 0 or 1. Any other value is a broken or hostile writer: the record is
 * a CorruptRegionError naming the field, never a refusal (or a non-retryable diagnostic) the kernel
 * did not say; through the client's poll the records polled with it are still kept and delivered.
 * As the Python client (clients/python/tests/test_outcome_flags.py). The lane is a fake libzinc.
 */

import { expect, test } from "bun:test";
import { CorruptRegionError, decodeOutcome, type Intent } from "../../clients/typescript/index.ts";
import { AnsweringLane, fakeClient, outcomeAt } from "../_support/client_fakes.ts";

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
  expect(decodeOutcome(outcomeAt(0, 7n, { accepted: 1 })).accepted).toBe(true);
  expect(decodeOutcome(outcomeAt(0, 7n, { accepted: 0 })).accepted).toBe(false);
  for (const v of [2, 0x7f, 0xff]) {
    expect(() => decodeOutcome(outcomeAt(0, 7n, { accepted: v }))).toThrow(CorruptRegionError);
    expect(() => decodeOutcome(outcomeAt(0, 7n, { accepted: v }))).toThrow(`accepted = ${v}`);
  }
});

test("a diagnostic's retryable byte other than 0 or 1 is a CorruptRegionError naming retryable", () => {
  const rec = outcomeAt(0, 7n, { accepted: 0 });
  expect(decodeOutcome(withDiagnostic(rec, 0)).diagnostics[0]!.retryable).toBe(false);
  expect(decodeOutcome(withDiagnostic(rec, 1)).diagnostics[0]!.retryable).toBe(true);
  for (const v of [2, 0xff]) {
    expect(() => decodeOutcome(withDiagnostic(rec, v))).toThrow(CorruptRegionError);
    expect(() => decodeOutcome(withDiagnostic(rec, v))).toThrow(`retryable = ${v}`);
  }
});

/** A client whose kernel answers every pushed intent at once; `accepted` gives each answer's byte in push order. */
const answeredWith = (accepted: number[]) =>
  fakeClient(new AnsweringLane({ answer: (p, id) => outcomeAt(p, id, { accepted: accepted[p] ?? 1 }) }));

const mark: Intent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 };

test("an outcome whose accepted byte is 2 is a CorruptRegionError, never a refusal, and the poll's other outcome is delivered", async () => {
  const c = answeredWith([2, 1]);
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
