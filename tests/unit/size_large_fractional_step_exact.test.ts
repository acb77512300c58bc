/**
 * Sizes from 2^25 base units up with a fractional step reach every edge as the decimal they name.
 * Each edge scaled a size by `size * 1e8`, and 33567350.7 * 1e8 is 3356735070000000.5 in doubles,
 * one unit high once rounded: the venue adapter's step check and the launcher's size rules refused
 * 33567350.7 at step 0.1 as off the step ("33567350.7 or 33567350.8 would be"), and the kernel's
 * encoder carried 33567350.70000001 (the kernel held one unit more than the strategy asked for).
 * Above 2^53 units (about 9e7 base units) the encoder refused every size as out of range, though
 * the kernel takes up to 1e9. The launcher's comparisons and differences of sizes and the adapters'
 * `roundQty` count the same decimals. A size with a ninth decimal is still refused as too precise.
 */

import { describe, expect, test } from "bun:test";
import { OFF } from "../../src/contracts/abi.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { ContractRules, VenueAdapter } from "../../src/contracts/venue.ts";
import { qty } from "../../src/kernel/decoder.ts";
import { encodeInput, encodeSlotImage, INPUT_SIZE } from "../../src/kernel/index.ts";
import { beyond } from "../../src/launcher/_late_fills.ts";
import { sameSize } from "../../src/launcher/_reconcile_truth.ts";
import { intentSizeRefusal, recordSizeRefusal } from "../../src/launcher/_size_rules.ts";
import { applyContractRules, sizeRuleBreach } from "../../src/venue/bingx/index.ts";
import { roundQty } from "../../src/venue/event_id.ts";
import { canonDecimal } from "../../src/venue/index.ts";
import { enter, event, feed, kernelsPerTest, ringRecord, slotUnits, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4, capital: 1e15 });

const rules = (step: number): ContractRules => ({
  asset: "SHIB-USDT",
  quantity_step: step,
  price_step: 0.00001,
  min_quantity: step,
  min_notional: 0,
  max_leverage: 50,
});
const venueWith = (r: ContractRules) => ({ knownRules: () => r, knownListed: () => true }) as unknown as VenueAdapter;
const enterOf = (size: number): StrategyIntent => ({
  type: "ENTER",
  slot_id: 0,
  trade_id: "T1",
  asset: "SHIB-USDT",
  side: "LONG",
  size,
  price: null,
  leverage: 2,
});

/** The count of units the kernel's encoder writes for an ENTER of `size`. */
function encodedUnits(size: number): bigint {
  const bytes = new Uint8Array(INPUT_SIZE);
  encodeInput({ ...enterOf(size), now_ms: T0 } as never, bytes, 0);
  return new DataView(bytes.buffer).getBigInt64(OFF.InputRecord.qty_e8, true);
}

/** A kernel whose slot 0 entered `size` and filled it fully (POSITION_OPEN). */
function filledKernel(size: number): ReturnType<typeof kernel> {
  const k = kernel();
  const entered = enter(k, 0, { size, asset: "SHIB-USDT" });
  expect(entered.diagnostics).toEqual([]);
  const cid = k.slot(0).entry_order!.client_order_id;
  feed(k, event("ACK", cid, 0, 0));
  expect(feed(k, event("FULL_FILL", cid, size, 0.00001)).diagnostics).toEqual([]);
  expect(k.slot(0).stage).toBe("POSITION_OPEN");
  return k;
}

/** Slot 0's exact units (size, entry's intended size) and decoded size after entering and filling `size`. */
function filled(size: number): { units: bigint; size: number; intended: bigint } {
  const k = filledKernel(size);
  const held = slotUnits(k, 0);
  return { units: held.size, size: k.slot(0).size, intended: held.entryIntended };
}

describe("33567350.7 at step 0.1 (33567350.7 * 1e8 rounds a unit high) is the decimal it names at every edge", () => {
  test("the venue adapter's step check passes it and sends exactly 33567350.7", () => {
    expect(sizeRuleBreach(rules(0.1), 33567350.7)).toBeNull();
    expect(applyContractRules(rules(0.1), 33567350.7, undefined, undefined, "BUY")).toMatchObject({
      ok: true,
      quantity: "33567350.7",
    });
  });

  test("the launcher's size rules pass it, as an intent and as a ring record of its exact units", () => {
    const venue = venueWith(rules(0.1));
    expect(intentSizeRefusal(venue, enterOf(33567350.7), () => null)).toBeNull();
    expect(recordSizeRefusal(venue, ringRecord(enterOf(1), 3_356_735_070_000_000n), () => null)).toBeNull();
    // Still exact, not lenient: one unit beside it is off the step.
    const off = intentSizeRefusal(venue, enterOf(33567350.70000001), () => null);
    expect(off).toMatchObject({ code: "INVALID_INTENT", field: "SIZE" });
    expect(off?.message).toContain("33567350.7 or 33567350.8 would be");
  });

  test("the kernel's encoder writes exactly 3356735070000000 units; the real kernel takes it and the slot holds exactly that size", () => {
    expect(encodedUnits(33567350.7)).toBe(3_356_735_070_000_000n);
    const held = filled(33567350.7);
    expect(held).toEqual({ units: 3_356_735_070_000_000n, size: 33567350.7, intended: 3_356_735_070_000_000n });
  });

  test("a slot record of that size (a Hazelcast row) restores into a slot holding exactly its units", () => {
    const record = filledKernel(33567350.7).slot(0);
    const image = encodeSlotImage(record);
    expect(new DataView(image.buffer).getBigInt64(OFF.SlotImage.size_e8, true)).toBe(3_356_735_070_000_000n);
    const k = kernel();
    expect(k.restoreSlot(image, T0 + 20).diagnostics).toEqual([]);
    expect(slotUnits(k, 0)).toEqual({ size: 3_356_735_070_000_000n, entryIntended: 3_356_735_070_000_000n });
  });
});

