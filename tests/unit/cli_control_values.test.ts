/**
 * `dita-v2 control key=value` reads a number the way every numeric option of the CLI reads one
 * (README "Commands": `0.01`, `65000`, `1e-3`), so `max_drawdown_ratio=1e-3` is the number 0.001,
 * and a negative one goes to serve as a number for it to refuse by its range. Only digits with an
 * optional fraction were numbers: `1e-3` went as the text "1e-3", which serve refused with
 * "must be a number 0..1, got "1e-3"", a refusal of what is a number.
 */

import { expect, test } from "bun:test";
import { parseChange } from "../../src/cli/control.ts";

test("a value written as a decimal with an exponent or a sign is sent as that number", () => {
  expect({ ...parseChange(["max_drawdown_ratio=1e-3", "max_notional_per_trade=2.5E3", "max_leverage=-1"]) }).toEqual({
    max_drawdown_ratio: 0.001,
    max_notional_per_trade: 2500,
    max_leverage: -1,
  });
});

test("names, booleans and what is no decimal (hex, Infinity, a bare fraction) stay as written", () => {
  expect({
    ...parseChange(["trading_state=HALTED", "trace_transitions=true", "max_leverage=0x10", "max_gross_exposure=.5"]),
  }).toEqual({ trading_state: "HALTED", trace_transitions: true, max_leverage: "0x10", max_gross_exposure: ".5" });
  expect({ ...parseChange(["max_leverage=Infinity", "max_notional_per_trade=1e999"]) }).toEqual({
    max_leverage: "Infinity",
    max_notional_per_trade: "1e999",
  });
});
