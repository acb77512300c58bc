/**
 * Live reconciliation's capital re-seed, in the fast tier: a real kernel and executor over the
 * mock venue.
 *
 * After a slot was taken to the venue's truth (a trade closed behind the kernel), capital follows
 * the wallet. The re-seed must count every trade exactly once: capital = wallet + what open trades
 * already booked. So it is made only when no fill can be on its way to the kernel (a fill the
 * wallet already holds but the kernel has not applied would then settle a second time), and a
 * re-seed that could not be made (the balance read failed, an order in flight) is made by a later
 * pass — never dropped.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { LiveReconciler } from "../../src/launcher/live_reconcile.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";
import { within } from "../_support/within.ts";

const BTC = 65_000;
const ETH = 3_000;

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(60); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

async function world() {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({
    seed: 7,
    clock,
    prices: { "BTC-USDT": BTC, "ETH-USDT": ETH },
    balance: 10_000,
  });
  await venue.connect();
  const kernel = freshKernel({ slots: 4, capital: 10_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  return { clock, venue, kernel, executor };
}

type World = Awaited<ReturnType<typeof world>>;

async function settle(w: World): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await w.executor.drain(1_000);
    await Bun.sleep(2);
  }
}

function enter(slot: number, asset: string, size: number): StrategyIntent {
  return { type: "ENTER", slot_id: slot, trade_id: `T${slot}`, asset, side: "LONG", size, price: null, leverage: 3 };
}

function reconcilerOf(w: World, venue: VenueAdapter = w.venue) {
  const diags: DiagnosticRecord[] = [];
  const lines: string[] = [];
  const r = testReconciler({ kernel: w.kernel, executor: w.executor, venue, clock: w.clock }, diags, (l) =>
    lines.push(l),
  );
  return { r, diags, lines };
}

/** Slot 0 holds 0.01 BTC; someone closes it at the venue at a profit, behind the kernel. */
async function closedBehindTheKernel(w: World): Promise<void> {
  w.executor.submitStrategy(enter(0, "BTC-USDT", 0.01));
  await settle(w);
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  w.venue.setPrice("BTC-USDT", BTC + 2_000);
  const close = { asset: "BTC-USDT", side: "SELL", position_side: "LONG", type: "MARKET", reduce_only: true } as const;
  await w.venue.submit({ ...close, client_order_id: "by-hand-1", size: 0.01 });
  await settle(w); // its events name an order no slot holds: UNKNOWN_ORDER, nothing changes
  expect(w.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
}

const wallet = async (w: World) => (await w.venue.balance()).balance;

test("a re-seed whose balance read failed is made by the next pass (capital follows the wallet)", async () => {
  const w = await world();
  await closedBehindTheKernel(w);
  let failures = 1;
  const flaky: VenueAdapter = Object.create(w.venue, {
    balance: {
      value: async () => {
        if (failures-- > 0) throw new Error("ECONNRESET");
        return w.venue.balance();
      },
    },
  });
  const { r, diags } = reconcilerOf(w, flaky);
  await r.pass();
  expect(diags.map((d) => d.code)).toEqual(["VENUE_MISMATCH"]);
  expect(w.kernel.slot(0).stage).toBe("IDLE"); // the slot took the venue's truth
  expect(r.stats.last_error).toContain("ECONNRESET");
  await r.pass(); // nothing disagrees any more, but the capital still has to follow the wallet
  expect(w.kernel.account().capital).toBeCloseTo(await wallet(w), 6);
});

test("a re-seed waits while another slot's fill may be on its way: that trade settles once", async () => {
  const w = await world();
  w.executor.submitStrategy(enter(1, "ETH-USDT", 1));
  await settle(w);
  expect(w.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
  await closedBehindTheKernel(w);
  w.venue.setPrice("ETH-USDT", ETH + 300); // slot 1 is 300 USDT up
  w.venue.setKnobs({ latency_ms: 40 }); // its exit fills at once at the venue; the events take 40 ms
  w.executor.submitStrategy({ type: "EXIT", slot_id: 1, size: 1, price: null, reason: "TP" });
  const { r } = reconcilerOf(w);
  expect(await r.pass()).toEqual([0]); // slot 0 taken to the venue's truth while slot 1's fill travels
  await settle(w);
  await Bun.sleep(60);
  expect(w.kernel.slot(1).stage).toBe("CLOSED");
  w.venue.clearKnobs();
  await r.pass(); // quiet now: a deferred re-seed is made here
  expect(w.kernel.account().capital).toBeCloseTo(await wallet(w), 6);
});

/** A reconciler whose waits are real (at most 25 ms each): its own re-seed retries run between the test's steps. */
function reconcilerWithPauses(w: World, venue: VenueAdapter = w.venue) {
  const lines: string[] = [];
  const sleep = (ms: number) => Bun.sleep(Math.min(ms, 25));
  const r = new LiveReconciler({
    kernel: w.kernel,
    executor: w.executor,
    venue,
    clock: w.clock,
    report: () => {},
    log: (l) => lines.push(l),
    sleep,
  });
  return { r, lines };
}

/** Capital follows the wallet within `ms` (asserted). */
const capitalFollowsWallet = (w: World, ms: number) =>
  within(ms, "capital = the wallet", async () => Math.abs(w.kernel.account().capital - (await wallet(w))) < 1e-6);

test("with no later pass (live reconciliation off), a re-seed whose balance read failed is made again on its own", async () => {
  const w = await world();
  await closedBehindTheKernel(w);
  let failures = 1;
  const flaky: VenueAdapter = Object.create(w.venue, {
    balance: {
      value: async () => {
        if (failures-- > 0) throw new Error("ECONNRESET");
        return w.venue.balance();
      },
    },
  });
  const { r } = reconcilerWithPauses(w, flaky);
  expect(await r.pass()).toEqual([0]); // the only pass: the hung-order query's or a flatten's, the interval being 0
  await capitalFollowsWallet(w, 3_000);
  await r.stop(100);
});

test("with no later pass, a re-seed that waited for another slot's fill is made on its own once that fill landed: the trade settles once", async () => {
  const w = await world();
  w.executor.submitStrategy(enter(1, "ETH-USDT", 1));
  await settle(w);
  await closedBehindTheKernel(w);
  w.venue.setPrice("ETH-USDT", ETH + 300);
  w.venue.setKnobs({ latency_ms: 40 }); // slot 1's exit fills at once at the venue; its events take 40 ms
  w.executor.submitStrategy({ type: "EXIT", slot_id: 1, size: 1, price: null, reason: "TP" });
  const { r, lines } = reconcilerWithPauses(w);
  expect(await r.pass()).toEqual([0]);
  expect(lines.some((l) => l.includes("capital re-seed waits"))).toBe(true);
  await settle(w);
  expect(w.kernel.slot(1).stage).toBe("CLOSED");
  await capitalFollowsWallet(w, 3_000);
  w.venue.clearKnobs();
  await r.stop(100);
});

test("a re-seed is made while a strategy keeps marking an open slot's asset: a mark moves no fill, so it is no reason to wait", async () => {
  const w = await world();
  w.executor.submitStrategy(enter(1, "ETH-USDT", 1));
  await settle(w);
  expect(w.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
  await closedBehindTheKernel(w);
  let mark = ETH;
  const marking: VenueAdapter = Object.create(w.venue, {
    balance: {
      value: async () => {
        // The strategy's mark stream (every tick) lands while the venue is read.
        mark += 1;
        w.executor.submitStrategy({ type: "MARK_PRICE", asset: "ETH-USDT", price: mark });
        return w.venue.balance();
      },
    },
  });
  const { r, lines } = reconcilerWithPauses(w, marking);
  expect(await r.pass()).toEqual([0]);
  // Capital = wallet + what the open trade (slot 1) booked already: its entry fee, which the wallet paid too.
  await within(
    3_000,
    "capital = the wallet + slot 1's entry fee",
    async () => Math.abs(w.kernel.account().capital - ((await wallet(w)) + w.kernel.slot(1).fees)) < 1e-6,
  );
  expect(lines.filter((l) => l.includes("capital re-seed waits"))).toEqual([]);
  await r.stop(100);
});

test("a slot the venue disagrees with is reconciled while a strategy marks its asset during every read: a mark is no sign of a late fill", async () => {
  const w = await world();
  await closedBehindTheKernel(w); // slot 0 believes 0.01 BTC; the venue holds none
  let mark = BTC + 2_000;
  const marking: VenueAdapter = Object.create(w.venue, {
    positions: {
      value: async () => {
        // The strategy's mark stream lands on slot 0's own asset while the venue is read (every tick).
        mark += 1;
        w.executor.submitStrategy({ type: "MARK_PRICE", asset: "BTC-USDT", price: mark });
        return w.venue.positions();
      },
    },
  });
  const { r, diags } = reconcilerOf(w, marking);
  expect(await r.pass()).toEqual([0]);
  expect(diags.map((d) => d.code)).toEqual(["VENUE_MISMATCH"]);
  expect(w.kernel.slot(0).stage).toBe("IDLE");
});
