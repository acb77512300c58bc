/**
 * `CapitalReseed.followOutcome` and `lateExitFillBooked` in the fast tier: a real kernel (which books a late fill of a
 * slot's ended exit order as the exit's, kernel/README.md decision 38) and the re-seed over a scripted venue.
 *
 * The case: slot 0 holds 1 LONG at 100; its exit (a limit SELL of 1 at 120) was taken as ended on the venue's "no such
 * order" and ended by a RECONCILE (POSITION_OPEN, the exit CANCELLED, nothing filled). It filled at the venue before
 * the re-seed that RECONCILE asked for read the wallet (+20 in it), its event still on its way: the venue no longer
 * lists it, the kernel works no order, so the re-seed had nothing to wait for and counted those +20. When the event
 * lands the kernel books it (CLOSED, settled once): +20 again. What it states: that booking makes the re-seed due
 * again and capital ends at the wallet; a mark, an ordinary exit fill or an OVERFILL does not; nothing after shutdown.
 * Before the fix capital stayed 20 above the wallet (and `followOutcome` did not exist).
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { KernelInput } from "../../src/contracts/intents.ts";
import type { TransitionRecord } from "../../src/contracts/records.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { CapitalReseed, lateExitFillBooked } from "../../src/launcher/_capital_reseed.ts";
import { event, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 10_000 });

/** A re-seed over a venue whose wallet is `wallet()` and that lists no open order; `reads` counts balance reads. */
function reseedOver(k: ExecutionKernel, wallet: () => number, stopped = () => false) {
  const lines: string[] = [];
  const counts = { reads: 0 };
  const reseed = new CapitalReseed({
    kernel: { slots: () => k.slots() },
    executor: { applySystem: (i: KernelInput) => k.apply(i) },
    venue: {
      balance: async () => {
        counts.reads++;
        return { asset: "USDT", balance: wallet(), equity: wallet(), available_margin: wallet() };
      },
      openOrders: async () => [],
    },
    clock: new ManualClock(T0 + 1_000),
    log: (l) => lines.push(l),
    sleep: () => new Promise(() => {}), // its own retries never run: the test drives each attempt
    read: (_what, call) => call(),
    stopped,
    failed: () => {},
  });
  return { reseed, lines, counts };
}

/** Slot 0 holds 1 LONG at 100, its exit T0-X1 (1 at 120) acknowledged, then ended by a RECONCILE: POSITION_OPEN. */
function exitEndedByReconcile(k: ExecutionKernel): void {
  openPosition(k, 0, 1, 100);
  const exit = { type: "EXIT", slot_id: 0, size: 1, price: 120, reason: "TP", now_ms: T0 + 20 } as const;
  expect(k.apply(exit).accepted).toBe(true);
  feed(k, event("ACK", "T0-X1", 0, 0), T0 + 21);
  expect(k.apply({ type: "MARK_STALE", slot_id: 0, reason: "DIVERGENCE", now_ms: T0 + 30 }).accepted).toBe(true);
  const truth = { side: "LONG", size: 1, avg_price: 100, open_order: null } as const;
  expect(k.apply({ type: "RECONCILE", slot_id: 0, truth, now_ms: T0 + 31 }).accepted).toBe(true);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1, exit_order: { status: "CANCELLED" } });
}

/** Flushes the promise jobs an attempt started (the scripted reads answer at once). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a late exit fill the kernel books after a re-seed already read it in the wallet makes the re-seed due again: capital ends at the wallet, the exit's PnL counted once", async () => {
  const k = kernel();
  exitEndedByReconcile(k);
  const wallet = 10_020; // the exit filled at 120 at the venue: +20
  const { reseed } = reseedOver(k, () => wallet);
  reseed.due();
  await reseed.attempt();
  expect(reseed.pending).toBe(false);
  expect(k.account().capital).toBeCloseTo(wallet, 6); // no fee, nothing realized: the wallet

  const mark = k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 121, now_ms: T0 + 40 });
  reseed.followOutcome(mark); // a mark books nothing
  expect(reseed.pending).toBe(false);

  const booked = feed(k, event("FULL_FILL", "T0-X1", 1, 120), T0 + 50); // its event lands: decision 38
  expect(k.slot(0)).toMatchObject({ stage: "CLOSED", realized_pnl: 20 });
  expect(k.account().capital).toBeCloseTo(wallet + 20, 6); // counted twice until capital follows the wallet again
  reseed.followOutcome(booked);
  await settle();
  expect(reseed.pending).toBe(false);
  expect(k.account().capital).toBeCloseTo(wallet, 6);
});

test("once shutdown began, a late exit fill the kernel books makes no re-seed: nothing read, nothing applied", async () => {
  const k = kernel();
  exitEndedByReconcile(k);
  const { reseed, counts } = reseedOver(
    k,
    () => 10_020,
    () => true,
  );
  const booked = feed(k, event("FULL_FILL", "T0-X1", 1, 120), T0 + 50);
  expect(k.slot(0).stage).toBe("CLOSED");
  reseed.followOutcome(booked);
  await settle();
  expect(reseed.pending).toBe(false);
  expect(counts.reads).toBe(0);
});

test("only a fill event moving a POSITION_OPEN slot to POSITION_OPEN or CLOSED is a late exit fill booked: not a mark, an exit's ordinary fill, an entry's fill or an OVERFILL", () => {
  const t = (from: string, to: string, trigger: string) => ({ from, to, trigger }) as TransitionRecord;
  expect(lateExitFillBooked(t("POSITION_OPEN", "CLOSED", "FULL_FILL"))).toBe(true);
  expect(lateExitFillBooked(t("POSITION_OPEN", "CLOSED", "PARTIAL_FILL"))).toBe(true);
  expect(lateExitFillBooked(t("POSITION_OPEN", "POSITION_OPEN", "PARTIAL_FILL"))).toBe(true);
  expect(lateExitFillBooked(t("POSITION_OPEN", "POSITION_OPEN", "CANCEL_ACK"))).toBe(true);
  expect(lateExitFillBooked(t("POSITION_OPEN", "POSITION_OPEN", "MARK_PRICE"))).toBe(false);
  expect(lateExitFillBooked(t("POSITION_OPEN", "STALE_STATE_RECONCILING", "PARTIAL_FILL"))).toBe(false);
  expect(lateExitFillBooked(t("EXIT_WORKING", "CLOSED", "FULL_FILL"))).toBe(false);
  expect(lateExitFillBooked(t("EXIT_WORKING", "POSITION_OPEN", "FULL_FILL"))).toBe(false);
  expect(lateExitFillBooked(t("ENTRY_WORKING", "POSITION_OPEN", "FULL_FILL"))).toBe(false);
});

test("the kernel's own transitions agree: its decision-38 booking is a late exit fill booked, an OVERFILL of the same exit is not", () => {
  const k = kernel();
  exitEndedByReconcile(k);
  const partial = feed(k, event("PARTIAL_FILL", "T0-X1", 0.4, 120), T0 + 50);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.6 });
  expect(partial.transitions.some(lateExitFillBooked)).toBe(true);
  const over = feed(k, event("PARTIAL_FILL", "T0-X1", 1.5, 120), T0 + 60); // past the order's size: an OVERFILL
  expect(over.diagnostics.map((d) => d.code)).toContain("OVERFILL");
  expect(k.slot(0).stage).toBe("STALE_STATE_RECONCILING");
  expect(over.transitions.some(lateExitFillBooked)).toBe(false);
});
