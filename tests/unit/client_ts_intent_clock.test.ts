/**
 * The record's now_ms comes from the client's clock (ConnectOptions.nowMs, injectable: a backtest's
 * or a simulator's). A clock answer the u64 field cannot carry (NaN, ±Infinity, a negative number)
 * is an InvalidIntentError naming NOW_MS, as every other field the record cannot carry, never a
 * bare RangeError from BigInt (which the seam would not report as a refusal) nor a negative number
 * wrapped to 2^64 - x.
 */

import { expect, test } from "bun:test";
import type { Connection } from "../../clients/typescript/_connect.ts";
import {
  DitaClient,
  encodeIntent,
  type Intent,
  InvalidIntentError,
  openLong,
  Seam,
} from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";

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
  let pushes = 0;
  const lib = {
    zinc_state_read_slot: (_h: number, _i: number, out: Uint8Array) => {
      out.fill(0);
      return 0;
    },
    zinc_state_read_account: (_h: number, out: Uint8Array, pair: BigUint64Array) => {
      out.fill(0);
      pair[1] = 1n;
      return 0;
    },
    zinc_header: (_h: number, out: Uint8Array) => {
      new DataView(out.buffer, out.byteOffset).setUint32(8, 4242, true);
      return 0;
    },
    zinc_writer_alive: () => 1,
    zinc_outcome_lane_header: (_h: number, _l: number, out: BigUint64Array) => {
      out.fill(0n);
      return 0;
    },
    zinc_ring_push: () => {
      pushes++;
      return 0;
    },
    zinc_outcome_release: () => 0,
    zinc_close: () => 0,
  };
  const conn: Connection = {
    lib: lib as unknown as Connection["lib"],
    libPath: nativeLibraryPath("zinc"),
    h: { intents: 1, state: 2, outcomes: 3, control: null },
    info: {
      prefix: "fake",
      namespace: "pink",
      lane: 1,
      generation: 1,
      slotCount: 1,
      writerPid: 4242,
      kernelGeneration: 0,
    },
    spinUs: 0,
    nowMs: () => Number.NaN, // a simulator's clock read before it started
    stateSeq: 0,
  };
  const c = new (DitaClient as unknown as new (c: Connection) => DitaClient)(conn);
  try {
    const r = await new Seam(c).execute(openLong("BTC-USDT", { size: 0.01, leverage: 2 }));
    expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["CLIENT", "INVALID_INTENT"]]);
    expect(r.refusals[0]!.message).toContain("now_ms");
    expect(pushes).toBe(0);
  } finally {
    c.close();
  }
});
