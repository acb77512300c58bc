/**
 * Hardening — numbers. Each test is named after the numeric anomaly it guards: denormals, 1e308,
 * -0, NaN and infinities, sizes at the 1e-8 precision edge, float noise in cumulative fills, fee
 * signs, and figures far beyond any real account. The rule in every case: bad input gets a
 * specific refusal and changes nothing (the state hash is the witness); valid extremes never fault
 * the kernel and keep every figure finite.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { parseStrategyIntent } from "../../src/contracts/intent_parse.ts";
import type { KernelInput } from "../../src/contracts/intents.ts";
import type { KernelOutcome } from "../../src/contracts/records.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { codes, enter, event, exit, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";

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
};

/** The strategy edge, then the kernel: what HTTP and the CLI do with a JSON intent. */
function viaEdge(
  k: ReturnType<typeof kernel>,
  intent: Record<string, unknown>,
): { edge: boolean; outcome: KernelOutcome | null } {
  const parsed = parseStrategyIntent(intent);
  if (!parsed.ok) return { edge: false, outcome: null };
  return { edge: true, outcome: k.apply({ ...parsed.value, now_ms: T0 } as KernelInput) };
}

/** Refused somewhere before any state changed (edge or kernel), with the hash unchanged. */
function expectRefusedUnchanged(k: ReturnType<typeof kernel>, intent: Record<string, unknown>): void {
  const before = k.stateHash();
  const r = viaEdge(k, intent);
  if (r.outcome) {
    expect(r.outcome.accepted).toBe(false);
    expect(codes(r.outcome)).toEqual(["INVALID_INTENT"]);
  }
  expect(k.stateHash()).toBe(before);
}

test("denormal size 5e-324 is refused (it rounds to 0 e8) and changes nothing", () => {
  const k = kernel();
  expectRefusedUnchanged(k, { ...ENTER, size: 5e-324 });
});

test("denormal limit price passes the kernel but never reaches the venue: refused locally for notional, slot back to IDLE", async () => {
  const k = kernel();
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 1, clock, prices: { "BTC-USDT": 65_000 } });
  await venue.connect();
  const ex = new Executor(k, venue, clock, { afterApply: () => {} });
  const parsed = parseStrategyIntent({ ...ENTER, size: 0.001, price: 5e-324 });
  expect(parsed.ok).toBe(true);
  if (parsed.ok) expect(ex.submitStrategy(parsed.value).accepted).toBe(true);
  await ex.drain(1_000);
  await Bun.sleep(5);
  expect(k.slot(0).stage).toBe("IDLE");
  expect(venue.allOrders()).toEqual([]);
});

test("1e308 as size, limit price, mark or capital is refused and changes nothing", () => {
  const k = kernel();
  expectRefusedUnchanged(k, { ...ENTER, size: 1e308 });
  expectRefusedUnchanged(k, { ...ENTER, price: 1e308 });
  const before = k.stateHash();
  expect(k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 1e308, now_ms: T0 }).accepted).toBe(false);
  expect(k.apply({ type: "SEED_CAPITAL", capital: 1e308, recovery: true, now_ms: T0 }).accepted).toBe(false);
  expect(k.stateHash()).toBe(before);
});

test("NaN and ±Infinity in size, price or mark are refused at the edge or by the kernel, never applied", () => {
  const k = kernel();
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    expectRefusedUnchanged(k, { ...ENTER, size: bad });
    expectRefusedUnchanged(k, { ...ENTER, price: bad });
    const before = k.stateHash();
    expect(k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: bad, now_ms: T0 }).accepted).toBe(false);
    expect(k.stateHash()).toBe(before);
  }
});

test("-0 as a size is refused like 0 (no position of size zero)", () => {
  const k = kernel();
  expectRefusedUnchanged(k, { ...ENTER, size: -0 });
  openPosition(k, 1, 1, 100);
  expect(codes(exit(k, 1, -0))).toEqual(["INVALID_INTENT"]);
});

test("-0 as a limit price means market, exactly as 0 does (the record has no sign for 'no price')", () => {
  const k = kernel();
  const r = viaEdge(k, { ...ENTER, price: -0 });
  expect(r.outcome?.accepted).toBe(true);
  expect(k.slot(0).entry_order).toMatchObject({ order_type: "MARKET", limit_price: null });
});

