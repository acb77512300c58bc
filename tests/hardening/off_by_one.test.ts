/**
 * Hardening — off by one. Each test is named after the boundary it guards: slot 0 and the last
 * slot, the slot limit, every numeric limit of the kernel's inputs (accepted at the limit, refused
 * one past it, state unchanged), the 255th exit leg, the hung-order instant, the kernel's bounded
 * seen-event ring. Ring wrap and sequence wrap of the Zinc regions are in memory.test.ts.
 */

import { expect, test } from "bun:test";
import type { KernelInput } from "../../src/contracts/intents.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { codes, enter, event, exit, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";
import { applyRaw, OFF } from "./_raw.ts";

const kernel = kernelsPerTest({ slots: 8 });

/** Applies `input`; expects a refusal that changed nothing. */
function refused(k: ReturnType<typeof kernel>, input: KernelInput, code = "INVALID_INTENT"): void {
  const before = k.stateHash();
  const o = k.apply(input);
  expect([o.accepted, codes(o)]).toEqual([false, [code]]);
  expect(k.stateHash()).toBe(before);
}

/** The next double above a positive `x`. */
function nextUp(x: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  dv.setBigUint64(0, dv.getBigUint64(0) + 1n);
  return dv.getFloat64(0);
}

const enterInput = (slot: number, o: Record<string, unknown> = {}): KernelInput =>
  ({
    type: "ENTER",
    slot_id: slot,
    trade_id: `B${slot}`,
    asset: "BTC-USDT",
    side: "LONG",
    size: 1,
    price: null,
    leverage: 5,
    now_ms: T0,
    ...o,
  }) as KernelInput;

test("slot 0 and the last slot (7 of 8) both trade; slot 8 and 2^32−2 are INVALID_SLOT_ID", () => {
  const k = kernel();
  openPosition(k, 0);
  openPosition(k, 7);
  expect([k.slot(0).stage, k.slot(7).stage]).toEqual(["POSITION_OPEN", "POSITION_OPEN"]);
  refused(k, enterInput(8), "INVALID_SLOT_ID");
  refused(k, enterInput(2 ** 32 - 2), "INVALID_SLOT_ID");
});

test("active_slot_limit: the limit-th entry is accepted, the next is SLOT_LIMIT_REACHED; a CLOSED slot counts as idle", () => {
  const k = kernel();
  k.apply({ type: "CONFIGURE", key: "ACTIVE_SLOT_LIMIT", value: 3, now_ms: T0 });
  openPosition(k, 0);
  enter(k, 1);
  expect(enter(k, 2).accepted).toBe(true);
  refused(k, enterInput(3, { trade_id: "B3" }), "SLOT_LIMIT_REACHED");
  exit(k, 0, 1);
  feed(k, event("FULL_FILL", k.slot(0).exit_order!.client_order_id, 1, 101));
  expect(k.slot(0).stage).toBe("CLOSED");
  expect(enter(k, 3, { trade: "B3" }).accepted).toBe(true);
});

test("CONFIGURE active_slot_limit accepts 1 and slot_count, refuses 0 and slot_count + 1", () => {
  const k = kernel();
  for (const v of [1, 8])
    expect(k.apply({ type: "CONFIGURE", key: "ACTIVE_SLOT_LIMIT", value: v, now_ms: T0 }).accepted).toBe(true);
  for (const v of [0, 9]) refused(k, { type: "CONFIGURE", key: "ACTIVE_SLOT_LIMIT", value: v, now_ms: T0 });
});

test("CONFIGURE hung_order_ms accepts 1 and 86 400 000, refuses 0 and 86 400 001", () => {
  const k = kernel();
  for (const v of [1, 86_400_000])
    expect(k.apply({ type: "CONFIGURE", key: "HUNG_ORDER_MS", value: v, now_ms: T0 }).accepted).toBe(true);
  for (const v of [0, 86_400_001]) refused(k, { type: "CONFIGURE", key: "HUNG_ORDER_MS", value: v, now_ms: T0 });
});

