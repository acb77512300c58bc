/**
 * The OutcomeRecord codec (ffi/README.md §7): what the launcher encodes is what a reader decodes,
 * field by field; a long message is cut at a character boundary within its 120 bytes; and any
 * 256 bytes a hostile process could leave in a lane decode to a record or to one ZincError,
 * never to another exception (fast-check, seed printed on failure).
 */

import { expect, test } from "bun:test";
import fc from "fast-check";
import type { DiagnosticRecord } from "../../src/contracts/index.ts";
import { decodeOutcome, OUTCOME_RECORD_BYTES, OutcomeBatch, ZincError } from "../../src/zinc/index.ts";

const id = new Uint8Array([7, 0, 0, 0, 3, 0, 2, 0]); // lane 2, generation 3, sequence 7

function diag(
  code: DiagnosticRecord["code"],
  extra: Partial<DiagnosticRecord["details"]> = {},
  message = "m",
): DiagnosticRecord {
  return { code, severity: "WARNING", slot_id: 1, message, details: { ...extra }, input_index: 0, now_ms: 1 };
}

function encoded(diagnostics: DiagnosticRecord[]): Uint8Array {
  const b = new OutcomeBatch(1);
  b.add(id, {
    origin: "VENUE",
    now_ms: 1_700_000_000_123,
    input_kind: 7,
    slot_id: 1,
    slot_version: 42,
    accepted: true,
    stage: 1,
    event_kind: 6,
    order_status: 7,
    diagnostics,
  });
  const rec = b.bytes.slice(0, OUTCOME_RECORD_BYTES);
  new DataView(rec.buffer).setBigUint64(0, 2n * 11n, true); // as the writer leaves it: lane position 10
  return rec;
}

test("an encoded outcome decodes to the same facts, diagnostics and message", () => {
  const d = [
    diag("RATE_LIMITED", { retryable: true, retry_after_ms: 1500, field: "NONE" }, "rate limited by the venue"),
    diag("VENUE_REJECTED", { value: 12.5, field: "SIZE" }),
    diag("STALE_EVENT"),
    diag("DUPLICATE_EVENT"),
  ];
  const o = decodeOutcome(encoded(d));
  expect(o).toMatchObject({
    client_intent_id: (2n << 48n) | (3n << 32n) | 7n,
    lane_position: 10,
    origin: "VENUE",
    now_ms: 1_700_000_000_123,
    input_kind: 7,
    slot_id: 1,
    slot_version: 42,
    accepted: true,
    stage: 1,
    event_kind: 6,
    order_status: 7,
    diagnostic_count: 4,
    message: "rate limited by the venue",
  });
  expect(o.diagnostics).toEqual([
    { code: "RATE_LIMITED", severity: "WARNING", field: "NONE", retryable: true, retry_after_ms: 1500, value: null },
    { code: "VENUE_REJECTED", severity: "WARNING", field: "SIZE", retryable: false, retry_after_ms: null, value: 12.5 },
    { code: "STALE_EVENT", severity: "WARNING", field: "NONE", retryable: false, retry_after_ms: null, value: null },
  ]);
});

test("a message longer than 120 bytes is cut at a character boundary", () => {
  const o = decodeOutcome(encoded([diag("INVALID_INTENT", {}, "é".repeat(100))]));
  expect(o.message).toBe("é".repeat(60));
});

test("hostile record bytes decode to a record or a ZincError, never another exception", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), fc.boolean(), (bytes, stableLock) => {
      if (stableLock) new DataView(bytes.buffer).setBigUint64(0, 2n, true);
      try {
        decodeOutcome(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ZincError);
      }
    }),
    { numRuns: 2000 },
  );
});
