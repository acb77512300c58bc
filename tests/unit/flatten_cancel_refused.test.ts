/**
 * Flatten when the kernel's working order is no longer at the venue, in the fast tier: a real
 * kernel, executor, live reconciler and flattener over the mock venue.
 *
 * A resting entry that filled (or was cancelled) with its stream event lost: the kernel still holds
 * it working, so FLATTEN asks its cancel, and the venue refuses the cancel (the order is already
 * filled). Repeating FLATTEN only repeats that refusal; the belief is what is wrong. The flatten
 * takes the venue's truth for the slot (one live reconciliation pass) and exits the position the
 * fill opened, so it ends flat at the venue — not INCOMPLETE with the position still open.
 */

import { afterEach, expect, test } from "bun:test";
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

async function world() {
  const clock = new SystemClock();
  const venue = new MockVenueAdapter({ seed: 3, clock, prices: { "BTC-USDT": 65_000 }, balance: 10_000 });
  await venue.connect();
  const kernel = freshKernel({ slots: 2, capital: 10_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  const ops = { kernel, executor, venue, clock, log: () => {}, sleep: (ms: number) => Bun.sleep(ms) };
  const reconciler = new LiveReconciler({ ...ops, report: () => {} });
  const flattener = new Flattener({ ...ops, halt: () => {}, reconcileNow: () => reconciler.pass() });
  return { venue, kernel, executor, flattener };
}

type World = Awaited<ReturnType<typeof world>>;

async function settle(w: World): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await w.executor.drain(1_000);
    await Bun.sleep(2);
  }
}

/** Slot 0: a resting limit buy of 0.01 at 60000 that fills at the venue with its events lost. */
async function silentlyFilledEntry(w: World): Promise<void> {
  w.executor.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "F0",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: 60_000,
    leverage: 3,
  });
  await settle(w);
  w.venue.setKnobs({ stream_drop: { after: 0 } });
  w.venue.setPrice("BTC-USDT", 59_000);
  await settle(w);
  expect(w.kernel.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", size: 0 });
  expect(await w.venue.positions()).toMatchObject([{ asset: "BTC-USDT", side: "LONG", size: 0.01 }]);
}

test("flatten of an entry the venue filled behind the kernel (cancel refused): the position is exited, complete", async () => {
  const w = await world();
  await silentlyFilledEntry(w);
  const report = await w.flattener.run({ timeout_ms: 4_000 } as FlattenRequest);
  expect(report.venue.positions).toEqual([]);
  expect(report.complete).toBe(true);
  expect(w.kernel.slot(0).stage).toBe("CLOSED");
});

test("flatten of an entry the venue cancelled behind the kernel (cancel refused): the slot ends flat, complete", async () => {
  const w = await world();
  await silentlyFilledEntry(w); // slot 0's order is filled; slot 1 gets one that is cancelled silently
  w.venue.clearKnobs();
  w.executor.submitStrategy({
    type: "ENTER",
    slot_id: 1,
    trade_id: "F1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    price: 50_000,
    leverage: 3,
  });
  await settle(w);
  w.venue.setKnobs({ stream_drop: { after: 0 } });
  await w.venue.cancel("BTC-USDT", "F1-E");
  await settle(w);
  expect(w.kernel.slot(1).entry_order?.status).toBe("ACKED");
  const report = await w.flattener.run({ timeout_ms: 4_000 } as FlattenRequest);
  expect(report.complete).toBe(true);
  expect(report.slots.map((s) => [s.slot_id, s.after])).toEqual([
    [0, "CLOSED"],
    [1, "IDLE"],
  ]);
});
