/**
 * The record's now_ms comes from the client's clock (ConnectOptions.nowMs, injectable: a backtest's
 * or a simulator's). A clock answer the u64 field cannot carry (NaN, ±Infinity, a negative number)
 * is an InvalidIntentError naming NOW_MS, as every other field the record cannot carry, never a
 * bare RangeError from BigInt (which the seam would not report as a refusal) nor a negative number
 * wrapped to 2^64 - x.
 */

import { expect, test } from "bun:test";
import { encodeIntent, type Intent, InvalidIntentError, openLong, Seam } from "../../clients/typescript/index.ts";
import { fakeClient, QuietKernel } from "../_support/client_fakes.ts";

const mark: Intent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 };

function refusedField(nowMs: number): string {
  try {
    encodeIntent(mark, nowMs, new Uint8Array(8), new Uint8Array(320));
    return "accepted";
  } catch (e) {
    return e instanceof InvalidIntentError ? e.field : `${(e as Error).name}`;
  }
}

test("a clock answer the u64 now_ms cannot carry is an InvalidIntentError naming NOW_MS", () => {
  for (const nowMs of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 2 ** 64])
    expect(refusedField(nowMs)).toBe("NOW_MS");
  const rec = new Uint8Array(320);
  encodeIntent(mark, 1_700_000_000_123.9, new Uint8Array(8), rec); // a fractional clock is truncated, as before
  expect(new DataView(rec.buffer).getBigUint64(8, true)).toBe(1_700_000_000_123n);
});

test("the seam reports a broken clock as a CLIENT INVALID_INTENT refusal, not a rejected execute", async () => {
  const kernel = new QuietKernel();
  const c = fakeClient(kernel, { nowMs: () => Number.NaN }); // a simulator's clock read before it started
  try {
    const r = await new Seam(c).execute(openLong("BTC-USDT", { size: 0.01, leverage: 2 }));
    expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["CLIENT", "INVALID_INTENT"]]);
    expect(r.refusals[0]!.message).toContain("now_ms");
    expect(kernel.pushes).toBe(0);
  } finally {
    c.close();
  }
});
