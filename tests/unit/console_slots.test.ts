/**
 * The console's slots table counts what the kernel counts: a CLOSED slot is free (the kernel
 * takes an ENTER there like on an IDLE one and leaves it out of `active_slot_limit`; the fleet
 * entry's `slots_in_use` leaves it out too), so the header's "N of M in use" must not count it.
 */

import { describe, expect, test } from "bun:test";
import type { SlotRecord, Stage } from "../../src/contracts/records.ts";
import { findAll, textOf, uiModule } from "../_support/console_vnode.ts";

const { SlotsTable } = await uiModule<{ SlotsTable: (p: { slots: SlotRecord[]; nowMs: number }) => unknown }>(
  "slots.ts",
);

function slot(slot_id: number, stage: Stage): SlotRecord {
  const flat = stage === "IDLE";
  return {
    slot_id,
    stage,
    trade_id: flat ? "" : `t-${slot_id}`,
    asset: flat ? "" : "BTC-USDT",
    side: flat ? null : "LONG",
    entry_price: flat ? 0 : 65_000,
    size: stage === "POSITION_OPEN" ? 0.01 : 0,
    leverage: 1,
    is_open: stage === "POSITION_OPEN",
    leg: 0,
    realized_pnl: stage === "CLOSED" ? 1.5 : 0,
    unrealized_pnl: 0,
    mark_price: 0,
    fees: 0,
    exit_reason: stage === "CLOSED" ? "SIGNAL" : null,
    stale_reason: null,
    entry_order: null,
    exit_order: null,
    version: 1,
    updated_at_ms: 1_000,
  };
}

describe("console slots table", () => {
  test("a CLOSED slot is free: the header counts only slots the kernel counts as active", () => {
    const slots = [slot(0, "POSITION_OPEN"), slot(1, "CLOSED"), slot(2, "CLOSED"), slot(3, "IDLE")];
    const heading = findAll(SlotsTable({ slots, nowMs: 5_000 }), (_, type) => type === "h2")[0];
    expect(textOf(heading)).toBe("Slots 1 of 4 in use");
  });

  test("a CLOSED slot is dimmed like an IDLE one and shows no running trade age", () => {
    const slots = [slot(0, "POSITION_OPEN"), slot(1, "CLOSED")];
    const rows = findAll(SlotsTable({ slots, nowMs: 61_000 }), (p) => p["data-slot"] !== undefined);
    expect(rows.map((r) => r.props.class)).toEqual(["", "idle"]);
    const ages = rows.map((r) => textOf(findAll(r, (p) => p["data-label"] === "age")[0]));
    expect(ages).toEqual(["1 m 0 s", "—"]);
  });
});
