/**
 * Start-up recovery (src/launcher/recovery.ts) in the fast tier: a real kernel and executor over
 * the mock venue, no service. A first process trades; its slot images are the belief a second
 * process adopts; the venue's positions and orders are the truth it reconciles to. Covered: a
 * position held through the restart, one that shrank or closed while the process was down, a
 * resting entry order, a venue position no slot owns (orphan), the read-only mode without
 * reconcile, a rate-limited venue read waited out, and capital: a recovered trade still settles
 * into the account exactly once.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import type { Belief } from "../../src/launcher/belief.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { type RecoveryReport, recover } from "../../src/launcher/recovery.ts";
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

function start(venue: VenueAdapter, clock: ManualClock, capital: number | null): Process {
  const kernel = freshKernel({ slots: 4, capital: capital ?? 0 });
  kernels.push(kernel);
  return { kernel, executor: new Executor(kernel, venue, clock, { afterApply: () => {} }) };
}

async function settle(p: Process): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await p.executor.drain(1_000);
    await Bun.sleep(2);
  }
}

function enterIntent(slot: number, trade: string, size: number, price: number | null = null): StrategyIntent {
  return { type: "ENTER", slot_id: slot, trade_id: trade, asset: "BTC-USDT", side: "LONG", size, price, leverage: 3 };
}

async function world() {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 11, clock, prices: { "BTC-USDT": PRICE }, balance: 10_000 });
  await venue.connect();
  const first = start(venue, clock, 10_000);
  return { clock, venue, first };
}

function beliefOf(k: ExecutionKernel): Belief {
  return { source: "zinc", images: Array.from({ length: k.slotCount }, (_, i) => k.slotImage(i).slice()) };
}

async function restart(venue: VenueAdapter, clock: ManualClock, belief: Belief, reconcile = true) {
  const second = start(venue, clock, null);
  const lines: string[] = [];
  const report: RecoveryReport = await recover(
    { kernel: second.kernel, executor: second.executor, venue, nowMs: () => clock.nowMs(), log: (l) => lines.push(l) },
    belief,
    reconcile,
  );
  return { second, report, lines };
}

test("a position held through a restart is restored, reconciled to POSITION_OPEN and its capital re-seeded from the wallet", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(0, "R1", 0.01));
  await settle(first);
  expect(first.kernel.slot(0).stage).toBe("POSITION_OPEN");
  venue.setPrice("BTC-USDT", PRICE + 500); // an open position in profit: equity ≠ wallet
  const { second, report } = await restart(venue, clock, beliefOf(first.kernel));
  expect(report.restored).toEqual([0]);
  expect(report.reconciled).toEqual([
    { slot_id: 0, from: "POSITION_OPEN", to: "POSITION_OPEN", size_before: 0.01, size_after: 0.01 },
  ]);
  expect(report.orphans).toEqual([]);
  const wallet = (await venue.balance()).balance;
  expect((await venue.balance()).equity).toBeGreaterThan(wallet + 1); // seeding from equity would be wrong
  // The entry fee is already out of the wallet; the kernel adds it back until the trade settles.
  expect(report.capital).toBeCloseTo(wallet + first.kernel.slot(0).fees, 9);
  expect(second.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, trade_id: "R1" });
});

test("a recovered trade settles exactly once: after its exit, kernel capital equals the venue wallet", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(0, "R2", 0.01));
  await settle(first);
  const { second } = await restart(venue, clock, beliefOf(first.kernel));
  second.executor.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "MANUAL" });
  await settle(second);
  expect(second.kernel.slot(0).stage).toBe("CLOSED");
  expect(second.kernel.account().trade_seq).toBe(1);
  expect(second.kernel.account().capital).toBeCloseTo((await venue.balance()).balance, 9);
});

test("a position that shrank while the process was down reconciles to the venue's size", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(0, "R3", 0.02));
  await settle(first);
  const belief = beliefOf(first.kernel);
  // While "down", someone closes half at the venue.
  await venue.submit({
    client_order_id: "manual-1",
    asset: "BTC-USDT",
    side: "SELL",
    position_side: "LONG",
    type: "MARKET",
    size: 0.01,
    reduce_only: true,
  });
  await Bun.sleep(2);
  const { second, report } = await restart(venue, clock, belief);
  expect(report.reconciled[0]).toMatchObject({ size_before: 0.02, size_after: 0.01, to: "POSITION_OPEN" });
  expect(second.kernel.slot(0).size).toBe(0.01);
});

test("a position closed at the venue while the process was down reconciles the slot to IDLE", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(1, "R4", 0.01));
  await settle(first);
  const belief = beliefOf(first.kernel);
  const close = { asset: "BTC-USDT", side: "SELL", position_side: "LONG", type: "MARKET", reduce_only: true } as const;
  await venue.submit({ ...close, client_order_id: "manual-2", size: 0.01 });
  await Bun.sleep(2);
  const { second, report } = await restart(venue, clock, belief);
  expect(report.reconciled).toEqual([
    { slot_id: 1, from: "POSITION_OPEN", to: "IDLE", size_before: 0.01, size_after: 0 },
  ]);
  expect(second.kernel.slot(1).stage).toBe("IDLE");
});

test("a resting entry order at restart is adopted: the slot is ENTRY_WORKING on that order and its later fill lands", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(2, "R5", 0.01, 60_000));
  await settle(first);
  expect(first.kernel.slot(2).stage).toBe("ENTRY_WORKING");
  const { second, report } = await restart(venue, clock, beliefOf(first.kernel));
  expect(report.reconciled[0]).toMatchObject({ slot_id: 2, to: "ENTRY_WORKING" });
  expect(second.kernel.slot(2).entry_order?.client_order_id).toBe("R5-E");
  venue.setPrice("BTC-USDT", 59_000); // crosses the resting buy at 60000
  await settle(second);
  expect(second.kernel.slot(2)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, entry_price: 60_000 });
});

test("a venue position no slot owns is an orphan in the report, also without reconcile, and is never adopted", async () => {
  const { clock, venue, first } = await world();
  await venue.submit({
    client_order_id: "foreign-1",
    asset: "BTC-USDT",
    side: "SELL",
    position_side: "SHORT",
    type: "MARKET",
    size: 0.003,
    reduce_only: false,
  });
  await Bun.sleep(2);
  for (const reconcile of [true, false]) {
    const { second, report } = await restart(venue, clock, beliefOf(first.kernel), reconcile);
    expect(report.orphans).toEqual([{ asset: "BTC-USDT", side: "SHORT", size: 0.003, avg_price: PRICE }]);
    expect(second.kernel.slots().every((s) => s.stage === "IDLE")).toBe(true);
  }
});

test("without reconcile the belief stands as restored (no MARK_STALE, no RECONCILE), sizes untouched", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(0, "R6", 0.02));
  await settle(first);
  const belief = beliefOf(first.kernel);
  const close = { asset: "BTC-USDT", side: "SELL", position_side: "LONG", type: "MARKET", reduce_only: true } as const;
  await venue.submit({ ...close, client_order_id: "manual-3", size: 0.01 });
  await Bun.sleep(2);
  const { second, report } = await restart(venue, clock, belief, false);
  expect(report.restored).toEqual([0]);
  expect(report.reconciled).toEqual([]);
  expect(second.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.02 });
});

test("a rate-limited positions read at restart is waited out (one log line) and recovery completes", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(0, "R7", 0.01));
  await settle(first);
  let refusals = 1;
  const limited: VenueAdapter = Object.create(venue, {
    positions: {
      value: async (asset?: string) => {
        if (refusals-- > 0) throw Object.assign(new Error("rate limited"), { rate_limited: true, retry_after_ms: 5 });
        return venue.positions(asset);
      },
    },
  });
  const { report, lines } = await restart(limited, clock, beliefOf(first.kernel));
  expect(report.reconciled).toHaveLength(1);
  expect(lines.filter((l) => l.includes("rate limited"))).toHaveLength(1);
  expect(lines[0]).toContain("hint 5 ms");
});

test("an image the kernel refuses is reported as refused with the kernel's message; the others are restored", async () => {
  const { clock, venue, first } = await world();
  first.executor.submitStrategy(enterIntent(0, "R8", 0.01));
  first.executor.submitStrategy(enterIntent(1, "R9", 0.01));
  await settle(first);
  const belief = beliefOf(first.kernel);
  belief.images[1]![4] = 99; // stage byte out of range
  const { report } = await restart(venue, clock, belief);
  expect(report.restored).toEqual([0]);
  expect(report.refused).toHaveLength(1);
  expect(report.refused[0]!.slot_id).toBe(1);
  expect(report.refused[0]!.message.length).toBeGreaterThan(0);
});
