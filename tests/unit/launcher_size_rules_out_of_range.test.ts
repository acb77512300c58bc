/**
 * A size beyond the kernel's 1e9 base units at the strategy edge (src/launcher/_size_rules.ts). The
 * edge judged it against the contract's step as a float and answered "size 1e+308 is not a multiple of
 * BTC-USDT's quantity step 0.0001 (Infinity or Infinity would be)", where 1e20 got the kernel's "out of
 * range" (found by an audit with hostile input). The edge leaves any size beyond the range to the
 * kernel, whose refusal names it, whatever the magnitude.
 */

import { expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { intentSizeRefusal } from "../../src/launcher/_size_rules.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { enter, kernelsPerTest } from "../_support/kernel.ts";

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
const intent = (size: number): StrategyIntent => ({
  type: "ENTER",
  slot_id: 0,
  trade_id: "T0",
  asset: "BTC-USDT",
  side: "LONG",
  size,
  price: null,
  leverage: 5,
});

test("1e308 and 1e20 alike pass the edge and get the kernel's out-of-range refusal, never a step of Infinity", () => {
  for (const size of [1e308, 1e20, Number.MAX_VALUE]) {
    expect(intentSizeRefusal(venue, intent(size), () => null)).toBeNull();
    const o = enter(kernel(), 0, { size });
    expect([size, o.accepted, o.diagnostics[0]?.message]).toEqual([
      size,
      false,
      "size is out of range (got QTY_OUT_OF_RANGE: too large to encode)",
    ]);
  }
  // Within the range the step is still judged at the edge.
  expect(intentSizeRefusal(venue, intent(1.00005), () => null)?.field).toBe("SIZE");
});
