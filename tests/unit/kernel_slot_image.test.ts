/**
 * encodeSlotImage is the inverse of decodeSlot, proven on images the real kernel produced over
 * whole trades (limit and market orders, partial fills with fees, two exit legs, a hung order, a
 * venue reject with its reason, a cancel leaving a partial position, MARK_STALE + RECONCILE, a
 * SHORT): after every input, for every slot the kernel ever touched,
 *  - decode(encode(decode(kernelBytes))) equals decode(kernelBytes), field for field;
 *  - encode(decode(kernelBytes)) equals kernelBytes byte for byte, except an order's reject_reason
 *    (not in a SlotRecord; encoded 0) — the derived realized_closed_legs / fees_closed_orders included
 *    (exact for these trades; in general they may differ by one rounding, the restored totals not);
 *  - a second kernel accepts the encoded image through restore_slot and then holds the same slot
 *    (restore stamps its own version and updated_at_ms).
 * Hostile records throw SlotImageError naming the field; a well-typed but inconsistent one is refused
 * by the kernel's image validation.
 */

import { describe, expect, test } from "bun:test";
import type { KernelInput } from "../../src/contracts/index.ts";
import type { SlotRecord } from "../../src/contracts/records.ts";
import { decodeSlot, type ExecutionKernel, encodeSlotImage, SlotImageError } from "../../src/kernel/index.ts";
import { event, kernelsPerTest, T0 } from "../_support/kernel.ts";

const SLOTS = 4;
const REJECT_REASON_BYTES = [80 + 7, 224 + 7];
const open = kernelsPerTest({ slots: SLOTS, hungMs: 1_000 });

const decode = (image: Uint8Array): SlotRecord =>
  decodeSlot(new DataView(image.buffer, image.byteOffset, 448), image, 0);
let checked = 0;
let rejectReasonsSeen = 0;
let hungSeen = 0;

/** Every touched slot of `k` survives encode/decode and restore into `shadow`. */
function checkAll(k: ExecutionKernel, shadow: ExecutionKernel, after: string): void {
  for (let i = 0; i < SLOTS; i++) {
    const kernelBytes = new Uint8Array(k.slotImage(i));
    const record = decode(kernelBytes);
    if (record.version === 0) continue;
    if (record.entry_order?.hung || record.exit_order?.hung) hungSeen++;
    const encoded = encodeSlotImage(record);
    expect({ after, slot: i, record: decode(encoded) }).toEqual({ after, slot: i, record });
    const masked = new Uint8Array(kernelBytes);
    for (const off of REJECT_REASON_BYTES) {
      if (masked[off] !== 0) rejectReasonsSeen++;
      masked[off] = 0;
    }
    expect({ after, slot: i, bytes: Buffer.from(encoded).toString("hex") }).toEqual({
      after,
      slot: i,
      bytes: Buffer.from(masked).toString("hex"),
    });
    const restored = shadow.restoreSlot(encoded, T0 + 1_000_000);
    expect({ after, slot: i, diagnostics: restored.diagnostics }).toEqual({ after, slot: i, diagnostics: [] });
    const { version: _v, updated_at_ms: _u, ...want } = record;
    const { version: _v2, updated_at_ms: _u2, ...got } = shadow.slot(i);
    expect({ after, slot: i, got }).toEqual({ after, slot: i, got: want });
    checked++;
  }
}

function driver(k: ExecutionKernel, shadow: ExecutionKernel) {
  let now = T0 + 10;
  return {
    advance(ms: number): void {
      now += ms;
    },
    apply(input: Record<string, unknown>, what: string): void {
      now += 7;
      const r = k.apply({ ...input, now_ms: now } as KernelInput);
      if (!r.accepted) throw new Error(`${what} refused: ${JSON.stringify(r.diagnostics)}`);
      checkAll(k, shadow, what);
    },
    fill(
      slot: number,
      role: "entry" | "exit",
      kind: Parameters<typeof event>[0],
      cum: number,
      avg: number,
      fee = 0,
      extra = {},
    ): void {
      const o = role === "entry" ? k.slot(slot).entry_order! : k.slot(slot).exit_order!;
      this.apply(
        {
          type: "VENUE_EVENT",
          slot_id: null,
          event: event(kind, o.client_order_id, cum, avg, { fee_cumulative: fee, asset: k.slot(slot).asset, ...extra }),
        },
        `${kind} ${role} slot ${slot} cum ${cum}`,
      );
    },
  };
}

