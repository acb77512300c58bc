/**
 * The strategy edge's parser (src/contracts/intent_parse.ts): exactly the STRATEGY kinds pass,
 * typed; every VENUE and SYSTEM kind is INPUT_SOURCE_REFUSED naming who may send it; a wrong shape
 * is INVALID_INTENT (INVALID_SLOT_ID for the slot) naming the field; nothing it refuses would have
 * reached the kernel. The kernel's own source table agrees with the binding's (checked at load).
 */

import { describe, expect, test } from "bun:test";
import {
  INPUT_KINDS,
  parseStrategyIntent,
  ringSourceRefusal,
  SOURCE_OF_KIND,
  STRATEGY_INTENT_SCHEMAS,
} from "../../src/contracts/index.ts";

const valid: Record<string, Record<string, unknown>> = {
  ENTER: { type: "ENTER", slot_id: 0, trade_id: "T1", asset: "BTC-USDT", side: "LONG", size: 0.01, leverage: 5 },
  EXIT: { type: "EXIT", slot_id: 0, size: 0.01, reason: "TP", price: null },
  CANCEL: { type: "CANCEL", slot_id: 3 },
  MARK_PRICE: { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 },
};

describe("parseStrategyIntent", () => {
  test("each STRATEGY kind passes as the same typed value", () => {
    expect(Object.keys(STRATEGY_INTENT_SCHEMAS).sort()).toEqual(
      INPUT_KINDS.filter((k) => SOURCE_OF_KIND[k] === "STRATEGY").sort(),
    );
    for (const body of Object.values(valid))
      expect(parseStrategyIntent(body)).toEqual({ ok: true, value: body as never });
  });

  test("every VENUE and SYSTEM kind is INPUT_SOURCE_REFUSED, naming its source and the kinds a strategy may send", () => {
    for (const kind of INPUT_KINDS.filter((k) => SOURCE_OF_KIND[k] !== "STRATEGY")) {
      const r = parseStrategyIntent({ type: kind, slot_id: 1 });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.refusal).toMatchObject({ code: "INPUT_SOURCE_REFUSED", field: "KIND", input_kind: kind, slot_id: 1 });
      expect(r.refusal.message).toStartWith(`${kind} is a ${SOURCE_OF_KIND[kind]} input`);
      expect(r.refusal.message).toEndWith("accept ENTER, EXIT, CANCEL, MARK_PRICE");
    }
  });

  test("a wrong shape names the field; the time is the launcher's; unknown fields and types are refused", () => {
    const refusal = (body: unknown) => {
      const r = parseStrategyIntent(body);
      if (r.ok) throw new Error(`accepted ${JSON.stringify(body)}`);
      return [r.refusal.code, r.refusal.field, r.refusal.message];
    };
    expect(refusal({ ...valid.ENTER, size: "1" })).toEqual([
      "INVALID_INTENT",
      "SIZE",
      'size must be a number, got "1"',
    ]);
    expect(refusal({ ...valid.ENTER, side: "UP" })).toEqual([
      "INVALID_INTENT",
      "SIDE",
      'side must be one of LONG|SHORT, got "UP"',
    ]);
    expect(refusal({ ...valid.EXIT, reason: undefined })).toEqual([
      "INVALID_INTENT",
      "EXIT_REASON",
      "EXIT needs 'reason' (one of SIGNAL|TP|SL|MANUAL)",
    ]);
    expect(refusal({ ...valid.CANCEL, slot_id: -1 })).toEqual([
      "INVALID_SLOT_ID",
      "SLOT_ID",
      "slot_id must be a non-negative integer, got -1",
    ]);
    expect(refusal({ ...valid.MARK_PRICE, now_ms: 1 })).toEqual([
      "INVALID_INTENT",
      "NOW_MS",
      "now_ms is stamped by the launcher: a strategy does not send it",
    ]);
    expect(refusal({ ...valid.CANCEL, force: true })).toEqual([
      "INVALID_INTENT",
      "NONE",
      "CANCEL has no field 'force'",
    ]);
    expect(refusal({ type: "BUY" })[2]).toBe(
      'unknown input: type "BUY"; strategies send ENTER, EXIT, CANCEL, MARK_PRICE',
    );
    for (const x of [null, [1], "ENTER", 7]) expect(refusal(x)[2]).toBe("an input must be a JSON object with a 'type'");
  });
});

describe("ringSourceRefusal", () => {
  test("names the kind of a raw record, or says it is no input kind", () => {
    expect(ringSourceRefusal(8, null).message).toBe(
      "ring record refused: SEED_CAPITAL is a SYSTEM input; the intents ring accepts ENTER, EXIT, CANCEL, MARK_PRICE",
    );
    expect(ringSourceRefusal(999, 2)).toMatchObject({
      code: "INPUT_SOURCE_REFUSED",
      input_kind: null,
      slot_id: 2,
      message:
        "ring record refused: kind 999 is not an input kind; the intents ring accepts ENTER, EXIT, CANCEL, MARK_PRICE",
    });
  });
});
