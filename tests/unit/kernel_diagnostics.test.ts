/**
 * Every diagnostic code, proven through the FFI binding with one named test each, and hostile
 * input (NaN, ±Infinity, negative/zero/huge sizes, unknown enums, over-long strings, slot ids out
 * of range): each gives its diagnostic and leaves the kernel byte-for-byte unchanged.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { KernelInput } from "../../src/contracts/index.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { codes, enter, event, exit, feed, freshKernel, openPosition, T0 } from "../_support/kernel.ts";

let k: ExecutionKernel;
afterEach(() => k?.destroy());

const entryId = () => k.slot(0).entry_order!.client_order_id;

/** Applies an input and asserts it changed nothing at all (state hash and every slot version). */
function refusedWithoutChange(input: unknown): string[] {
  const before = k.stateHash();
  const versions = k.slots().map((s) => s.version);
  const r = k.apply(input as KernelInput); // hostile: outside the typed contract on purpose
  expect(r.accepted).toBe(false);
  expect(k.stateHash()).toBe(before);
  expect(k.slots().map((s) => s.version)).toEqual(versions);
  return codes(r);
}

describe("diagnostic codes", () => {
  test("INVALID_SLOT_ID for a slot beyond the table", () => {
    k = freshKernel({ slots: 4 });
    expect(refusedWithoutChange({ type: "CANCEL", slot_id: 4, now_ms: T0 })).toEqual(["INVALID_SLOT_ID"]);
  });

  test("SLOT_BUSY for ENTER on a slot with a working order", () => {
    k = freshKernel();
    enter(k);
    expect(
      refusedWithoutChange({
        type: "ENTER",
        slot_id: 0,
        trade_id: "B",
        asset: "BTC-USDT",
        side: "LONG",
        size: 1,
        leverage: 5,
        now_ms: T0,
      }),
    ).toEqual(["SLOT_BUSY"]);
  });

  test("SLOT_LIMIT_REACHED when active_slot_limit slots are busy", () => {
    k = freshKernel({ slots: 4, limit: 1 });
    enter(k, 0);
    expect(
      refusedWithoutChange({
        type: "ENTER",
        slot_id: 1,
        trade_id: "T1",
        asset: "BTC-USDT",
        side: "LONG",
        size: 1,
        leverage: 5,
        now_ms: T0,
      }),
    ).toEqual(["SLOT_LIMIT_REACHED"]);
  });

  test("INVALID_INTENT for an exit larger than the position", () => {
    k = freshKernel();
    openPosition(k, 0, 1);
    expect(refusedWithoutChange({ type: "EXIT", slot_id: 0, size: 2, reason: "SL", now_ms: T0 })).toEqual([
      "INVALID_INTENT",
    ]);
  });

  test("NO_ACTIVE_EXIT_ORDER for CANCEL with an open position and no exit working", () => {
    k = freshKernel();
    openPosition(k);
    expect(refusedWithoutChange({ type: "CANCEL", slot_id: 0, now_ms: T0 })).toEqual(["NO_ACTIVE_EXIT_ORDER"]);
  });

  test("INVALID_TRANSITION for EXIT on an idle slot", () => {
    k = freshKernel();
    expect(refusedWithoutChange({ type: "EXIT", slot_id: 0, size: 1, reason: "SIGNAL", now_ms: T0 })).toEqual([
      "INVALID_TRANSITION",
    ]);
  });

  test("STALE_STATE_RECONCILE refuses venue events until the slot is reconciled", () => {
    k = freshKernel();
    enter(k);
    const id = entryId();
    k.apply({ type: "MARK_STALE", slot_id: 0, reason: "OPERATOR", now_ms: T0 });
    expect(
      refusedWithoutChange({ type: "VENUE_EVENT", slot_id: null, event: event("FULL_FILL", id, 1, 100), now_ms: T0 }),
    ).toEqual(["STALE_STATE_RECONCILE"]);
  });

  test("DUPLICATE_EVENT for a repeated venue event id, with no second fill", () => {
    k = freshKernel();
    enter(k);
    const e = event("PARTIAL_FILL", entryId(), 0.5, 100);
    feed(k, e);
    expect(refusedWithoutChange({ type: "VENUE_EVENT", slot_id: null, event: e, now_ms: T0 + 20 })).toEqual([
      "DUPLICATE_EVENT",
    ]);
    expect(k.slot(0).size).toBe(0.5);
  });

  test("UNKNOWN_ORDER for an event no slot owns", () => {
    k = freshKernel();
    expect(
      refusedWithoutChange({ type: "VENUE_EVENT", slot_id: null, event: event("ACK", "NOBODY-E", 0, 0), now_ms: T0 }),
    ).toEqual(["UNKNOWN_ORDER"]);
  });

  test("OVERFILL is CRITICAL and names the quantities", () => {
    k = freshKernel();
    enter(k, 0, { size: 1 });
    const r = feed(k, event("FULL_FILL", entryId(), 2, 100));
    expect(r.diagnostics[0]).toMatchObject({ code: "OVERFILL", severity: "CRITICAL", slot_id: 0 });
  });

  test("HUNG_ORDER once for a working order silent for hung_order_ms", () => {
    k = freshKernel({ hungMs: 1000 });
    enter(k, 0, { now: T0 });
    expect(codes(k.apply({ type: "TICK", now_ms: T0 + 999 }))).toEqual([]);
    expect(codes(k.apply({ type: "TICK", now_ms: T0 + 1000 }))).toEqual(["HUNG_ORDER"]);
    expect(codes(k.apply({ type: "TICK", now_ms: T0 + 5000 }))).toEqual([]);
    expect(k.slot(0).entry_order!.hung).toBe(true);
  });

  test("VENUE_REJECTED for a venue rejection", () => {
    k = freshKernel();
    enter(k);
    const r = feed(k, event("REJECT", entryId(), 0, 0, { reject_reason: "VENUE" }));
    expect(r.diagnostics[0]).toMatchObject({ code: "VENUE_REJECTED" });
  });

  test("RATE_LIMITED is a retryable WARNING carrying the venue's retry hint", () => {
    k = freshKernel();
    enter(k);
    const r = feed(k, event("REJECT", entryId(), 0, 0, { reject_reason: "RATE_LIMITED", retry_after_ms: 1500 }));
    expect(r.diagnostics[0]).toMatchObject({
      code: "RATE_LIMITED",
      severity: "WARNING",
      details: { retryable: true, retry_after_ms: 1500 },
    });
  });

  test("RATE_LIMITED without a hint says the release is a few minutes away", () => {
    k = freshKernel();
    enter(k);
    const r = feed(k, event("REJECT", entryId(), 0, 0, { reject_reason: "RATE_LIMITED" }));
    expect(r.diagnostics[0]!.details).toMatchObject({ retryable: true, release_eta: "few minutes" });
    expect(r.diagnostics[0]!.details.retry_after_ms).toBeUndefined();
  });

  test("CANCEL_REJECTED when the venue refuses a cancel", () => {
    k = freshKernel();
    enter(k);
    expect(codes(feed(k, event("CANCEL_REJECT", entryId(), 0, 0)))).toEqual(["CANCEL_REJECTED"]);
  });

  test("STALE_EVENT for an older cumulative fill delivered late", () => {
    k = freshKernel();
    enter(k, 0, { size: 1 });
    feed(k, event("PARTIAL_FILL", entryId(), 0.6, 100));
    const r = feed(k, event("PARTIAL_FILL", entryId(), 0.3, 100));
    expect(codes(r)).toEqual(["STALE_EVENT"]);
    expect(k.slot(0).size).toBe(0.6);
  });

  test("RECONCILED describes what a reconcile changed", () => {
    k = freshKernel();
    openPosition(k, 0, 1);
    k.apply({ type: "MARK_STALE", slot_id: 0, reason: "RESTART", now_ms: T0 });
    const r = k.apply({
      type: "RECONCILE",
      slot_id: 0,
      truth: { side: "LONG", size: 0.5, avg_price: 100, open_order: null },
      now_ms: T0 + 1,
    });
    expect(r.diagnostics.find((d) => d.code === "RECONCILED")).toMatchObject({ severity: "INFO", slot_id: 0 });
  });

  test("CAPITAL_SEEDED when the account is seeded, and a second seed is refused unless it is a recovery", () => {
    k = freshKernel({ capital: 0 });
    expect(codes(k.apply({ type: "SEED_CAPITAL", capital: 500, now_ms: T0 }))).toEqual(["CAPITAL_SEEDED"]);
    expect(refusedWithoutChange({ type: "SEED_CAPITAL", capital: 900, now_ms: T0 })).toEqual(["INVALID_INTENT"]);
    expect(k.apply({ type: "SEED_CAPITAL", capital: 900, recovery: true, now_ms: T0 }).accepted).toBe(true);
    expect(k.account().capital).toBe(900);
  });
});

