/**
 * A limit price below one price tick, at the strategy edges (src/launcher/_size_rules.ts). The adapter
 * refuses it (INVALID_PRICE: a BUY's limit is rounded down to the tick, to 0), but only after the kernel
 * had taken the intent: `POST /intents` answered 200 accepted, the slot went ENTRY_WORKING and back to
 * IDLE, and the trade id was spent (found by an audit with hostile input). Now the edge refuses it first
 * (INVALID_INTENT, field PRICE, the adapter's sentence), on HTTP and ring records alike; a SELL's limit is
 * rounded up, so it is never below the tick, and a MARKET order carries no price to judge.
 *
 * From the same audit, a size beyond the kernel's 1e9 base units: the edge judged it against the
 * contract's step as a float and answered "size 1e+308 is not a multiple of BTC-USDT's quantity step
 * 0.0001 (Infinity or Infinity would be)", where 1e20 got the kernel's "out of range". The edge leaves
 * any size beyond the range to the kernel, whose refusal names it, whatever the magnitude.
 */

import { describe, expect, test } from "bun:test";
import type { InputRefusal } from "../../src/contracts/intent_parse.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { intentSizeRefusal, recordSizeRefusal } from "../../src/launcher/_size_rules.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { enter, kernelsPerTest, ringRecord } from "../_support/kernel.ts";

const kernel = kernelsPerTest({});

const venue = new MockVenueAdapter({
  seed: 1,
  clock: new SystemClock(),
  prices: { "BTC-USDT": 65_000 },
  balance: 10_000,
  rules: {
    "BTC-USDT": {
      asset: "BTC-USDT",
      quantity_step: 0.0001,
      price_step: 0.1,
      min_quantity: 0.0001,
      min_notional: 0,
      max_leverage: 125,
    },
  },
});
const enterAt = (side: "LONG" | "SHORT", price: number | null): Extract<StrategyIntent, { type: "ENTER" }> => ({
  type: "ENTER",
  slot_id: 1,
  trade_id: "t2",
  asset: "BTC-USDT",
  side,
  size: 0.001,
  price,
  leverage: 5,
});
const exit = (price: number | null): StrategyIntent => ({ type: "EXIT", slot_id: 1, size: 0.001, price, reason: "TP" });
const noSlot = () => null;

describe("a limit price below one tick is refused at the edge, before the kernel", () => {
  test("an ENTER LONG at 1e-10 (a BUY: rounded down to 0) is refused naming the tick, on HTTP and the ring", () => {
    const expected: InputRefusal = {
      code: "INVALID_INTENT",
      field: "PRICE",
      message: "ENTER: limit price 1e-10 is below BTC-USDT's price tick 0.1",
      input_kind: "ENTER",
      slot_id: 1,
    };
    expect(intentSizeRefusal(venue, enterAt("LONG", 1e-10), noSlot)).toEqual(expected);
    expect(recordSizeRefusal(venue, ringRecord(enterAt("LONG", 1e-10)), noSlot)).toEqual(expected);
  });

  test("an EXIT of a SHORT below the tick (a BUY) is refused; of a LONG (a SELL, rounded up) it passes", () => {
    const short = () => ({ asset: "BTC-USDT", size: 0.002, side: "SHORT" as const });
    const long = () => ({ asset: "BTC-USDT", size: 0.002, side: "LONG" as const });
    expect(intentSizeRefusal(venue, exit(0.05), short)).toMatchObject({ field: "PRICE", input_kind: "EXIT" });
    expect(recordSizeRefusal(venue, ringRecord(exit(0.05)), short)?.field).toBe("PRICE");
    expect(intentSizeRefusal(venue, exit(0.05), long)).toBeNull();
  });

  test("prices on or above the tick, a SHORT entry's limit and MARKET orders pass as before", () => {
    expect(intentSizeRefusal(venue, enterAt("LONG", 0.1), noSlot)).toBeNull();
    expect(intentSizeRefusal(venue, enterAt("LONG", 64_999.95), noSlot)).toBeNull();
    expect(intentSizeRefusal(venue, enterAt("SHORT", 0.05), noSlot)).toBeNull(); // a SELL: up to 0.1
    expect(intentSizeRefusal(venue, enterAt("LONG", null), noSlot)).toBeNull();
    expect(recordSizeRefusal(venue, ringRecord(enterAt("LONG", null)), noSlot)).toBeNull();
  });
});

describe("a size beyond the kernel's range is left to the kernel's own refusal", () => {
  test("1e308 and 1e20 alike pass the edge and get the kernel's out-of-range refusal, never a step of Infinity", () => {
    const sized = (size: number): StrategyIntent => ({ ...enterAt("LONG", null), size });
    for (const size of [1e308, 1e20, Number.MAX_VALUE]) {
      expect(intentSizeRefusal(venue, sized(size), noSlot)).toBeNull();
      const o = enter(kernel(), 0, { size });
      expect([size, o.accepted, o.diagnostics[0]?.message]).toEqual([
        size,
        false,
        "size is out of range (got QTY_OUT_OF_RANGE: too large to encode)",
      ]);
    }
    // Within the range the step is still judged at the edge.
    expect(intentSizeRefusal(venue, sized(1.00005), noSlot)?.field).toBe("SIZE");
  });
});
