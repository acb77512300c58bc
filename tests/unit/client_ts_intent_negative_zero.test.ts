/**
 * A price of -0 in a TypeScript intent (what `Math.round(-0.2)` or `0 * -1` gives) is a market
 * order, as 0 is (`-0 === 0`): the client writes the record's price as +0, since the kernel's
 * MARKET rule is on the price's bits (kernel/src/validate.rs: a MARKET order's price must be 0,
 * and -0 is refused as "a MARKET order must have price 0 (got -0)"). Proved by running the
 * client's record through the kernel itself.
 */

import { expect, test } from "bun:test";
import { encodeIntent, type Intent } from "../../clients/typescript/index.ts";
import { ExecutionKernel, InputRecords } from "../../src/kernel/index.ts";

const NOW = 1_700_000_000_000;

/** Whether the kernel accepts the record the client encodes for `intent`, with its first diagnostic. */
function kernelAccepts(k: ExecutionKernel, intent: Intent): { accepted: boolean; message: string } {
  const rec = new Uint8Array(320);
  encodeIntent(intent, NOW, new Uint8Array(8), rec);
  let message = "";
  const sink = {
    outcome: (o: { diagnostics: Array<{ message: string }> }) => (message = o.diagnostics[0]?.message ?? ""),
  };
  const accepted = k.applyRecords(InputRecords.fromStrategy(rec, 1), sink as never) === 1;
  return { accepted, message };
}

test("an ENTER or EXIT priced -0 is a market order the kernel accepts, its price written as +0", () => {
  const k = ExecutionKernel.open({ slotCount: 2 });
  try {
    k.apply({ type: "SEED_CAPITAL", capital: 5000, now_ms: NOW });
    const enter: Intent = {
      type: "ENTER",
      slotId: 0,
      tradeId: "T1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: -0,
      leverage: 2,
    };
    expect(kernelAccepts(k, enter)).toEqual({ accepted: true, message: "" });
    for (const intent of [enter, { type: "EXIT", slotId: 0, size: 0.01, price: -0, reason: "SL" } as const]) {
      const rec = new Uint8Array(320);
      encodeIntent(intent, NOW, new Uint8Array(8), rec);
      expect([...rec.subarray(32, 40)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]); // +0, not -0's sign bit
      expect(rec[83]).toBe(1); // MARKET
    }
  } finally {
    k.destroy();
  }
});
