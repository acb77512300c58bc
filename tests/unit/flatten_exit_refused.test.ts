/**
 * Flatten when the venue does not take the exit it places, in the fast tier: a real kernel,
 * executor, live reconciler and flattener over the mock venue.
 *
 * The flatten's market exit can be refused for the rate limit (retried after a pause; while a hint
 * longer than the adapter's throttle waits runs, not placed at all: it could only be refused, and
 * each refused exit spends one of the trade's exit legs), refused
 * because the venue's position is already smaller than the kernel's (the kernel's size is what is
 * wrong: only the venue's truth lets the flatten go on), left UNKNOWN by a 5xx (the order may or may
 * not exist: it is looked up, never sent twice blind), or executed with its events lost. In each the
 * flatten must end flat at the venue within its bound, and never close more than the position.
 */

import { afterEach, expect, test } from "bun:test";
import { type Clock, ManualClock } from "../../src/contracts/clock.ts";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { Flattener } from "../../src/launcher/flatten.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(20); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

async function world(clock: Clock = new SystemClock()) {
  const venue = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": 65_000 }, balance: 10_000 });
  await venue.connect();
  const kernel = freshKernel({ slots: 2, capital: 10_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  const lines: string[] = [];
  const ops = { kernel, executor, venue, clock, log: (l: string) => void lines.push(l), sleep: Bun.sleep };
  const reconciler = new LiveReconciler({ ...ops, report: () => {} });
  const flattener = new Flattener({ ...ops, halt: () => {}, reconcileNow: () => reconciler.pass() });
  return { venue, kernel, executor, flattener, lines };
}

type World = Awaited<ReturnType<typeof world>>;

async function settle(w: World): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await w.executor.drain(1_000);
    await Bun.sleep(2);
  }
}

/** Slot 0: a long of 0.01 BTC-USDT, open in the kernel and at the venue. */
async function openLong(w: World): Promise<void> {
  w.executor.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "X0",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: null,
    leverage: 3,
  });
  await settle(w);
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
}

/** The venue's positions and every order it ever took (no SHORT may appear: a flip). */
async function expectFlatAtVenue(w: World): Promise<void> {
  await settle(w);
  expect(await w.venue.positions()).toEqual([]);
  expect(await w.venue.openOrders()).toEqual([]);
}

test("flatten whose exit the venue rate limits (100410) twice: retried after a pause, complete", async () => {
  const w = await world();
  await openLong(w);
  w.venue.setKnobs({ rate_limit: { count: 2 } });
  const report = await w.flattener.run({ timeout_ms: 6_000 } as FlattenRequest);
  expect(report.complete).toBe(true);
  expect(report.attempts.after_refusal).toBe(2);
  expect(w.kernel.slot(0).stage).toBe("CLOSED");
  await expectFlatAtVenue(w);
}, 15_000);

/**
 * A long on a world whose time is a ManualClock, the venue's next placement refused 100410 with a
 * retry hint of `hintMs`, and a flatten of it run with that clock moving 250 ms every 5 ms of real
 * time (about 50 s of the flatten's time per real second).
 */
async function flattenThroughHint(hintMs: number, timeout_ms: number) {
  const clock = new ManualClock(1_800_000_000_000);
  const w = await world(clock);
  await openLong(w);
  w.venue.setKnobs({ rate_limit: { count: 1, retry_after_ms: hintMs } });
  const ticker = setInterval(() => clock.advance(250), 5);
  try {
    return { w, report: await w.flattener.run({ timeout_ms } as FlattenRequest) };
  } finally {
    clearInterval(ticker);
  }
}

test("flatten through a venue rate-limit hint of 20 s: no exit is placed while it holds, so the trade spends two exit legs, not one per retry", async () => {
  const { w, report } = await flattenThroughHint(20_000, 60_000);
  expect(report.complete).toBe(true);
  expect(w.kernel.slot(0)).toMatchObject({ stage: "CLOSED", leg: 2 });
  await expectFlatAtVenue(w);
}, 15_000);

test("flatten whose bound passes while the venue's rate limit holds orders: STILL_OPEN says no exit was placed and for how long", async () => {
  const { w, report } = await flattenThroughHint(600_000, 30_000);
  expect(report.complete).toBe(false);
  const slot = report.slots.find((s) => s.slot_id === 0)!;
  expect(slot.result).toBe("STILL_OPEN");
  expect(slot.detail).toMatch(
    /^position 0\.01 open; no exit placed: the venue's rate limit holds orders \d+ ms more; last exit: EXIT MARKET \S+ REJECTED/,
  );
  expect(w.kernel.slot(0).leg).toBe(1);
}, 15_000);

test("flatten whose exit placement ends UNKNOWN (a 5xx before execution): the exit is looked up and placed again, complete within the bound", async () => {
  const w = await world();
  await openLong(w);
  w.venue.setKnobs({ http_5xx: { count: 1 } });
  const report = await w.flattener.run({ timeout_ms: 4_000 } as FlattenRequest);
  expect(report.slots.find((s) => s.slot_id === 0)?.result).toBe("CLOSED");
  expect(report.complete).toBe(true);
  await expectFlatAtVenue(w);
}, 15_000);

test("flatten whose exit fills at the venue with its events lost: the exit is looked up, the slot closes, complete", async () => {
  const w = await world();
  await openLong(w);
  w.venue.setKnobs({ stream_drop: { after: 0 } });
  const report = await w.flattener.run({ timeout_ms: 4_000 } as FlattenRequest);
  expect(report.slots.find((s) => s.slot_id === 0)?.result).toBe("CLOSED");
  expect(report.complete).toBe(true);
  await expectFlatAtVenue(w);
}, 15_000);

test("flatten whose exit is refused because the venue's position is already smaller (101400): the venue's truth is taken, the rest exited, never flipped", async () => {
  const w = await world();
  await openLong(w);
  w.venue.setKnobs({ stream_drop: { after: 0 } }); // a partial close by hand, unseen by the kernel
  const byHand = { asset: "BTC-USDT", side: "SELL", position_side: "LONG", type: "MARKET", reduce_only: true } as const;
  await w.venue.submit({ ...byHand, client_order_id: "by-hand-close", size: 0.004 });
  await settle(w);
  w.venue.clearKnobs();
  expect(await w.venue.positions()).toMatchObject([{ side: "LONG", size: 0.006 }]);
  expect(w.kernel.slot(0).size).toBe(0.01);
  const report = await w.flattener.run({ timeout_ms: 6_000 } as FlattenRequest);
  expect(report.venue.positions).toEqual([]);
  expect(report.complete).toBe(true);
  await expectFlatAtVenue(w);
}, 15_000);

test("flatten whose market exit is still working at the bound: answered INCOMPLETE naming the exit and what it filled, the exit left working at the venue", async () => {
  const w = await world();
  await openLong(w);
  w.venue.setKnobs({ hung: true }); // the venue takes the exit and never executes it
  const report = await w.flattener.run({ timeout_ms: 1_500 } as FlattenRequest);
  const slot = report.slots.find((s) => s.slot_id === 0);
  expect(slot).toMatchObject({ result: "STILL_OPEN", after: "EXIT_WORKING" });
  expect(slot?.detail).toMatch(/EXIT MARKET X0-X\d* \w+, 0 of 0\.01 filled/);
  expect(report.complete).toBe(false);
  expect(report.venue.positions).toMatchObject([{ side: "LONG", size: 0.01 }]);
  expect(report.venue.open_orders.map((o) => o.client_order_id)).toEqual([
    w.kernel.slot(0).exit_order!.client_order_id,
  ]);
}, 15_000);
