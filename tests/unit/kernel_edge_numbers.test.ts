/**
 * Numbers the fixed layout cannot carry are refused with the value that was sent, never carried
 * as another value:
 *  - an ENTER or EXIT size that is not 0 yet rounds to 0 units of 1e-8 (4e-13, a subnormal) was
 *    encoded as 0, and the kernel refused it with "size must be positive (got 0)" (it was
 *    positive). It is QTY_TOO_PRECISE now: "size has more than 8 decimals". Where 0 is a valid
 *    value (a venue's last fill size) such noise still reads as 0;
 *  - a slot record's size of 4e-13 was written into the image as 0;
 *  - a leverage the u16 field cannot hold (70000, 2.5, -3) was written as 0, so the kernel said
 *    "leverage must be 1..=125 (got 0)". The encoder refuses it naming the value.
 */

import { describe, expect, test } from "bun:test";
import { parseStrategyIntent } from "../../src/contracts/intent_parse.ts";
import type { KernelInput } from "../../src/contracts/intents.ts";
import type { SlotRecord } from "../../src/contracts/records.ts";
import { encodeInput, encodeSlotImage, INPUT_SIZE, SlotImageError } from "../../src/kernel/index.ts";
import { enter, event, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });

const ENTER = {
  type: "ENTER",
  slot_id: 0,
  trade_id: "N1",
  asset: "BTC-USDT",
  side: "LONG",
  size: 1,
  price: null,
  leverage: 5,
} as const;

/** The record's i64 at `off`, as a bigint. */
const i64At = (bytes: Uint8Array, off: number) => new DataView(bytes.buffer).getBigInt64(off, true);
const QTY_TOO_PRECISE = -(2n ** 63n) + 2n;

describe("a non-zero size that rounds to 0 units of 1e-8 is refused as too precise, not sent as 0", () => {
  for (const size of [4e-13, -4e-13, 5e-324]) {
    test(`ENTER size ${size}: refused naming the decimals, not 'must be positive (got 0)'`, () => {
      const k = kernel();
      const before = k.stateHash();
      const r = enter(k, 0, { size });
      expect(r.accepted).toBe(false);
      expect(r.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "SIZE" } });
      expect(r.diagnostics[0]!.message).toContain("more than 8 decimals");
      expect(k.stateHash()).toBe(before);
    });
  }

  test("an EXIT size of 4e-13 is written as QTY_TOO_PRECISE; a venue's last fill size of 5e-324 still as 0", () => {
    const bytes = new Uint8Array(INPUT_SIZE);
    encodeInput({ type: "EXIT", slot_id: 0, size: 4e-13, price: null, reason: "SIGNAL", now_ms: T0 }, bytes, 0);
    expect(i64At(bytes, 16)).toBe(QTY_TOO_PRECISE);
    const fill = event("PARTIAL_FILL", "C1", 0.01, 100, { last_fill_size: 5e-324 });
    expect(encodeInput({ type: "VENUE_EVENT", slot_id: null, event: fill, now_ms: T0 }, bytes, 0)).toBeNull();
    expect(i64At(bytes, 24)).toBe(0n);
  });

  test("0 and -0 still encode as 0 units, and 1e-8 as one unit", () => {
    const bytes = new Uint8Array(INPUT_SIZE);
    for (const [size, units] of [
      [0, 0n],
      [-0, 0n],
      [1e-8, 1n],
      [0.07, 7_000_000n],
    ] as const) {
      encodeInput({ type: "EXIT", slot_id: 0, size, price: null, reason: "SIGNAL", now_ms: T0 }, bytes, 0);
      expect(i64At(bytes, 16)).toBe(units);
    }
  });

  test("a slot record whose size is 4e-13 is refused, not written as size 0", () => {
    const k = kernel();
    expect(enter(k, 0).accepted).toBe(true);
    const good = k.slot(0);
    const attempt = () => encodeSlotImage({ ...good, size: 4e-13 } as SlotRecord);
    expect(attempt).toThrow(SlotImageError);
    expect(attempt).toThrow("slot record size ");
    const order = () =>
      encodeSlotImage({ ...good, entry_order: { ...good.entry_order!, filled_size: 4e-13 } } as SlotRecord);
    expect(order).toThrow("slot record entry_order.filled_size ");
  });
});

describe("a leverage the record cannot carry is refused naming the leverage sent", () => {
  for (const leverage of [70_000, 2 ** 53, -3]) {
    test(`leverage ${leverage} passes the edge's shape check and is refused with its own value`, () => {
      const k = kernel();
      const parsed = parseStrategyIntent({ ...ENTER, leverage });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const before = k.stateHash();
      const r = k.apply({ ...parsed.value, now_ms: T0 } as KernelInput);
      expect(r.accepted).toBe(false);
      expect(r.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "LEVERAGE" } });
      expect(r.diagnostics[0]!.message).toContain(String(leverage));
      expect(k.stateHash()).toBe(before);
    });
  }

  test("a fractional leverage from a direct caller is refused with its value", () => {
    const r = kernel().apply({ ...ENTER, leverage: 2.5, now_ms: T0 } as KernelInput);
    expect(r.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "LEVERAGE" } });
    expect(r.diagnostics[0]!.message).toContain("2.5");
  });

  test("leverage 200 still reaches the kernel, which names its range", () => {
    const r = kernel().apply({ ...ENTER, leverage: 200, now_ms: T0 } as KernelInput);
    expect(r.diagnostics[0]!.message).toBe("leverage must be 1..=125 (got 200)");
  });
});
