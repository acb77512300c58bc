/**
 * An order exactly at the contract's minimum notional passes the adapter's pre-check. The check
 * multiplied floats, and 0.57 × 100 is 56.99999999999999 in binary: an order of exactly 57 USDT
 * on a 57 USDT minimum was refused locally (MIN_NOTIONAL) although the venue takes it. One step
 * under the minimum is still refused.
 */

import { expect, test } from "bun:test";
import { applyContractRules } from "../../src/venue/bingx/index.ts";

const RULES = {
  asset: "XYZ-USDT",
  quantity_step: 0.01,
  price_step: 0.01,
  min_quantity: 0.01,
  min_notional: 57,
  max_leverage: 20,
};

test("a notional exactly at the minimum passes, float rounding notwithstanding", () => {
  expect(0.57 * 100 < 57).toBe(true); // the float product the check used to compare
  expect(applyContractRules(RULES, 0.57, 100, undefined, "BUY")).toMatchObject({ ok: true, quantity: "0.57" });
  expect(applyContractRules(RULES, 0.57, undefined, 100, "BUY")).toMatchObject({ ok: true, quantity: "0.57" });
});

test("one quantity step under the minimum is still refused", () => {
  expect(applyContractRules(RULES, 0.56, 100, undefined, "BUY")).toMatchObject({ ok: false, rule: "MIN_NOTIONAL" });
});