test("a kernel opens with 1 and 256 slots and refuses 0 and 257, naming the count", () => {
  for (const n of [1, 256]) ExecutionKernel.open({ slotCount: n, hungOrderMs: 1_000 }).destroy();
  for (const n of [0, 257]) expect(() => ExecutionKernel.open({ slotCount: n, hungOrderMs: 1_000 })).toThrow(String(n));
});

test("hung order instant: a TICK at last update + hung_order_ms − 1 flags nothing, at exactly + hung_order_ms flags once", () => {
  const k = kernelsPerTest({ slots: 2, hungMs: 1_000 })();
  enter(k, 0, { now: T0 + 10 });
  const tick = (now: number) => k.apply({ type: "TICK", now_ms: now });
  expect(codes(tick(T0 + 10 + 999))).toEqual([]);
  expect(codes(tick(T0 + 10 + 1_000))).toEqual(["HUNG_ORDER"]);
  expect(codes(tick(T0 + 10 + 5_000))).toEqual([]);
  expect(k.slot(0).entry_order!.hung).toBe(true);
});

test("exit leg 65 535 is accepted and every leg's client order id names it; a 65 536th EXIT of the same trade is INVALID_INTENT (leg is a u16)", () => {
  const k = kernel();
  openPosition(k, 0, 0.00065536, 100);
  const cids: string[] = [];
  for (let leg = 1; leg <= 65_535; leg++) {
    expect(exit(k, 0, 0.00000001, "SIGNAL", T0 + 100 + leg).accepted).toBe(true);
    cids.push(k.slot(0).exit_order!.client_order_id);
    feed(k, event("FULL_FILL", k.slot(0).exit_order!.client_order_id, 0.00000001, 100), T0 + 100 + leg);
  }
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: 65_535, size: 0.00000001 });
  // Every leg's client order id names its leg in decimal: one to five digits, across the low byte.
  const legs = [1, 9, 10, 99, 100, 255, 256, 999, 1_000, 9_999, 10_000, 65_535];
  expect(legs.map((leg) => cids[leg - 1])).toEqual(legs.map((leg) => `T0-X${leg}`));
  refused(k, { type: "EXIT", slot_id: 0, size: 0.00000001, price: null, reason: "SIGNAL", now_ms: T0 + 99_999 });
}, 60_000);

test("quantity bounds: 1 e8 accepted, 0 refused; limit price PRICE_MAX (1e12) accepted, its next double refused", () => {
  const k = kernel();
  expect(k.apply(enterInput(0, { size: 1e-8 })).accepted).toBe(true);
  refused(k, enterInput(1, { size: 0 }));
  expect(k.apply(enterInput(2, { price: 1e12 })).accepted).toBe(true);
  refused(k, enterInput(3, { price: nextUp(1e12) }));
});

test("leverage bounds: 1 and 125 accepted, 0 and 126 refused", () => {
  const k = kernel();
  expect(k.apply(enterInput(0, { leverage: 1 })).accepted).toBe(true);
  // Another asset: one asset and side keeps one leverage (the venue's), so slot 0's LONG binds BTC-USDT at 1.
  expect(k.apply(enterInput(1, { leverage: 125, asset: "ETH-USDT" })).accepted).toBe(true);
  refused(k, enterInput(2, { leverage: 0 }));
  refused(k, enterInput(3, { leverage: 126 }));
});

test("capital seed bounds: 0 and 1e15 accepted (as recovery re-seeds), above 1e15 refused", () => {
  const k = kernel();
  for (const c of [0, 1e15])
    expect(k.apply({ type: "SEED_CAPITAL", capital: c, recovery: true, now_ms: T0 }).accepted).toBe(true);
  refused(k, { type: "SEED_CAPITAL", capital: 1e15 + 1, recovery: true, now_ms: T0 });
});

test("now_ms bounds: 2^53 − 1 accepted, 2^53 refused (it must survive JSON)", () => {
  const k = kernel();
  expect(k.apply({ type: "TICK", now_ms: 2 ** 53 - 1 }).accepted).toBe(true);
  refused(k, { type: "TICK", now_ms: 2 ** 53 });
});