test("a negative zero venue fee and a maker rebate (negative fee) are booked; a fee beyond ±1e15 is refused", () => {
  const k = kernel();
  enter(k, 0, { size: 2 });
  const cid = k.slot(0).entry_order!.client_order_id;
  expect(feed(k, event("PARTIAL_FILL", cid, 1, 100, { fee_cumulative: -0 })).accepted).toBe(true);
  expect(feed(k, event("FULL_FILL", cid, 2, 100, { fee_cumulative: -0.02 })).accepted).toBe(true);
  expect(k.slot(0).fees).toBeCloseTo(-0.02, 12);
  const before = k.stateHash();
  enter(k, 1, { trade: "N2" });
  const hashAfterEnter = k.stateHash();
  const r = feed(k, event("FULL_FILL", k.slot(1).entry_order!.client_order_id, 1, 100, { fee_cumulative: 2e15 }));
  expect([r.accepted, codes(r)]).toEqual([false, ["INVALID_INTENT"]]);
  expect(k.stateHash()).toBe(hashAfterEnter);
  expect(hashAfterEnter).not.toBe(before);
});

test("sizes at the precision edge: 1e-8 is one unit, 1.5e-8 (a ninth decimal) is refused, 0.07's float noise is not a ninth decimal", () => {
  const k = kernel();
  expect(viaEdge(k, { ...ENTER, size: 1e-8 }).outcome?.accepted).toBe(true);
  expect(k.slot(0).size + k.slot(0).entry_order!.intended_size).toBe(1e-8);
  expectRefusedUnchanged(k, { ...ENTER, slot_id: 1, trade_id: "N3", size: 1.5e-8 });
  expect(viaEdge(k, { ...ENTER, slot_id: 2, trade_id: "N4", size: 0.07 }).outcome?.accepted).toBe(true);
  expect(k.slot(2).entry_order!.intended_size).toBe(0.07);
});

test("0.1 + 0.2 closes a 0.3 position exactly: legs in e8 integers leave size 0 and settle (no float residue)", () => {
  const k = kernel();
  openPosition(k, 0, 0.3, 100);
  expect(exit(k, 0, 0.1).accepted).toBe(true);
  feed(k, event("FULL_FILL", k.slot(0).exit_order!.client_order_id, 0.1, 101));
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.2 });
  expect(exit(k, 0, 0.2, "TP", T0 + 200).accepted).toBe(true);
  feed(k, event("FULL_FILL", k.slot(0).exit_order!.client_order_id, 0.2, 102));
  expect(k.slot(0)).toMatchObject({ stage: "CLOSED", size: 0 });
  expect(k.account().trade_seq).toBe(1);
});

test("a venue's cumulative 0.30000000000000004 fills a 0.3 order exactly: FULL, not OVERFILL", () => {
  const k = kernel();
  enter(k, 0, { size: 0.3 });
  const o = feed(k, event("FULL_FILL", k.slot(0).entry_order!.client_order_id, 0.1 + 0.2, 100));
  expect(codes(o)).toEqual([]);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.3 });
});

test("the kernel's largest size (1e9 units, QTY_MAX_E8) and one above 2^53 e8 are carried exactly; a size just above 1e9 is refused as out of range", () => {
  const k = kernel();
  expect(enter(k, 0, { size: 1e9 }).accepted).toBe(true);
  expect(k.slot(0).entry_order!.intended_size).toBe(1e9);
  const aboveSafe = 500000000.25; // 5e16 units: above 2^53, more than a double counts exactly
  expect(enter(k, 2, { size: aboveSafe, trade: "N6" }).accepted).toBe(true);
  expect(k.slot(2).entry_order!.intended_size).toBe(aboveSafe);
  const r = enter(k, 1, { size: 1e9 + 1, trade: "N5" });
  expect(r.accepted).toBe(false);
  expect(r.diagnostics[0]!.message).toContain("out of range");
});

test("figures far beyond any account (90M units at 1e12, a 1e15 fee) never fault the kernel and stay finite", () => {
  const k = kernel();
  const size = 90_000_000;
  enter(k, 0, { size });
  feed(k, event("FULL_FILL", k.slot(0).entry_order!.client_order_id, size, 1e12));
  expect(k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 1e-300, now_ms: T0 + 50 }).accepted).toBe(true);
  exit(k, 0, size, "SL");
  feed(k, event("FULL_FILL", k.slot(0).exit_order!.client_order_id, size, 1e-300, { fee_cumulative: 1e15 }));
  expect(k.faulted()).toBe(false);
  const a = k.account();
  for (const v of [a.capital, a.equity, a.drawdown, a.realized_pnl_total]) expect(Number.isFinite(v)).toBe(true);
  expect(k.slot(0).stage).toBe("CLOSED");
  expect(a.capital).toBe(10_000 + k.slot(0).realized_pnl - k.slot(0).fees);
});
