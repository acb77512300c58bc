/**
 * The launcher-side OutcomeRecord decoder (src/zinc/outcome_record.ts, used by strategy-status) reads
 * the record's boolean bytes (`accepted`, each diagnostic's `retryable`) as 0 or 1 only: any other
 * value is a ZincError("INVALID_IMAGE") naming the field (a record that does not decode is counted,
 * not shown), never a refused outcome the kernel did not publish.
 */

import { expect, test } from "bun:test";
import { decodeOutcome, OUTCOME_OFF, OUTCOME_RECORD_BYTES, OutcomeBatch, ZincError } from "../../src/zinc/index.ts";

function record(accepted: boolean): Uint8Array {
  const b = new OutcomeBatch(1);
  b.add(new Uint8Array([7, 0, 0, 0, 3, 0, 2, 0]), {
    origin: "KERNEL",
    now_ms: 1,
    input_kind: 1,
    slot_id: 0,
    slot_version: 1,
    accepted,
    stage: 1,
    event_kind: 0,
    order_status: 0,
    diagnostics: [
      {
        code: "RATE_LIMITED",
        severity: "WARNING",
        slot_id: 0,
        message: "m",
        details: { retryable: true },
        input_index: 0,
        now_ms: 1,
      },
    ],
  });
  const rec = b.bytes.slice(0, OUTCOME_RECORD_BYTES);
  new DataView(rec.buffer).setBigUint64(0, 2n, true);
  return rec;
}

function withByte(rec: Uint8Array, at: number, v: number): Uint8Array {
  const out = rec.slice();
  out[at] = v;
  return out;
}

test("an outcome record's accepted byte other than 0 or 1 is a ZincError naming accepted", () => {
  expect(decodeOutcome(record(true)).accepted).toBe(true);
  expect(decodeOutcome(record(false)).accepted).toBe(false);
  for (const v of [2, 0xff]) {
    expect(() => decodeOutcome(withByte(record(false), OUTCOME_OFF.accepted, v))).toThrow(ZincError);
    expect(() => decodeOutcome(withByte(record(false), OUTCOME_OFF.accepted, v))).toThrow(`accepted = ${v}`);
  }
});

test("an outcome diagnostic's retryable byte other than 0 or 1 is a ZincError naming retryable", () => {
  const at = OUTCOME_OFF.diagnostics + 4;
  expect(decodeOutcome(record(false)).diagnostics[0]!.retryable).toBe(true);
  expect(decodeOutcome(withByte(record(false), at, 0)).diagnostics[0]!.retryable).toBe(false);
  for (const v of [2, 0xff]) {
    expect(() => decodeOutcome(withByte(record(false), at, v))).toThrow(ZincError);
    expect(() => decodeOutcome(withByte(record(false), at, v))).toThrow(`retryable = ${v}`);
  }
});
