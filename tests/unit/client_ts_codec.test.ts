/**
 * The TypeScript strategy client's codecs against the server's own (pair assertions across the
 * boundary): each STRATEGY intent the client encodes is byte-for-byte the record the kernel's
 * encoder writes for the same wire intent; slot and account images the kernel decodes read the
 * same through the client; an outcome the launcher encodes decodes the same in the client; a
 * field the record cannot carry is an InvalidIntentError naming it (a size with a ninth decimal at
 * any magnitude, never rounded); and any 256 bytes in a lane
 * decode to an outcome or a CorruptRegionError, never another exception (fast-check).
 */

import { expect, test } from "bun:test";
import fc from "fast-check";
import {
  CorruptRegionError,
  decodeAccount,
  decodeOutcome,
  decodeSlot,
  encodeIntent,
  type Intent,
  InvalidIntentError,
} from "../../clients/typescript/index.ts";
import { ExecutionKernel, encodeInput, encodeSlotImage } from "../../src/kernel/index.ts";
import { InMemoryZincPlane, OutcomeBatch } from "../../src/zinc/index.ts";
import { event, feed } from "../_support/kernel.ts";

const NOW = 1_700_000_000_123;
const ID = new Uint8Array([5, 0, 0, 0, 2, 0, 1, 0]);

const pairs: Array<[Intent, Record<string, unknown>]> = [
  [
    { type: "ENTER", slotId: 3, tradeId: "T-1_x", asset: "BTC-USDT", side: "SHORT", size: 0.0123, leverage: 7 },
    {
      type: "ENTER",
      slot_id: 3,
      trade_id: "T-1_x",
      asset: "BTC-USDT",
      side: "SHORT",
      size: 0.0123,
      price: null,
      leverage: 7,
    },
  ],
  [
    { type: "ENTER", slotId: 0, tradeId: "L", asset: "ETH-USDT", side: "LONG", size: 1, price: 3499.5, leverage: 1 },
    { type: "ENTER", slot_id: 0, trade_id: "L", asset: "ETH-USDT", side: "LONG", size: 1, price: 3499.5, leverage: 1 },
  ],
  [
    { type: "EXIT", slotId: 2, size: 0.5, reason: "TP" },
    { type: "EXIT", slot_id: 2, size: 0.5, price: null, reason: "TP" },
  ],
  [
    { type: "EXIT", slotId: 2, size: 0.25, price: 70000, reason: "SL" },
    { type: "EXIT", slot_id: 2, size: 0.25, price: 70000, reason: "SL" },
  ],
  [
    { type: "CANCEL", slotId: 5 },
    { type: "CANCEL", slot_id: 5 },
  ],
  [
    { type: "MARK_PRICE", asset: "TRX-USDT", price: 0.2512 },
    { type: "MARK_PRICE", asset: "TRX-USDT", price: 0.2512 },
  ],
];

