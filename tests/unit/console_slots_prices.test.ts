/**
 * The slots table shows no price where the kernel has none: a mark price of 0 is the kernel's
 * "no mark yet" (its risk checks fall back to the entry price then), and an entry price of 0 is a
 * slot with no entry. Showing "0" there reads as a price of zero for an open BTC position.
 */

import { describe, expect, test } from "bun:test";
import type { SlotRecord } from "../../src/contracts/records.ts";
import { findAll, textOf, uiModule } from "../_support/console_vnode.ts";

const { SlotsTable } = await uiModule<{ SlotsTable: (p: { slots: SlotRecord[]; nowMs: number }) => unknown }>(
  "slots.ts",
);

function open(mark_price: number): SlotRecord {
  return {
    slot_id: 0,
    stage: "POSITION_OPEN",
    trade_id: "t-0",
    asset: "BTC-USDT",
    side: "LONG",
    entry_price: 65_000,
    size: 0.01,
    leverage: 1,
    is_open: true,
    leg: 0,
    realized_pnl: 0,
    unrealized_pnl: 0,
    mark_price,
    fees: 0.0325,
    exit_reason: null,
    stale_reason: null,
    entry_order: null,
    exit_order: null,
    version: 2,
    updated_at_ms: 1_000,
  };
}

const cell = (slots: SlotRecord[], label: string) =>
  textOf(findAll(SlotsTable({ slots, nowMs: 2_000 }), (p) => p["data-label"] === label)[0]);

describe("console slots table: prices the kernel does not have", () => {
  test("an open position not marked yet shows no mark price, not 0", () => {
    expect(cell([open(0)], "mark")).toBe("—");
  });

  test("a marked position shows its mark price", () => {
    expect(cell([open(65_123.5)], "mark")).toBe("65,123.5");
  });

  test("an IDLE slot shows no entry price, not 0", () => {
    const idle = {
      ...open(0),
      stage: "IDLE",
      trade_id: "",
      asset: "",
      side: null,
      entry_price: 0,
      size: 0,
    } as SlotRecord;
    expect(cell([idle], "entry")).toBe("—");
  });
});