describe("above 2^53 units, up to the kernel's 1e9, a size is carried exactly instead of refused as out of range", () => {
  test("999999999.1 at step 0.1 passes every edge and the slot holds exactly 99999999910000000 units", () => {
    const venue = venueWith(rules(0.1));
    expect(sizeRuleBreach(rules(0.1), 999999999.1)).toBeNull();
    expect(intentSizeRefusal(venue, enterOf(999999999.1), () => null)).toBeNull();
    expect(encodedUnits(999999999.1)).toBe(99_999_999_910_000_000n);
    expect(filled(999999999.1)).toEqual({
      units: 99_999_999_910_000_000n,
      size: 999999999.1,
      intended: 99_999_999_910_000_000n,
    });
  });

  test("a count above 2^53 decodes to the double nearest it, rounded once (2^53 + 15839 rounded twice is another)", () => {
    const dv = new DataView(new ArrayBuffer(8));
    for (const units of [9_007_199_254_740_993n, 9_007_199_254_756_831n, 99_999_999_999_999_999n]) {
      dv.setBigInt64(0, units, true);
      const text = units.toString();
      expect(qty(dv, 0)).toBe(Number(`${text.slice(0, -8)}.${text.slice(-8)}`));
    }
  });
});

describe("comparisons and differences of such sizes count the decimals the kernel holds", () => {
  test("33567350.7 keeps its own double and text through roundQty (it became 33567350.70000001)", () => {
    expect(roundQty(33567350.7)).toBe(33567350.7);
    expect(canonDecimal(33567350.7)).toBe("33567350.7");
  });

  test("a late fill of 0.1 beyond 33567350.7 is 0.1, not 0.09999999", () => {
    expect(beyond(33567350.8, 33567350.7)).toBe(0.1);
  });

  test("33567350.7 and 33567350.70000001, one unit apart in the kernel, are not the same size", () => {
    expect(sameSize(33567350.7, 33567350.70000001)).toBe(false);
    expect(sameSize(33567350.7, 33567350.7)).toBe(true);
  });
});

describe("sizes above 2^53 units (from 90071992.54741 base units: the encoder takes them now) are compared exactly", () => {
  test("90071993 and 90071993.00000001, one unit apart, are not the same size, and a 1-unit late fill is seen", () => {
    expect(sameSize(90071993, 90071993.00000001)).toBe(false);
    expect(beyond(90071993.00000001, 90071993)).toBe(1e-8);
  });
});

describe("exact units no double names (a client's sizeE8 from 2^26 base units up) are refused, not sent as another size", () => {
  test("67108864.00000002 at step 1e-8 is refused naming both decimals; 67108864.00000001, which a double names, passes", () => {
    const venue = venueWith(rules(0.00000001));
    const refused = recordSizeRefusal(venue, ringRecord(enterOf(1), 6_710_886_400_000_002n), () => null);
    expect(refused).toMatchObject({ code: "INVALID_INTENT", field: "SIZE", input_kind: "ENTER" });
    expect(refused?.message).toContain(
      "size 67108864.00000002 has more significant digits than the order path carries",
    );
    expect(refused?.message).toContain("sent as 67108864.00000001");
    expect(recordSizeRefusal(venue, ringRecord(enterOf(1), 6_710_886_400_000_001n), () => null)).toBeNull();
  });
});

describe("a size with a ninth decimal is still refused as too precise", () => {
  test("12.123456789 is refused by the kernel as 'more than 8 decimals', the state unchanged", () => {
    const k = kernel();
    const before = k.stateHash();
    const r = enter(k, 0, { size: 12.123456789, asset: "SHIB-USDT" });
    expect(r.accepted).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "SIZE" } });
    expect(r.diagnostics[0]!.message).toContain("more than 8 decimals");
    expect(k.stateHash()).toBe(before);
  });
});
