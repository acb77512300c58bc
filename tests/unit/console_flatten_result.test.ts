/**
 * The flatten answer's verdict says what the report says: NOT FLAT only when something is still
 * open (a slot, or a position or order the venue still holds); a flatten that closed every slot
 * but whose venue read failed is unconfirmed, not "still open".
 */

import { describe, expect, test } from "bun:test";
import type { FlattenReport } from "../../src/contracts/flatten.ts";
import { findAll, textOf, uiModule } from "../_support/console_vnode.ts";

const { FlattenResult } = await uiModule<{ FlattenResult: (p: { report: FlattenReport }) => unknown }>("trading.ts");

function report(o: Partial<FlattenReport> & { venue: FlattenReport["venue"] }): FlattenReport {
  return {
    complete: false,
    trading_state: "HALTED",
    started_at_ms: 1_000,
    finished_at_ms: 2_000,
    slots: [{ slot_id: 0, asset: "BTC-USDT", before: "POSITION_OPEN", after: "CLOSED", result: "CLOSED", detail: "" }],
    capital: 1_000,
    attempts: { flatten_inputs: 1, after_refusal: 0 },
    ...o,
  };
}

const verdict = (r: FlattenReport) => textOf(findAll(FlattenResult({ report: r }), (p) => p.id === "flatten-verdict"));

describe("console flatten answer", () => {
  test("every slot closed but the venue could not be read: unconfirmed, not 'still open'", () => {
    const r = report({
      venue: {
        checked: false,
        positions: [],
        open_orders: [],
        balance: null,
        error: "the venue could not confirm: timeout",
      },
    });
    const text = verdict(r);
    expect(text).not.toContain("still open");
    expect(text).toContain("NOT CONFIRMED");
  });

  test("a slot still open: NOT FLAT", () => {
    const r = report({
      slots: [
        {
          slot_id: 0,
          asset: "BTC-USDT",
          before: "POSITION_OPEN",
          after: "EXIT_WORKING",
          result: "STILL_OPEN",
          detail: "x",
        },
      ],
      venue: { checked: false, positions: [], open_orders: [], balance: null, error: "timeout" },
    });
    expect(verdict(r)).toBe("NOT FLAT: something is still open");
  });

  test("the venue still holds a position: NOT FLAT", () => {
    const r = report({
      venue: {
        checked: true,
        positions: [{ asset: "ETH-USDT", side: "LONG", size: 1 }],
        open_orders: [],
        balance: 5,
        error: null,
      },
    });
    expect(verdict(r)).toBe("NOT FLAT: something is still open");
  });

  test("complete: flat", () => {
    const r = report({
      complete: true,
      venue: { checked: true, positions: [], open_orders: [], balance: 5, error: null },
    });
    expect(verdict(r)).toBe("Flat: the venue confirmed no position and no open order");
  });
});