describe("hostile input changes nothing", () => {
  const enterWith = (patch: Record<string, unknown>) => ({
    type: "ENTER",
    slot_id: 0,
    trade_id: "H1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 1,
    price: null,
    leverage: 5,
    now_ms: T0,
    ...patch,
  });

  for (const [name, patch] of [
    ["NaN size", { size: Number.NaN }],
    ["+Infinity size", { size: Number.POSITIVE_INFINITY }],
    ["-Infinity size", { size: Number.NEGATIVE_INFINITY }],
    ["negative size", { size: -1 }],
    ["zero size", { size: 0 }],
    ["huge size", { size: 1e300 }],
    ["size with a 9th decimal", { size: 0.123456789 }],
    ["string size", { size: "1" }],
    ["NaN limit price", { price: Number.NaN }],
    ["negative limit price", { price: -5 }],
    ["infinite limit price", { price: Number.POSITIVE_INFINITY }],
    ["unknown side", { side: "UP" }],
    ["zero leverage", { leverage: 0 }],
    ["leverage above 125", { leverage: 500 }],
    ["over-long trade id", { trade_id: "x".repeat(33) }],
    ["trade id with spaces", { trade_id: "a b" }],
    ["empty asset", { asset: "" }],
    ["over-long asset", { asset: "A".repeat(25) }],
    ["lowercase asset", { asset: "btc-usdt" }],
  ] as const) {
    test(`ENTER with ${name} is INVALID_INTENT`, () => {
      k = freshKernel();
      expect(refusedWithoutChange(enterWith(patch))).toEqual(["INVALID_INTENT"]);
    });
  }

  for (const slot of [-1, 4, 1.5, 2 ** 32, Number.NaN, "0", null]) {
    test(`slot id ${String(slot)} is INVALID_SLOT_ID`, () => {
      k = freshKernel({ slots: 4 });
      expect(refusedWithoutChange(enterWith({ slot_id: slot }))).toEqual(["INVALID_SLOT_ID"]);
    });
  }

  test("an unknown input type is INVALID_INTENT", () => {
    k = freshKernel();
    expect(refusedWithoutChange({ type: "LAUNCH_MISSILES", now_ms: T0 })).toEqual(["INVALID_INTENT"]);
  });

  test("a non-object input is INVALID_INTENT", () => {
    k = freshKernel();
    for (const bad of [null, 42, "ENTER", [1, 2]]) expect(refusedWithoutChange(bad)).toEqual(["INVALID_INTENT"]);
  });

  test("a venue event with an unknown kind, NaN price or over-long id is refused", () => {
    k = freshKernel();
    enter(k);
    const id = entryId();
    for (const e of [
      { ...event("ACK", id, 0, 0), kind: "EXPLODED" },
      event("PARTIAL_FILL", id, 0.5, Number.NaN),
      event("PARTIAL_FILL", id, Number.POSITIVE_INFINITY, 100),
      { ...event("ACK", id, 0, 0), event_id: "e".repeat(65) },
      { ...event("ACK", id, 0, 0), event_id: "" },
    ]) {
      expect(refusedWithoutChange({ type: "VENUE_EVENT", slot_id: null, event: e, now_ms: T0 })).toEqual([
        "INVALID_INTENT",
      ]);
    }
  });

  test("a mark with a non-finite price is refused and unrealized PnL keeps its value", () => {
    k = freshKernel();
    openPosition(k);
    expect(refusedWithoutChange({ type: "MARK_PRICE", asset: "BTC-USDT", price: Number.NaN, now_ms: T0 })).toEqual([
      "INVALID_INTENT",
    ]);
  });

  test("an exit after destroy throws a clear error instead of touching freed memory", () => {
    k = freshKernel();
    k.destroy();
    expect(() => exit(k)).toThrow("ExecutionKernel used after destroy()");
    expect(() => k.slot(0)).toThrow("used after destroy");
  });
});
