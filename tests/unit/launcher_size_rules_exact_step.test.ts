/**
 * The launcher's size check at the strategy edges (src/launcher/_size_rules.ts) judges the quantity
 * step exactly, in the kernel's 1e-8 units. The float check it shared with the adapter
 * (`sizeRuleBreach`) allowed a residue of 1e-9 × the size, which for a large size is more than half
 * a step (100000.00005 at step 0.0001), and converted a ring record's units to a double, which above
 * 2^53 units cannot tell a size from its neighbours (1e8 + 1e-8 SHIB read as 1e8): an off-step size
 * passed the edge, and the adapter then put it on the step (nearest), so the venue's order was not
 * the kernel's and the difference stayed in the slot as dust. Now either is refused at the edge
 * (INVALID_INTENT, field SIZE, naming the step and the two multiples around the size).
 */

import { describe, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { ContractRules, VenueAdapter } from "../../src/contracts/venue.ts";
import { intentSizeRefusal, recordSizeRefusal } from "../../src/launcher/_size_rules.ts";
import { ringRecord } from "../_support/kernel.ts";

const rules = (asset: string, step: number): ContractRules => ({
  asset,
  quantity_step: step,
  price_step: 0.00001,
  min_quantity: step,
  min_notional: 2,
  max_leverage: 50,
});
const RULES: Record<string, ContractRules> = {
  "BTC-USDT": rules("BTC-USDT", 0.0001),
  "SHIB-USDT": rules("SHIB-USDT", 1),
};
const venue = {
  knownRules: (asset: string) => RULES[asset] ?? null,
  knownListed: (asset: string) => asset in RULES,
} as unknown as VenueAdapter;

const enter = (asset: string, size: number): StrategyIntent => ({
  type: "ENTER",
  slot_id: 0,
  trade_id: "T1",
  asset,
  side: "LONG",
  size,
  price: null,
  leverage: 2,
});
const exit = (size: number): StrategyIntent => ({ type: "EXIT", slot_id: 0, size, price: null, reason: "SIGNAL" });

const holding = (asset: string, size: number) => () => ({ asset, size, side: "LONG" as const });
const noSlot = () => null;

describe("the edge judges the quantity step exactly, in units", () => {
  test("a large size half a step off (100000.00005 at step 0.0001) is refused at the edge, as an intent and as a record", () => {
    const byIntent = intentSizeRefusal(venue, enter("BTC-USDT", 100_000.00005), noSlot);
    const byRecord = recordSizeRefusal(venue, ringRecord(enter("BTC-USDT", 1), 10_000_000_005_000n), noSlot);
    for (const r of [byIntent, byRecord]) {
      expect(r).toMatchObject({ code: "INVALID_INTENT", field: "SIZE", input_kind: "ENTER", slot_id: 0 });
      // The adapter's step check (now exact in units too) writes the lower multiple on the step's decimals.
      expect(r?.message).toMatch(/\b100000(\.0000)? or 100000\.0001\b/);
    }
    const partial = recordSizeRefusal(venue, ringRecord(exit(1), 10_000_000_005_000n), holding("BTC-USDT", 200_000));
    expect(partial).toMatchObject({ field: "SIZE", input_kind: "EXIT" });
  });

  test("a record above 2^53 units one unit off the step (1e8 + 1e-8 SHIB at step 1) is refused at the edge", () => {
    const r = recordSizeRefusal(venue, ringRecord(enter("SHIB-USDT", 1), 10_000_000_000_000_001n), noSlot);
    expect(r).toMatchObject({ code: "INVALID_INTENT", field: "SIZE", input_kind: "ENTER" });
    expect(r?.message).toContain("100000000.00000001");
  });

  test("sizes on the step pass at any magnitude, float residue included; a whole-position exit is held to no step", () => {
    expect(recordSizeRefusal(venue, ringRecord(enter("SHIB-USDT", 1), 12_345_678_900_000_000n), noSlot)).toBeNull();
    expect(recordSizeRefusal(venue, ringRecord(enter("BTC-USDT", 1), 10_000_000_010_000n), noSlot)).toBeNull();
    expect(intentSizeRefusal(venue, enter("BTC-USDT", 0.1 + 0.2), noSlot)).toBeNull();
    expect(intentSizeRefusal(venue, enter("BTC-USDT", 8234.532), noSlot)).toBeNull();
    expect(intentSizeRefusal(venue, exit(0.00015), holding("BTC-USDT", 0.00015))).toBeNull();
  });
});
