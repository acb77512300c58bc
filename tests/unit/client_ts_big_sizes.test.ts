/**
 * Positions above 2^53 units of 1e-8 (about 9e7 base units: a SHIB or PEPE position) in the
 * TypeScript client. A slot's size is decoded to the double nearest its exact qty_e8 / 1e8 (the
 * same number the Python client decodes, correctly rounded: not rounded twice), its exact units
 * are kept in `sizeE8`, and the seam's whole-position exits (CLOSE_ALL, STOP_LOSS and TAKE_PROFIT
 * without a size, SCALE_OUT of the whole) are encoded with exactly the units the slot holds: never
 * one unit more than the position, never one unit of dust left behind.
 */

import { expect, test } from "bun:test";
import {
  type Account,
  closeAll,
  decodeSlot,
  encodeIntent,
  INTENT_BYTES,
  type Intent,
  openLong,
  planDecision,
  scaleOut,
  stopLoss,
  takeProfit,
} from "../../clients/typescript/index.ts";

/** A POSITION_OPEN slot 0 image holding `units` of 1e-8 (kernel/ABI.md SlotImage). */
function slotImage(units: bigint): Uint8Array {
  const img = new Uint8Array(448);
  const dv = new DataView(img.buffer);
  img[4] = 3; // POSITION_OPEN
  img[5] = 1; // LONG
  dv.setBigUint64(8, 1n, true); // version
  dv.setBigInt64(24, units, true);
  img.set(new TextEncoder().encode("SHIB-USDT"), 368);
  img.set(new TextEncoder().encode("T1"), 392);
  return img;
}

/** The qty_e8 an intent is encoded with. */
function encodedUnits(intent: Intent): bigint {
  const out = new Uint8Array(INTENT_BYTES);
  encodeIntent(intent, 0, new Uint8Array(8), out);
  return new DataView(out.buffer).getBigInt64(16, true);
}

const account = { equity: 10_000, seeded: true } as Account;
// 2^53 + 1, + 2^53 + 15839 (the double sum then the quotient round the wrong way), the kernel's bound - 1
const HELD = [9_007_199_254_740_993n, 9_007_199_254_756_831n, 99_999_999_999_999_999n, 12_345_678_912_345_678n];

test("a slot's size is the double nearest its exact units, as the Python client decodes it", () => {
  for (const units of HELD) {
    const s = decodeSlot(slotImage(units), 0);
    const text = units.toString();
    expect(s.size).toBe(Number(`${text.slice(0, -8)}.${text.slice(-8)}`));
    expect(s.sizeE8).toBe(units);
  }
});

test("whole-position exits of a position above 2^53 units are encoded with exactly the units held", () => {
  for (const units of HELD) {
    const slots = [decodeSlot(slotImage(units), 0)];
    const ctx = { slots, account, steps: {}, nextTradeId: () => "t" };
    for (const d of [closeAll(), stopLoss(0), takeProfit(0), scaleOut(0, { fraction: 1 })]) {
      const p = planDecision(d, ctx);
      expect(p.refusal).toBeNull();
      expect(p.intents.map(encodedUnits)).toEqual([units]);
    }
  }
});

/** A slot 0 that was never written (IDLE), for an OPEN. */
const idle = () => decodeSlot(new Uint8Array(448), 0);

test("partial scale-outs of a position above 2^53 units are encoded with exactly the floored units", () => {
  // [units held, fraction, units of the exact product floored]: the double nearest each part is a unit off
  const cases: Array<[bigint, number, bigint]> = [
    [18_014_398_509_481_986n, 0.5, 9_007_199_254_740_993n],
    [99_999_999_999_999_999n, 0.5, 49_999_999_999_999_999n],
    [12_345_678_912_345_678n, 0.9, 11_111_111_021_111_110n],
  ];
  for (const [held, fraction, part] of cases) {
    const ctx = { slots: [decodeSlot(slotImage(held), 0)], account, steps: {}, nextTradeId: () => "t" };
    const p = planDecision(scaleOut(0, { fraction }), ctx);
    expect(p.refusal).toBeNull();
    expect(p.intents.map(encodedUnits)).toEqual([part]);
  }
});

test("a capital-fraction open above 2^53 units is encoded with exactly the floored units", () => {
  // 123456.789 × 1 × 1 ÷ 0.0013 = 94966760.769230769…: floored, 9496676076923076 units
  const seeded = { equity: 123_456.789, seeded: true } as Account;
  const ctx = { slots: [idle()], account: seeded, steps: {}, nextTradeId: () => "t" };
  const p = planDecision(openLong("SHIB-USDT", { leverage: 1, capitalFraction: 1, referencePrice: 0.0013 }), ctx);
  expect(p.refusal).toBeNull();
  expect(p.intents.map(encodedUnits)).toEqual([9_496_676_076_923_076n]);
});