describe("encodeSlotImage, the inverse of decodeSlot", () => {
  test("round-trips every field of every image the kernel produces over whole trades", () => {
    const k = open();
    const d = driver(k, open());
    d.apply(
      {
        type: "ENTER",
        slot_id: 0,
        trade_id: "L1",
        asset: "BTC-USDT",
        side: "LONG",
        size: 0.03,
        price: 65000.5,
        leverage: 7,
      },
      "enter limit",
    );
    d.fill(0, "entry", "ACK", 0, 0);
    d.fill(0, "entry", "PARTIAL_FILL", 0.01, 65000.5, 0.13);
    d.fill(0, "entry", "FULL_FILL", 0.03, 65000.3, 0.39);
    d.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65100.7 }, "mark");
    d.apply({ type: "EXIT", slot_id: 0, size: 0.02, price: null, reason: "TP" }, "exit leg 1");
    d.fill(0, "exit", "ACK", 0, 0);
    d.fill(0, "exit", "PARTIAL_FILL", 0.01, 65200.1, 0.131);
    d.fill(0, "exit", "FULL_FILL", 0.02, 65210.3, 0.2617);
    d.apply({ type: "EXIT", slot_id: 0, size: 0.01, price: 65300.25, reason: "SL" }, "exit leg 2 limit");
    d.fill(0, "exit", "ACK", 0, 0);
    d.advance(5_000);
    d.apply({ type: "TICK" }, "tick: the exit order is hung");
    d.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 64999.9 }, "mark 2");
    d.fill(0, "exit", "PARTIAL_FILL", 0.004, 65300.25, 0.0523);

    d.apply(
      {
        type: "ENTER",
        slot_id: 1,
        trade_id: "S1",
        asset: "ETH-USDT",
        side: "SHORT",
        size: 0.7,
        price: null,
        leverage: 3,
      },
      "enter short",
    );
    d.fill(1, "entry", "REJECT", 0, 0, 0, { reject_reason: "RATE_LIMITED", retry_after_ms: 500 });
    d.apply(
      {
        type: "ENTER",
        slot_id: 1,
        trade_id: "S2",
        asset: "ETH-USDT",
        side: "SHORT",
        size: 0.7,
        price: null,
        leverage: 3,
      },
      "enter short again",
    );
    d.fill(1, "entry", "FULL_FILL", 0.7, 3500.17, 0.98);
    d.apply({ type: "MARK_STALE", slot_id: 1, reason: "DIVERGENCE" }, "stale");
    d.apply(
      { type: "RECONCILE", slot_id: 1, truth: { side: "SHORT", size: 0.5, avg_price: 3499.5, open_order: null } },
      "reconcile",
    );

    d.apply(
      {
        type: "ENTER",
        slot_id: 2,
        trade_id: "C1",
        asset: "SOL-USDT",
        side: "LONG",
        size: 3,
        price: 140.25,
        leverage: 2,
      },
      "enter sol",
    );
    d.fill(2, "entry", "PARTIAL_FILL", 1.25, 140.25, 0.07);
    d.apply({ type: "CANCEL", slot_id: 2 }, "cancel");
    d.fill(2, "entry", "CANCEL_ACK", 1.25, 140.25, 0.07);

    d.fill(0, "exit", "FULL_FILL", 0.01, 65300.25, 0.1307);
    expect(k.slot(0).stage).toBe("CLOSED");
    expect(k.slot(1).stage).toBe("POSITION_OPEN");
    expect(k.slot(2)).toMatchObject({ stage: "POSITION_OPEN", size: 1.25 });
    expect(rejectReasonsSeen).toBeGreaterThan(0);
    expect(hungSeen).toBeGreaterThan(0);
    expect(checked).toBeGreaterThan(40);
  });

  test("hostile records throw SlotImageError naming the field", () => {
    const k = open();
    k.apply({
      type: "ENTER",
      slot_id: 0,
      trade_id: "H1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 1,
      price: null,
      leverage: 5,
      now_ms: T0 + 1,
    });
    const good = k.slot(0);
    const bad: Array<[string, Record<string, unknown>]> = [
      ["stage", { stage: "OPENISH" }],
      ["side", { side: "UP" }],
      ["size", { size: 0.123456789 }],
      ["size", { size: "1" }],
      ["asset", { asset: "A".repeat(25) }],
      ["trade_id", { trade_id: null }],
      ["version", { version: -1 }],
      ["is_open", { is_open: 1 }],
      ["entry_order.status", { entry_order: { ...good.entry_order!, status: "DONE" } }],
      ["entry_order.client_order_id", { entry_order: { ...good.entry_order!, client_order_id: "x".repeat(41) } }],
      ["entry_order", { entry_order: "yes" }],
    ];
    for (const [field, change] of bad) {
      const attempt = () => encodeSlotImage({ ...good, ...change } as unknown as SlotRecord);
      expect(attempt).toThrow(SlotImageError);
      expect(attempt).toThrow(`slot record ${field} `);
    }
    expect(() => encodeSlotImage(null as unknown as SlotRecord)).toThrow(SlotImageError);
  });

  test("a well-typed but inconsistent record is refused by the kernel's image validation", () => {
    const k = open();
    const image = encodeSlotImage({
      ...k.slot(0),
      stage: "POSITION_OPEN",
      side: "LONG",
      leverage: 5,
      is_open: true,
      asset: "BTC-USDT",
      trade_id: "X1",
    });
    const r = k.restoreSlot(image, T0 + 5);
    expect(r.accepted).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "IMAGE" } });
    expect(k.slot(0).stage).toBe("IDLE");
  });
});
