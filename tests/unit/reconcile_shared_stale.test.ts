/**
 * Recovery and live reconciliation where the venue position is shared or the slot is stale, in the
 * fast tier: a real kernel and executor over the mock venue.
 *
 * Shared position (hedge mode: one venue position per asset and side for every slot on it): a
 * resting, unfilled entry on one slot never takes the position another slot holds — at restart
 * and at every live pass — and the allocation serves confirmed sizes before entry fills.
 *
 * Stale slot: a slot left in STALE_STATE_RECONCILING (restored stale, or marked stale while
 * running) is a claimant of its position and is reconciled by the next pass; a failed order lookup
 * at restart leaves its slot to live reconciliation instead of failing the start.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import type { Belief } from "../../src/launcher/belief.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { allocatePositions } from "../../src/launcher/position_allocation.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";

const PRICE = 65_000;

interface Process {
  kernel: ExecutionKernel;
  executor: Executor;
}

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(5); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

function start(venue: VenueAdapter, clock: ManualClock, capital: number): Process {
  const kernel = freshKernel({ slots: 4, capital });
  kernels.push(kernel);
  return { kernel, executor: new Executor(kernel, venue, clock, { afterApply: () => {} }) };
}

async function settle(p: Process): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await p.executor.drain(1_000);
    await Bun.sleep(2);
  }
}

function enter(slot: number, trade: string, size: number, price: number | null): StrategyIntent {
  return { type: "ENTER", slot_id: slot, trade_id: trade, asset: "BTC-USDT", side: "LONG", size, price, leverage: 3 };
}

async function world() {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 11, clock, prices: { "BTC-USDT": PRICE }, balance: 10_000 });
  await venue.connect();
  return { clock, venue, first: start(venue, clock, 10_000) };
}

/** Slot 0: a resting limit buy of 0.02 that never fills; slot 1: a filled 0.01 on the same asset and side. */
async function sharedBook(first: Process): Promise<void> {
  first.executor.submitStrategy(enter(0, "S0", 0.02, 60_000));
  first.executor.submitStrategy(enter(1, "S1", 0.01, null));
  await settle(first);
  expect(first.kernel.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", size: 0 });
  expect(first.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
}

/** Slot 0 holds 0.01 with a resting take-profit sell at 80000 (never fills at 65000). */
async function restingExit(first: Process): Promise<void> {
  first.executor.submitStrategy(enter(0, "X0", 0.01, null));
  await settle(first);
  first.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: 80_000, reason: "TP" });
  await settle(first);
  expect(first.kernel.slot(0)).toMatchObject({ stage: "EXIT_WORKING", size: 0.01 });
}

function beliefOf(k: ExecutionKernel): Belief {
  return { source: "zinc", images: Array.from({ length: k.slotCount }, (_, i) => k.slotImage(i).slice()) };
}

async function restart(venue: VenueAdapter, clock: ManualClock, belief: Belief) {
  const second = start(venue, clock, 0);
  const lines: string[] = [];
  const deps = { ...second, venue, nowMs: () => clock.nowMs(), log: (l: string) => lines.push(l) };
  const report = await recover(deps, belief, true);
  return { second, report, lines };
}

function reconcilerOf(p: Process, venue: VenueAdapter, clock: ManualClock) {
  const diags: DiagnosticRecord[] = [];
  const r = new LiveReconciler({
    kernel: p.kernel,
    executor: p.executor,
    venue,
    clock,
    report: (d) => diags.push(d),
    log: () => {},
    sleep: async () => {},
  });
  return { r, diags };
}

test("allocation: confirmed sizes are served before a working entry's fill, which only takes what is left", () => {
  const position = { asset: "BTC-USDT", side: "LONG", avg_price: PRICE, unrealized_pnl: 0, leverage: 3 } as const;
  const entry = { slot_id: 0, asset: "BTC-USDT", side: "LONG", claim_size: 0 } as const;
  const held = { slot_id: 1, asset: "BTC-USDT", side: "LONG", claim_size: 0.01 } as const;
  const unfilled = allocatePositions([{ ...entry, entry_fill: 0 }, held], [{ ...position, size: 0.01 }]);
  expect(unfilled.assignments.map((a) => a.size)).toEqual([0, 0.01]);
  const filled = allocatePositions([{ ...entry, entry_fill: 0.005 }, held], [{ ...position, size: 0.02 }]);
  expect(filled.assignments.map((a) => a.size)).toEqual([0.005, 0.01]);
  expect(filled.orphans).toEqual([{ asset: "BTC-USDT", side: "LONG", size: 0.005, avg_price: PRICE }]);
});

