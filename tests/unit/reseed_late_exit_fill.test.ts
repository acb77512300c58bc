/**
 * Live reconciliation's capital re-seed and a late fill of a slot's ended exit order, in the fast tier: a real kernel
 * (which books such a fill as the exit's, kernel/README.md decision 38) and `CapitalReseed` over a scripted venue.
 *
 * The case: slot 0 holds 1 LONG at 100; its exit (a limit SELL of 1 at 120) was taken as ended on the venue's "no
 * such order" and ended by a RECONCILE (POSITION_OPEN, the exit CANCELLED, nothing filled). It lands late and rests
 * at the venue, 0.4 filled at 120 (+8 in the wallet), its events still on their way. A re-seed from the wallet made
 * now counts those +8, and so does the kernel when the exit's event lands and is booked: twice.
 *
 * What it states: while the venue lists that ended exit open with a cumulative fill the kernel has not booked, the
 * re-seed waits (`slotsFillPending`); once the kernel booked it, the re-seed is made, and when the trade closes capital
 * is the wallet. Before the fix the re-seed was made at once (only working orders counted) and capital ended 8 above
 * the wallet.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { KernelInput } from "../../src/contracts/intents.ts";
import type { VenueOrderState } from "../../src/contracts/venue.ts";
import { CapitalReseed } from "../../src/launcher/_capital_reseed.ts";
import { event, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 10_000 });

test("a re-seed waits while a slot's ended exit rests at the venue with a fill the kernel has not booked yet: that fill counts once, and the closed trade ends at the wallet", async () => {
  const k = kernel();
  const clock = new ManualClock(T0 + 1_000);
  openPosition(k, 0, 1, 100); // 1 LONG at 100, no fee
  const exit = { type: "EXIT", slot_id: 0, size: 1, price: 120, reason: "TP", now_ms: T0 + 20 } as const;
  expect(k.apply(exit).accepted).toBe(true);
  feed(k, event("ACK", "T0-X1", 0, 0), T0 + 21);
  // The hung-order query took it as ended (ABSENT_STALE); the RECONCILE's open orders did not list it.
  expect(k.apply({ type: "MARK_STALE", slot_id: 0, reason: "DIVERGENCE", now_ms: T0 + 30 }).accepted).toBe(true);
  const truth = { side: "LONG", size: 1, avg_price: 100, open_order: null } as const;
  expect(k.apply({ type: "RECONCILE", slot_id: 0, truth, now_ms: T0 + 31 }).accepted).toBe(true);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1, exit_order: { status: "CANCELLED" } });

  // It landed late: 0.4 filled at 120 at the venue (+8 in the wallet), its events not heard yet.
  let wallet = 10_008;
  const landed: VenueOrderState = {
    venue_order_id: "91612345678901234567",
    client_order_id: "T0-X1",
    asset: "BTC-USDT",
    side: "SELL",
    position_side: "LONG",
    type: "LIMIT",
    status: "PARTIALLY_FILLED",
    size: 1,
    filled_size_cumulative: 0.4,
    avg_price: 120,
    fee_cumulative: 0,
    updated_ms: T0 + 40,
  };
  const lines: string[] = [];
  const reseed = new CapitalReseed({
    kernel: { slots: () => k.slots() },
    executor: { applySystem: (i: KernelInput) => k.apply(i) },
    venue: {
      balance: async () => ({ asset: "USDT", balance: wallet, equity: wallet, available_margin: wallet }),
      openOrders: async () => [landed],
    },
    clock,
    log: (l) => lines.push(l),
    sleep: () => new Promise(() => {}), // its own retries never run: the test drives each attempt
    read: (_what, call) => call(),
    stopped: () => false,
    failed: () => {},
  });
  reseed.due();
  await reseed.attempt();
  expect(lines).toContain("live reconcile: capital re-seed waits: slots [0] may have a fill on its way");
  expect(reseed.pending).toBe(true);

  // The exit's fill reaches the kernel: booked as the exit's (decision 38), the trade still open.
  feed(k, event("PARTIAL_FILL", "T0-X1", 0.4, 120), T0 + 50);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.6, realized_pnl: 8 });
  await reseed.attempt();
  expect(reseed.pending).toBe(false);

  // The rest closes at the market at 120 (+12): capital is the wallet, each fill counted once.
  expect(k.apply({ type: "EXIT", slot_id: 0, size: 0.6, price: null, reason: "TP", now_ms: T0 + 60 }).accepted).toBe(
    true,
  );
  feed(k, event("FULL_FILL", "T0-X2", 0.6, 120), T0 + 61);
  wallet += 12;
  expect(k.slot(0).stage).toBe("CLOSED");
  expect(k.account().capital).toBeCloseTo(wallet, 6);
});
