/**
 * Live reconciliation of a working order that ended at the venue while the stream lost its event,
 * in the fast tier: a real kernel and executor over the mock venue.
 *
 * The venue's record of that order (looked up) says what it filled, at what price and for what
 * fee. Those fills happened: the kernel takes them as the event it missed, so the trade books its
 * realized PnL and fees at the order's own price (a RECONCILE to the venue's position alone would
 * end the order CANCELLED with nothing filled, and the trade's money would show only in a capital
 * re-seed, never in the trade or the account's totals).
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { executorOver, mockVenue } from "../_support/executor.ts";
import { T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(60); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

async function world() {
  const clock = new ManualClock(T0);
  const venue = await mockVenue(5, clock);
  const { kernel, executor, settle } = executorOver(venue, clock, kernels, { slots: 4 });
  const diags: DiagnosticRecord[] = [];
  const r = testReconciler({ kernel, executor, venue, clock }, diags);
  return { venue, kernel, executor, r, diags, settle };
}

function enter(slot: number, price: number | null): StrategyIntent {
  const trade = `L${slot}`;
  return {
    type: "ENTER",
    slot_id: slot,
    trade_id: trade,
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price,
    leverage: 3,
  };
}

test("an exit that filled at the venue with its fill lost is booked from the venue's order: PnL and fees count", async () => {
  const w = await world();
  w.executor.submitStrategy(enter(0, null));
  await w.settle();
  w.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: 67_000, reason: "TP" });
  await w.settle();
  expect(w.kernel.slot(0).exit_order?.status).toBe("ACKED");
  w.venue.setKnobs({ stream_drop: { after: 0 } });
  w.venue.setPrice("BTC-USDT", 67_100); // the limit exit fills at the venue; the kernel hears nothing
  await w.settle();
  expect(w.kernel.slot(0).stage).toBe("EXIT_WORKING");
  w.venue.clearKnobs();
  expect(await w.r.pass()).toEqual([0]);
  const slot = w.kernel.slot(0);
  expect(slot.stage).toBe("CLOSED");
  expect(slot.exit_order).toMatchObject({ status: "FILLED", filled_size: 0.01, avg_fill_price: 67_000, fee: 0.134 }); // a resting limit: maker
  const account = w.kernel.account();
  expect(account.realized_pnl_total).toBeCloseTo(20 - 0.325 - 0.134, 6); // 0.01 × (67 000 − 65 000), less fees
  expect(account.fees_paid).toBeCloseTo(0.325 + 0.134, 6);
  expect(account.capital).toBeCloseTo((await w.venue.balance()).balance, 6);
  expect(w.diags.map((d) => d.code)).toEqual(["VENUE_MISMATCH"]);
});

test("an entry that filled at the venue with its fill lost takes its own price and fee, not the shared position's", async () => {
  const w = await world();
  w.executor.submitStrategy(enter(1, null)); // slot 1 holds 0.01 at 65 000
  await w.settle();
  w.venue.setPrice("BTC-USDT", 67_000);
  w.executor.submitStrategy(enter(0, 66_000)); // slot 0's limit buy rests
  await w.settle();
  expect(w.kernel.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", size: 0 });
  w.venue.setKnobs({ stream_drop: { after: 0 } });
  w.venue.setPrice("BTC-USDT", 65_900); // it fills at the venue; the kernel hears nothing
  await w.settle();
  w.venue.clearKnobs();
  const [position] = await w.venue.positions();
  expect(position?.size).toBeCloseTo(0.02, 8);
  expect(await w.r.pass()).toEqual([0]);
  const order = await w.venue.queryOrder("BTC-USDT", "L0-E");
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, entry_price: order?.avg_price });
  expect(w.kernel.slot(0).entry_order).toMatchObject({ status: "FILLED", fee: order?.fee_cumulative });
  expect(w.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, entry_price: 65_000 });
});
