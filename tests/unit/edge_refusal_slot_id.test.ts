/**
 * A refusal made at the TypeScript edge (the HTTP parser, the ring's source check, the encoder)
 * names a slot only when the id is a slot the kernel has, as the kernel's own diagnostics do: an
 * out-of-range slot id is INVALID_SLOT_ID with no slot (`slot_id: null`), the id in `value`.
 *
 * Why it matters: every refusal is projected as a diagnostic row whose `slot_id` column is a
 * ClickHouse Nullable(Int32). A body `{"type":"CANCEL","slot_id":1e21}` passes the schema (an
 * integer >= 0) and was refused with `slot_id: 1e21`, which JSON writes as `1e+21`: not an Int32
 * literal, so the row cannot be inserted and the outbox retries it (and everything after it)
 * forever; an id between 2^31 and 2^32 was stored wrapped to another number.
 */

import { describe, expect, test } from "bun:test";
import { parseStrategyIntent, refusedOutcome, ringSourceRefusal } from "../../src/contracts/intent_parse.ts";
import type { KernelInput } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord, KernelOutcome } from "../../src/contracts/records.ts";
import { diagnosticRow } from "../../src/projection/_rows.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });
const HUGE = [1e21, 2 ** 32, 2 ** 31, 3_000_000_000, 256, 4];

/** The projected row's slot_id as JSON: null or an Int32 literal. */
function int32Column(d: DiagnosticRecord): boolean {
  const json = JSON.stringify(diagnosticRow("s", "r", 1, 0, d));
  const m = /"slot_id":(null|-?\d+)[,}]/.exec(json);
  return m !== null && (m[1] === "null" || Math.abs(Number(m[1])) < 2 ** 31);
}

describe("refusals name only slots the kernel has", () => {
  test("the kernel itself: an out-of-range slot id is INVALID_SLOT_ID with no slot", () => {
    const o = kernel().apply({ type: "CANCEL", slot_id: 300, now_ms: T0 + 1 });
    expect(o.diagnostics[0]).toMatchObject({ code: "INVALID_SLOT_ID", slot_id: null, details: { value: 300 } });
  });

  test("the encoder's refusal of a slot id the record cannot carry says the same", () => {
    const k = kernel();
    for (const id of HUGE) {
      const o = k.apply({ type: "CANCEL", slot_id: id, now_ms: T0 + 1 });
      expect(o.accepted).toBe(false);
      expect(o.diagnostics[0]!.code).toBe("INVALID_SLOT_ID");
      expect(o.diagnostics[0]!.slot_id).toBeNull();
      expect(int32Column(o.diagnostics[0]!)).toBe(true);
    }
  });

  test("an encoder refusal for a slot the kernel has still names it", () => {
    const o = kernel().apply({
      type: "ENTER",
      slot_id: 2,
      trade_id: "x".repeat(33),
      asset: "BTC-USDT",
      side: "LONG",
      size: 1,
      price: null,
      leverage: 5,
      now_ms: T0 + 1,
    });
    expect(o.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", slot_id: 2, details: { field: "TRADE_ID" } });
  });

  test("applyBatch hands the sink the same refusal", () => {
    const refused: KernelOutcome[] = [];
    const inputs: KernelInput[] = [{ type: "CANCEL", slot_id: 1e21, now_ms: T0 + 1 }];
    kernel().applyBatch(inputs, { outcome: () => {}, refused: (_i, o) => refused.push(o) });
    expect(refused).toHaveLength(1);
    expect(refused[0]!.diagnostics[0]!.slot_id).toBeNull();
  });

  test("the HTTP parser's refusal of a body with a huge slot id names no slot", () => {
    for (const id of HUGE) {
      const r = parseStrategyIntent({ type: "ENTER", slot_id: id });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      const d = refusedOutcome(r.refusal, T0).diagnostics[0]!;
      expect(d.slot_id).toBe(id < 256 ? id : null);
      expect(int32Column(d)).toBe(true);
    }
  });

  test("the ring's source refusal and any edge refusal's outcome name no slot past the kernel's limit", () => {
    expect(ringSourceRefusal(7, 3_000_000_000).slot_id).toBeNull();
    expect(ringSourceRefusal(7, 3).slot_id).toBe(3);
    const made = { code: "INVALID_INTENT", field: "SIZE", message: "m", input_kind: "ENTER" } as const;
    expect(refusedOutcome({ ...made, slot_id: 1e21 }, T0).diagnostics[0]!.slot_id).toBeNull();
    expect(refusedOutcome({ ...made, slot_id: 2 }, T0).diagnostics[0]!.slot_id).toBe(2);
  });
});
