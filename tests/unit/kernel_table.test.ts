/**
 * Every row of the transition table in docs/architecture.md §3, proven through the FFI binding: one named
 * test per row, each checking the stage it lands in and the effect the row promises.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { codes, enter, event, exit, feed, freshKernel, openPosition, T0 } from "../_support/kernel.ts";

let k: ExecutionKernel;
afterEach(() => k?.destroy());

const entryId = () => k.slot(0).entry_order!.client_order_id;
const exitId = () => k.slot(0).exit_order!.client_order_id;

describe("transition table", () => {
  test("IDLE + ENTER moves to ENTRY_WORKING and creates the entry order", () => {
    k = freshKernel();
    const r = enter(k, 0, { trade: "T-1", size: 0.5 });
    expect(r.accepted).toBe(true);
    expect(r.transitions.map((t) => [t.from, t.to, t.trigger])).toEqual([["IDLE", "ENTRY_WORKING", "ENTER"]]);
    const o = k.slot(0).entry_order!;
    expect([o.client_order_id, o.status, o.intended_size, o.side]).toEqual(["T-1-E", "PENDING_SUBMIT", 0.5, "BUY"]);
  });

  test("CLOSED + ENTER starts a new trade in ENTRY_WORKING", () => {
    k = freshKernel();
    openPosition(k);
    exit(k);
    feed(k, event("FULL_FILL", exitId(), 1, 110));
    expect(k.slot(0).stage).toBe("CLOSED");
    const r = enter(k, 0, { trade: "T-2" });
    expect(r.transitions[0]).toMatchObject({ from: "CLOSED", to: "ENTRY_WORKING" });
    expect(k.slot(0).trade_id).toBe("T-2");
  });

  test("ENTRY_WORKING + ACK stays and records the venue order id", () => {
    k = freshKernel();
    enter(k);
    const r = feed(k, event("ACK", entryId(), 0, 0, { venue_order_id: "1234567890123456789" }));
    expect(r.transitions[0]).toMatchObject({ from: "ENTRY_WORKING", to: "ENTRY_WORKING", trigger: "ACK" });
    expect(k.slot(0).entry_order).toMatchObject({ venue_order_id: "1234567890123456789", status: "ACKED" });
  });

  test("ENTRY_WORKING + PARTIAL_FILL stays and grows size and average entry price", () => {
    k = freshKernel();
    enter(k, 0, { size: 1 });
    feed(k, event("PARTIAL_FILL", entryId(), 0.4, 100));
    feed(k, event("PARTIAL_FILL", entryId(), 0.6, 101));
    const s = k.slot(0);
    expect([s.stage, s.size, s.entry_price]).toEqual(["ENTRY_WORKING", 0.6, 101]);
  });

  test("ENTRY_WORKING + FULL_FILL opens the position", () => {
    k = freshKernel();
    enter(k, 0, { size: 2 });
    const r = feed(k, event("FULL_FILL", entryId(), 2, 100.5, { fee_cumulative: 0.1 }));
    expect(r.transitions[0]).toMatchObject({ from: "ENTRY_WORKING", to: "POSITION_OPEN", trigger: "FULL_FILL" });
    expect(k.slot(0)).toMatchObject({ size: 2, entry_price: 100.5, is_open: true, fees: 0.1 });
  });

  test("ENTRY_WORKING + REJECT returns to IDLE with VENUE_REJECTED", () => {
    k = freshKernel();
    enter(k);
    const r = feed(k, event("REJECT", entryId(), 0, 0, { reject_reason: "VENUE" }));
    expect(r.transitions[0]).toMatchObject({ from: "ENTRY_WORKING", to: "IDLE" });
    expect(codes(r)).toEqual(["VENUE_REJECTED"]);
  });

  test("ENTRY_WORKING + CANCEL_ACK with nothing filled returns to IDLE", () => {
    k = freshKernel();
    enter(k);
    k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 2 });
    const r = feed(k, event("CANCEL_ACK", entryId(), 0, 0));
    expect(r.transitions[0]).toMatchObject({ from: "ENTRY_WORKING", to: "IDLE", trigger: "CANCEL_ACK" });
  });

  test("ENTRY_WORKING + CANCEL_ACK after a partial fill keeps the partial position open", () => {
    k = freshKernel();
    enter(k, 0, { size: 1 });
    feed(k, event("PARTIAL_FILL", entryId(), 0.3, 100));
    const r = feed(k, event("CANCEL_ACK", entryId(), 0.3, 100));
    expect(r.transitions[0]).toMatchObject({ from: "ENTRY_WORKING", to: "POSITION_OPEN" });
    expect(k.slot(0).size).toBe(0.3);
  });

  test("ENTRY_WORKING + CANCEL_REJECT stays with CANCEL_REJECTED", () => {
    k = freshKernel();
    enter(k);
    const r = feed(k, event("CANCEL_REJECT", entryId(), 0, 0));
    expect(k.slot(0).stage).toBe("ENTRY_WORKING");
    expect(codes(r)).toEqual(["CANCEL_REJECTED"]);
  });

  test("POSITION_OPEN + EXIT within the position starts exit leg 1", () => {
    k = freshKernel();
    openPosition(k, 0, 1);
    const r = exit(k, 0, 0.4, "TP");
    expect(r.transitions[0]).toMatchObject({ from: "POSITION_OPEN", to: "EXIT_WORKING", trigger: "EXIT" });
    expect(k.slot(0)).toMatchObject({ leg: 1, exit_reason: "TP" });
    expect(k.slot(0).exit_order).toMatchObject({ client_order_id: "T0-X1", side: "SELL", intended_size: 0.4 });
  });

  test("POSITION_OPEN + MARK_PRICE moves unrealized PnL only", () => {
    k = freshKernel();
    openPosition(k, 0, 2, 100);
    const capital = k.account().capital;
    k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 103, now_ms: T0 + 50 });
    expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", mark_price: 103, unrealized_pnl: 6 });
    expect(k.account()).toMatchObject({ capital, unrealized_pnl: 6, equity: capital + 6 });
  });

  test("EXIT_WORKING + PARTIAL_FILL shrinks the position and grows realized PnL", () => {
    k = freshKernel();
    openPosition(k, 0, 1, 100);
    exit(k, 0, 1);
    const r = feed(k, event("PARTIAL_FILL", exitId(), 0.25, 120));
    expect(r.transitions[0]).toMatchObject({ from: "EXIT_WORKING", to: "EXIT_WORKING" });
    expect(k.slot(0)).toMatchObject({ size: 0.75, realized_pnl: 5 });
  });

  test("EXIT_WORKING + FULL_FILL with position left returns to POSITION_OPEN (multi-leg exit)", () => {
    k = freshKernel();
    openPosition(k, 0, 1, 100);
    exit(k, 0, 0.4);
    const r = feed(k, event("FULL_FILL", exitId(), 0.4, 110));
    expect(r.transitions[0]).toMatchObject({ from: "EXIT_WORKING", to: "POSITION_OPEN" });
    expect(k.slot(0)).toMatchObject({ size: 0.6, realized_pnl: 4 });
    exit(k, 0, 0.6);
    expect(k.slot(0).exit_order!.client_order_id).toBe("T0-X2");
  });

  test("EXIT_WORKING + FULL_FILL to zero closes and settles realized PnL minus fees exactly once", () => {
    k = freshKernel({ capital: 1000 });
    openPosition(k, 0, 1, 100);
    exit(k, 0, 1);
    const r = feed(k, event("FULL_FILL", exitId(), 1, 130, { fee_cumulative: 0.5 }));
    expect(r.transitions[0]).toMatchObject({ from: "EXIT_WORKING", to: "CLOSED" });
    expect(k.account()).toMatchObject({ capital: 1029.5, trade_seq: 1, fees_paid: 0.5 });
    feed(k, event("FULL_FILL", exitId(), 1, 130, { fee_cumulative: 0.5 }));
    expect(k.account()).toMatchObject({ capital: 1029.5, trade_seq: 1 });
  });

  test("EXIT_WORKING + CANCEL_ACK returns to POSITION_OPEN", () => {
    k = freshKernel();
    openPosition(k);
    exit(k, 0, 1);
    const r = feed(k, event("CANCEL_ACK", exitId(), 0, 0));
    expect(r.transitions[0]).toMatchObject({ from: "EXIT_WORKING", to: "POSITION_OPEN" });
  });

  test("EXIT_WORKING + CANCEL_REJECT stays, the order may still fill", () => {
    k = freshKernel();
    openPosition(k);
    exit(k, 0, 1);
    const r = feed(k, event("CANCEL_REJECT", exitId(), 0, 0));
    expect(codes(r)).toEqual(["CANCEL_REJECTED"]);
    feed(k, event("FULL_FILL", exitId(), 1, 100));
    expect(k.slot(0).stage).toBe("CLOSED");
  });

  test("EXIT_WORKING + REJECT returns to POSITION_OPEN with a diagnostic", () => {
    k = freshKernel();
    openPosition(k);
    exit(k, 0, 1);
    const r = feed(k, event("REJECT", exitId(), 0, 0, { reject_reason: "VENUE" }));
    expect(r.transitions[0]).toMatchObject({ from: "EXIT_WORKING", to: "POSITION_OPEN" });
    expect(codes(r)).toEqual(["VENUE_REJECTED"]);
  });

  test("POSITION_OPEN + a late fill of its ended exit order books it as the exit's: POSITION_OPEN with position left, CLOSED and settled once at 0", () => {
    k = freshKernel({ capital: 1000 });
    openPosition(k, 0, 1, 100);
    exit(k, 0, 1);
    feed(k, event("REJECT", exitId(), 0, 0, { reject_reason: "VENUE" })); // ended: it may still fill late
    const part = feed(k, event("PARTIAL_FILL", exitId(), 0.4, 110));
    expect(part.transitions[0]).toMatchObject({ from: "POSITION_OPEN", to: "POSITION_OPEN", trigger: "PARTIAL_FILL" });
    expect(k.slot(0)).toMatchObject({ size: 0.6, realized_pnl: 4 });
    const full = feed(k, event("FULL_FILL", exitId(), 1, 110));
    expect(full.transitions[0]).toMatchObject({ from: "POSITION_OPEN", to: "CLOSED", trigger: "FULL_FILL" });
    expect(codes(full)).toEqual([]);
    expect(k.account()).toMatchObject({ capital: 1010, trade_seq: 1 });
  });

  test("a working or open slot marked stale (restart, divergence) moves to STALE_STATE_RECONCILING", () => {
    k = freshKernel();
    openPosition(k);
    const r = k.apply({ type: "MARK_STALE", slot_id: 0, reason: "RESTART", now_ms: T0 + 5 });
    expect(r.transitions[0]).toMatchObject({
      from: "POSITION_OPEN",
      to: "STALE_STATE_RECONCILING",
      trigger: "MARK_STALE",
    });
    expect(k.slot(0).stale_reason).toBe("RESTART");
  });

  test("STALE_STATE_RECONCILING + RECONCILE derives the stage from the venue truth", () => {
    k = freshKernel();
    openPosition(k, 0, 1, 100);
    k.apply({ type: "MARK_STALE", slot_id: 0, reason: "DIVERGENCE", now_ms: T0 + 5 });
    const r = k.apply({
      type: "RECONCILE",
      slot_id: 0,
      truth: { side: "LONG", size: 0.7, avg_price: 100, open_order: null },
      now_ms: T0 + 6,
    });
    expect(r.transitions[0]).toMatchObject({
      from: "STALE_STATE_RECONCILING",
      to: "POSITION_OPEN",
      trigger: "RECONCILE",
    });
    expect(k.slot(0).size).toBe(0.7);
    expect(codes(r)).toContain("RECONCILED");
  });

  test("RECONCILE with an open exit order at the venue derives EXIT_WORKING", () => {
    k = freshKernel();
    openPosition(k, 0, 1, 100);
    k.apply({ type: "MARK_STALE", slot_id: 0, reason: "RESTART", now_ms: T0 + 5 });
    const truth = {
      side: "LONG" as const,
      size: 1,
      avg_price: 100,
      open_order: {
        role: "EXIT" as const,
        venue_order_id: "77",
        client_order_id: "T0-X1",
        size: 1,
        filled_size: 0,
        avg_price: 0,
      },
    };
    expect(k.apply({ type: "RECONCILE", slot_id: 0, truth: truth, now_ms: T0 + 6 }).transitions[0]?.to).toBe(
      "EXIT_WORKING",
    );
  });

  test("RECONCILE of a flat venue with no order derives IDLE", () => {
    k = freshKernel();
    openPosition(k);
    k.apply({ type: "MARK_STALE", slot_id: 0, reason: "OPERATOR", now_ms: T0 + 5 });
    expect(
      k.apply({
        type: "RECONCILE",
        slot_id: 0,
        truth: { side: null, size: 0, avg_price: 0, open_order: null },
        now_ms: T0 + 6,
      }).transitions[0]?.to,
    ).toBe("IDLE");
  });

  test("CANCEL of the working entry order records the request and keeps the stage", () => {
    k = freshKernel();
    enter(k);
    const r = k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 2 });
    expect(r.accepted).toBe(true);
    expect(k.slot(0).entry_order!.status).toBe("CANCEL_REQUESTED");
    expect(k.slot(0).stage).toBe("ENTRY_WORKING");
  });

  test("an overfill moves the slot to STALE_STATE_RECONCILING with OVERFILL", () => {
    k = freshKernel();
    enter(k, 0, { size: 1 });
    const r = feed(k, event("PARTIAL_FILL", entryId(), 1.5, 100));
    expect(codes(r)).toEqual(["OVERFILL"]);
    expect(k.slot(0)).toMatchObject({ stage: "STALE_STATE_RECONCILING", stale_reason: "OVERFILL" });
  });

  test("an event for a foreign order addressed to a slot moves it to STALE_STATE_RECONCILING", () => {
    k = freshKernel();
    enter(k);
    const r = feed(k, event("FULL_FILL", "SOMEONE-ELSE", 1, 100), T0 + 10, 0);
    expect(codes(r)).toEqual(["UNKNOWN_ORDER"]);
    expect(k.slot(0)).toMatchObject({ stage: "STALE_STATE_RECONCILING", stale_reason: "FOREIGN_ORDER" });
  });

  test("the kernel exports its table and every docs/architecture.md row is in it", () => {
    k = freshKernel();
    const table = k.fsmTable();
    for (const row of [
      "IDLE ENTER",
      "CLOSED ENTER",
      "ENTRY_WORKING ACK",
      "ENTRY_WORKING PARTIAL_FILL",
      "ENTRY_WORKING FULL_FILL",
      "ENTRY_WORKING REJECT",
      "ENTRY_WORKING CANCEL_ACK",
      "ENTRY_WORKING CANCEL_REJECT",
      "POSITION_OPEN EXIT",
      "POSITION_OPEN MARK_PRICE",
      "EXIT_WORKING PARTIAL_FILL",
      "EXIT_WORKING FULL_FILL",
      "EXIT_WORKING CANCEL_ACK",
      "EXIT_WORKING CANCEL_REJECT",
      "EXIT_WORKING REJECT",
      "STALE_STATE_RECONCILING RECONCILE",
    ]) {
      expect(table).toContain(row);
    }
  });
});