test("every STRATEGY intent the client encodes is the record the kernel's own encoder writes", () => {
  for (const [intent, wire] of pairs) {
    const mine = new Uint8Array(320);
    encodeIntent(intent, NOW, ID, mine);
    const theirs = new Uint8Array(320);
    expect(encodeInput({ ...wire, now_ms: NOW }, theirs, 0)).toBeNull();
    theirs.set(ID, 304);
    // The kernel ignores slot_id for MARK_PRICE; the client writes SLOT_ANY there, the encoder 0.
    if (intent.type === "MARK_PRICE") mine.fill(0, 4, 8);
    expect(Buffer.from(mine).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
  }
});

test("a field the record cannot carry is an InvalidIntentError naming it; values are left to the kernel", () => {
  const out = new Uint8Array(320);
  const bad: Array<[unknown, string]> = [
    [{ type: "TICK" }, "KIND"],
    [{ type: "CANCEL", slotId: -1 }, "SLOT_ID"],
    [{ type: "EXIT", slotId: 0, size: 0.123456789, reason: "TP" }, "SIZE"],
    [{ type: "EXIT", slotId: 0, size: Number.NaN, reason: "TP" }, "SIZE"],
    [{ type: "EXIT", slotId: 0, size: 1, reason: "PANIC" }, "EXIT_REASON"],
    [{ type: "ENTER", slotId: 0, tradeId: "x".repeat(33), asset: "A", side: "LONG", size: 1, leverage: 1 }, "TRADE_ID"],
    [{ type: "ENTER", slotId: 0, tradeId: "x", asset: "A".repeat(25), side: "LONG", size: 1, leverage: 1 }, "ASSET"],
    [{ type: "ENTER", slotId: 0, tradeId: "x", asset: "A", side: "UP", size: 1, leverage: 1 }, "SIDE"],
    [{ type: "ENTER", slotId: 0, tradeId: "x", asset: "A", side: "LONG", size: 1, leverage: 1.5 }, "LEVERAGE"],
    // A NUL would be read back without it ("T1\0" as "T1"); a lone surrogate has no UTF-8.
    [{ type: "ENTER", slotId: 0, tradeId: "T1\0", asset: "A", side: "LONG", size: 1, leverage: 1 }, "TRADE_ID"],
    [{ type: "ENTER", slotId: 0, tradeId: "x", asset: "BTC-USDT\0", side: "LONG", size: 1, leverage: 1 }, "ASSET"],
    [{ type: "ENTER", slotId: 0, tradeId: "T\ud800", asset: "A", side: "LONG", size: 1, leverage: 1 }, "TRADE_ID"],
  ];
  for (const [intent, field] of bad) {
    try {
      encodeIntent(intent as Intent, NOW, ID, out);
      throw new Error(`accepted ${JSON.stringify(intent)}`);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidIntentError);
      expect((e as InvalidIntentError).field).toBe(field);
    }
  }
  // Leverage 0 and a size of 0 fit the record: the kernel refuses them (an outcome says so).
  encodeIntent(
    { type: "ENTER", slotId: 0, tradeId: "x", asset: "A", side: "LONG", size: 0, leverage: 0 },
    NOW,
    ID,
    out,
  );
});

/** The qty_e8 the client writes for an EXIT of `size`, or the InvalidIntentError's field. */
function exitQty(size: number): bigint | string {
  const out = new Uint8Array(320);
  try {
    encodeIntent({ type: "EXIT", slotId: 0, size, reason: "TP" }, NOW, ID, out);
    return new DataView(out.buffer).getBigInt64(16, true);
  } catch (e) {
    if (!(e instanceof InvalidIntentError)) throw e;
    return e.field;
  }
}

test("a size is exact to 8 decimals at any magnitude: a ninth decimal is refused naming SIZE, never rounded", () => {
  for (const size of [1234567.123456781, 965889.466862781, 0.123456781, 1.000000001, 5e-9, 0.1 + 0.2])
    expect(exitQty(size)).toBe("SIZE");
  expect([exitQty(1234567.12345678), exitQty(0.29), exitQty(5e-8), exitQty(90_000_000.5)]).toEqual([
    123456712345678n,
    29000000n,
    5n,
    9000000050000000n,
  ]);
  const eightDecimals = fc
    .tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 99_999_999 }))
    .map(([whole, part]) => `${whole}.${String(part).padStart(8, "0")}`);
  fc.assert(
    fc.property(eightDecimals, fc.integer({ min: 1, max: 9 }), (text, ninth) => {
      expect(exitQty(Number(text))).toBe(BigInt(text.replace(".", "")));
      expect(exitQty(Number(`${text}${ninth}`))).toBe("SIZE");
    }),
    { numRuns: 5000 },
  );
});

test("slot and account images read the same through the client as through the kernel's decoder", () => {
  const plane = InMemoryZincPlane.open({ slotCount: 2, ringCapacity: 2 });
  const k = ExecutionKernel.open({ slotCount: 2, mirror: plane });
  try {
    k.apply({ type: "SEED_CAPITAL", capital: 5000, now_ms: NOW });
    k.apply({
      type: "ENTER",
      slot_id: 1,
      trade_id: "K1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.02,
      price: 64000,
      leverage: 3,
      now_ms: NOW,
    });
    const image = plane.readSlot(1);
    const mine = decodeSlot(image, 1);
    const theirs = k.slot(1);
    expect(mine).toMatchObject({
      slotId: 1,
      stage: theirs.stage,
      tradeId: "K1",
      asset: "BTC-USDT",
      side: "LONG",
      size: theirs.size,
      leverage: 3,
      version: theirs.version,
    });
    expect(mine.entryOrder).toMatchObject({
      status: theirs.entry_order!.status,
      type: "LIMIT",
      limitPrice: 64000,
      clientOrderId: theirs.entry_order!.client_order_id,
      intendedSize: 0.02,
    });
    expect(decodeSlot(new Uint8Array(448), 0)).toMatchObject({ slotId: 0, stage: "IDLE", entryOrder: null });
    expect(decodeAccount(new Uint8Array(96))).toMatchObject({ capital: 0, seeded: false });
    const account = k.account();
    expect(decodeAccount(plane.readAccount())).toEqual({
      capital: account.capital,
      peakCapital: account.peak_capital,
      drawdown: account.drawdown,
      drawdownRatio: account.drawdown_ratio,
      feesPaid: account.fees_paid,
      realizedPnlTotal: account.realized_pnl_total,
      unrealizedPnl: account.unrealized_pnl,
      equity: account.equity,
      tradeSeq: account.trade_seq,
      version: account.version,
      seeded: true,
    });
  } finally {
    k.destroy();
  }
});

