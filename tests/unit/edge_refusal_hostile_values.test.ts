/**
 * A value no JSON edge produces — a BigInt (`process.hrtime.bigint()` as a time, an id read as
 * BigInt), an object that refers to itself, one whose `toJSON` throws — is refused like any other
 * bad value: `apply`, `applyQuiet` and `applyBatch` answer with a typed refusal naming the field,
 * and the HTTP/CLI parser with an InputRefusal. Before, the refusal's message was built with
 * `JSON.stringify`, which throws for these, so the exception escaped the binding; in a pipelined
 * `applyBatch` the chunks before the bad input were already applied when it threw.
 */

import { describe, expect, test } from "bun:test";
import { parseStrategyIntent } from "../../src/contracts/intent_parse.ts";
import type { KernelInput } from "../../src/contracts/intents.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2 });

function hostileValues(): unknown[] {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const throwing = {
    toJSON() {
      throw new Error("toJSON refused");
    },
    toString() {
      throw new Error("toString refused");
    },
  };
  return [10n, cyclic, throwing];
}

describe("hostile values are refused, never thrown", () => {
  test("apply and applyQuiet: a bad now_ms, slot_id or CONFIGURE value is a typed refusal", () => {
    const k = kernel();
    for (const bad of hostileValues()) {
      const inputs = [
        { type: "TICK", now_ms: bad },
        { type: "CANCEL", slot_id: bad, now_ms: T0 + 1 },
        { type: "CONFIGURE", key: "HUNG_ORDER_MS", value: bad, now_ms: T0 + 1 },
      ] as unknown as KernelInput[];
      const fields = ["NOW_MS", "SLOT_ID", "VALUE"];
      for (const [i, input] of inputs.entries()) {
        const o = k.apply(input);
        expect(o.accepted).toBe(false);
        expect(o.diagnostics[0]!.details.field).toBe(fields[i]!);
        expect(k.applyQuiet(input)).toBe(false);
      }
    }
  });

  test("applyBatch (pipelined, no sink) skips the bad input and applies the rest", () => {
    const k = kernel();
    const marks = (from: number, n: number): KernelInput[] =>
      Array.from({ length: n }, (_, i) => ({
        type: "MARK_PRICE",
        asset: "BTC-USDT",
        price: 100 + i,
        now_ms: T0 + from + i,
      }));
    const inputs = [...marks(1, 3000), { type: "TICK", now_ms: 10n } as unknown as KernelInput, ...marks(3001, 10)];
    expect(k.applyBatch(inputs)).toBe(3010);
  });

  test("applyBatch with a sink reports the refusal", () => {
    const refused: number[] = [];
    const inputs: KernelInput[] = [
      { type: "TICK", now_ms: 10n } as unknown as KernelInput,
      { type: "TICK", now_ms: T0 + 1 },
    ];
    const accepted = kernel().applyBatch(inputs, { outcome: () => {}, refused: (i) => refused.push(i) });
    expect(accepted).toBe(1);
    expect(refused).toEqual([0]);
  });

  test("the HTTP/CLI parser refuses them with an InputRefusal", () => {
    for (const bad of hostileValues()) {
      const r = parseStrategyIntent({ type: "CANCEL", slot_id: bad });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.refusal).toMatchObject({ code: "INVALID_SLOT_ID", field: "SLOT_ID" });
    }
  });
});