test("string widths: a 32-character trade id and a 24-character asset are accepted, one character more is refused", () => {
  const k = kernel();
  expect(k.apply(enterInput(0, { trade_id: "T".repeat(32) })).accepted).toBe(true);
  expect(k.slot(0).entry_order!.client_order_id).toBe(`${"T".repeat(32)}-E`);
  refused(k, enterInput(1, { trade_id: "U".repeat(33) }));
  expect(k.apply(enterInput(2, { asset: "A".repeat(24) })).accepted).toBe(true);
  refused(k, enterInput(3, { asset: "B".repeat(25) }));
});

test("retry_after_ms: −1 (no hint) is accepted; −2 is refused in a raw record, and the binding turns a venue's −2 into 'no hint'", () => {
  const k = kernel();
  enter(k, 0);
  enter(k, 1);
  const reject = (slot: number, retry: number): KernelInput => ({
    type: "VENUE_EVENT",
    slot_id: null,
    event: event("REJECT", k.slot(slot).entry_order!.client_order_id, 0, 0, {
      reject_reason: "RATE_LIMITED",
      retry_after_ms: retry,
    }),
    now_ms: T0 + 20,
  });
  const before = k.stateHash();
  const raw = applyRaw(k, reject(1, -1), (_b, dv) => dv.setBigInt64(OFF.retry_after_ms, -2n, true));
  expect([raw.accepted, codes(raw)]).toEqual([false, ["INVALID_INTENT"]]);
  expect(k.stateHash()).toBe(before);
  const viaBinding = k.apply(reject(1, -2));
  expect(viaBinding.diagnostics[0]).toMatchObject({ code: "RATE_LIMITED", details: { release_eta: "few minutes" } });
  expect(k.apply(reject(0, -1)).accepted).toBe(true);
  expect(k.slot(0).stage).toBe("IDLE");
});

test("the seen-event ring (32 per slot) wraps: an event that fell out of it is not a DUPLICATE but, being older, a STALE_EVENT that changes no fill", () => {
  const k = kernel();
  enter(k, 0, { size: 40 });
  const cid = k.slot(0).entry_order!.client_order_id;
  const first = event("PARTIAL_FILL", cid, 1, 100, { event_id: "E-first" });
  feed(k, first);
  for (let i = 2; i <= 34; i++) feed(k, event("PARTIAL_FILL", cid, i, 100, { event_id: `E-${i}` }));
  const filled = k.slot(0).entry_order!.filled_size;
  const again = feed(k, first);
  expect(codes(again)).toEqual(["STALE_EVENT"]);
  expect(k.slot(0).entry_order!.filled_size).toBe(filled);
  const recent = feed(k, event("PARTIAL_FILL", cid, 34, 100, { event_id: "E-34" }));
  expect(codes(recent)).toEqual(["DUPLICATE_EVENT"]);
});

test("full-width strings decode exactly: a 24-character asset, a 32-character venue order id and trade id never gain a byte of the next field", () => {
  const k = kernel();
  expect(k.apply(enterInput(0, { asset: "A".repeat(24), trade_id: "Z".repeat(32), size: 2 })).accepted).toBe(true);
  const cid = k.slot(0).entry_order!.client_order_id;
  const vid = "9".repeat(32);
  feed(k, event("FULL_FILL", cid, 2, 100, { asset: "A".repeat(24), venue_order_id: vid }));
  exit(k, 0, 1);
  feed(k, event("FULL_FILL", k.slot(0).exit_order!.client_order_id, 1, 150, { asset: "A".repeat(24) }));
  const s = k.slot(0);
  expect(s.realized_pnl).toBe(50); // realized_closed_legs, right after the trade id, is non-zero now
  expect([s.asset, s.trade_id, s.entry_order!.venue_order_id]).toEqual(["A".repeat(24), "Z".repeat(32), vid]);
});
