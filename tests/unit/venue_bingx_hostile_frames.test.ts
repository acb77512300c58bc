/**
 * Hostile ORDER_TRADE_UPDATE values (src/venue/bingx/normalizer.ts): a frame the kernel could not
 * book as the venue meant it is a MALFORMED_PAYLOAD diagnostic naming the field, never an order
 * fact, never a throw: here a commission no fill of that size could cost.
 */

import { expect, test } from "bun:test";
import { classifyFrame } from "../../src/venue/bingx/index.ts";

const frame = (o: Record<string, unknown>) =>
  JSON.stringify({
    e: "ORDER_TRADE_UPDATE",
    E: 1700000000000,
    o: { s: "BTC-USDT", c: "t1-e", i: "1736012345678901234", x: "TRADE", L: "65000", n: "0", l: "0", ...o },
  });

const fieldsOf = (text: string) => {
  const r = classifyFrame(text);
  return r.type === "malformed" ? r.diagnostic.details?.fields : r.type;
};

test("a commission above 1% of the filled notional is a MALFORMED_PAYLOAD naming n, never a fee", () => {
  for (const n of ["-1e15", "-999999999", "-6.51", "5000"]) {
    expect([n, fieldsOf(frame({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", ap: "65000", n }))]).toEqual([n, ["n"]]);
  }
  expect(fieldsOf(frame({ X: "NEW", x: "NEW", z: "0", ap: "0", n: "-0.5" }))).toEqual(["n"]); // nothing filled, a fee
  // Real fees pass: 0.05% taker of a 650 USDT fill; a cancel frame repeating the order's fee.
  expect(fieldsOf(frame({ X: "PARTIALLY_FILLED", z: "0.01", l: "0.01", ap: "65000", n: "-0.325" }))).toBe("order");
  expect(fieldsOf(frame({ X: "CANCELED", x: "CANCELED", z: "0.01", ap: "65000", n: "-0.325" }))).toBe("order");
});