test("restart with a resting entry and another slot's position on the same asset and side: both kept, no orphan", async () => {
  const { clock, venue, first } = await world();
  await sharedBook(first);
  const { second, report } = await restart(venue, clock, beliefOf(first.kernel));
  expect(report.orphans).toEqual([]);
  expect(report.reconciled).toEqual([
    { slot_id: 0, from: "ENTRY_WORKING", to: "ENTRY_WORKING", size_before: 0, size_after: 0 },
    { slot_id: 1, from: "POSITION_OPEN", to: "POSITION_OPEN", size_before: 0.01, size_after: 0.01 },
  ]);
  expect(second.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, trade_id: "S1" });
  expect(second.kernel.slot(0).entry_order?.client_order_id).toBe("S0-E");
  venue.setPrice("BTC-USDT", 59_000); // the resting buy fills after the restart and lands on slot 0
  await settle(second);
  expect(second.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.02 });
  expect(second.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
});

test("a live pass with a resting entry and another slot's position on the same asset and side changes nothing", async () => {
  const { clock, venue, first } = await world();
  await sharedBook(first);
  const { r, diags } = reconcilerOf(first, venue, clock);
  expect(await r.pass()).toEqual([]);
  expect(diags).toEqual([]);
  expect(first.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  expect(first.kernel.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", size: 0 });
});

test("a slot restored stale is reconciled at restart (no orphan) and its trade still settles exactly once", async () => {
  const { clock, venue, first } = await world();
  await restingExit(first);
  first.executor.applySystem({ type: "MARK_STALE", slot_id: 0, reason: "OPERATOR", now_ms: clock.nowMs() });
  expect(first.kernel.slot(0).stage).toBe("STALE_STATE_RECONCILING");
  const { second, report } = await restart(venue, clock, beliefOf(first.kernel));
  expect(report.orphans).toEqual([]);
  expect(report.reconciled).toEqual([
    { slot_id: 0, from: "STALE_STATE_RECONCILING", to: "EXIT_WORKING", size_before: 0.01, size_after: 0.01 },
  ]);
  venue.setPrice("BTC-USDT", 81_000); // the resting exit fills
  await settle(second);
  expect(second.kernel.slot(0).stage).toBe("CLOSED");
  expect(second.kernel.account().trade_seq).toBe(1);
  expect(second.kernel.account().capital).toBeCloseTo((await venue.balance()).balance, 9);
});

test("a failed order lookup at restart leaves that slot to live reconciliation: the start completes, the rest is reconciled", async () => {
  const { clock, venue, first } = await world();
  await sharedBook(first);
  const flaky: VenueAdapter = Object.create(venue, {
    queryOrder: {
      value: async () => {
        throw new Error("ECONNRESET");
      },
    },
  });
  const { second, report, lines } = await restart(flaky, clock, beliefOf(first.kernel));
  expect(report.refused).toEqual([{ slot_id: 0, message: expect.stringContaining("ECONNRESET") }]);
  expect(lines.some((l) => l.includes("slot 0") && l.includes("left to live reconciliation"))).toBe(true);
  expect(report.orphans).toEqual([]);
  expect(second.kernel.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", size: 0 }); // belief stands, not stale
  expect(second.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  expect(report.capital).not.toBeNull();
});

test("a stale slot is reconciled by the next live pass: no VENUE_MISMATCH, no ORPHAN_POSITION", async () => {
  const { clock, venue, first } = await world();
  await restingExit(first);
  first.executor.applySystem({ type: "MARK_STALE", slot_id: 0, reason: "OPERATOR", now_ms: clock.nowMs() });
  const { r, diags } = reconcilerOf(first, venue, clock);
  expect(await r.pass()).toEqual([0]);
  expect(first.kernel.slot(0)).toMatchObject({ stage: "EXIT_WORKING", size: 0.01 });
  expect(first.kernel.slot(0).exit_order?.status).toBe("ACKED");
  expect(diags.map((d) => d.code)).toEqual([]);
  expect(await r.pass()).toEqual([]); // converged: the next pass leaves it alone
});