test("an outcome the launcher encodes decodes the same in the client", () => {
  const b = new OutcomeBatch(1);
  b.add(ID, {
    origin: "VENUE",
    now_ms: NOW,
    input_kind: 7,
    slot_id: 4,
    slot_version: 9,
    accepted: true,
    stage: 1,
    event_kind: 6,
    order_status: 7,
    diagnostics: [
      {
        code: "RATE_LIMITED",
        severity: "WARNING",
        slot_id: 4,
        message: "rate limited",
        details: { retryable: true, retry_after_ms: 800 },
        input_index: 0,
        now_ms: NOW,
      },
    ],
  });
  const rec = b.bytes.slice(0, 256);
  new DataView(rec.buffer).setBigUint64(0, 2n, true);
  expect(decodeOutcome(rec)).toMatchObject({
    clientIntentId: (1n << 48n) | (2n << 32n) | 5n,
    lanePosition: 0,
    origin: "VENUE",
    eventKind: "REJECT",
    stage: "IDLE",
    orderStatus: "REJECTED",
    slotId: 4,
    diagnostics: [{ code: "RATE_LIMITED", retryable: true, retryAfterMs: 800 }],
    message: "rate limited",
  });
});

test("hostile bytes in a lane or a slot decode to a record or a CorruptRegionError, never another exception", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), fc.boolean(), (bytes, stable) => {
      if (stable) new DataView(bytes.buffer).setBigUint64(0, 4n, true);
      try {
        decodeOutcome(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptRegionError);
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 448, maxLength: 448 }), (bytes) => {
      try {
        decodeSlot(bytes, bytes[0]!);
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptRegionError);
      }
    }),
    { numRuns: 2000 },
  );
});

test("an exit leg past 255 (leg_lo + 256 × leg_hi) reads the same through the client as through the kernel's decoder", () => {
  const plane = InMemoryZincPlane.open({ slotCount: 1, ringCapacity: 2 });
  const k = ExecutionKernel.open({ slotCount: 1, mirror: plane });
  try {
    k.apply({ type: "SEED_CAPITAL", capital: 5000, now_ms: NOW });
    const enter = { slot_id: 0, trade_id: "K2", asset: "BTC-USDT", side: "LONG", size: 0.02, price: null } as const;
    k.apply({ type: "ENTER", ...enter, leverage: 3, now_ms: NOW });
    const cid = k.slot(0).entry_order!.client_order_id;
    expect(feed(k, event("FULL_FILL", cid, 0.02, 64_000), NOW + 1).accepted).toBe(true);
    const open = k.slot(0);
    expect(k.restoreSlot(encodeSlotImage({ ...open, leg: 4_660 }), NOW + 2).accepted).toBe(true);
    expect(k.apply({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP", now_ms: NOW + 3 }).accepted).toBe(
      true,
    );
    const theirs = k.slot(0);
    expect(theirs).toMatchObject({ leg: 4_661, exit_order: { leg: 4_661, client_order_id: "K2-X4661" } });
    const image = plane.readSlot(0);
    expect([image[43], image[44], image[224 + 5], image[224 + 136]]).toEqual([0x35, 0x12, 0x35, 0x12]);
    const mine = decodeSlot(image, 0);
    expect([mine.leg, mine.exitOrder!.leg, mine.exitOrder!.clientOrderId]).toEqual([4_661, 4_661, "K2-X4661"]);
  } finally {
    k.destroy();
  }
});
