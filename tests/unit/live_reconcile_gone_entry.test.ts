/**
 * Live reconciliation of a working entry the venue no longer lists open, in the fast tier: a real
 * kernel and executor over the mock venue.
 *
 * Slots on one asset and side share the venue's position (hedge mode). A working entry claims, in
 * the split's second pass, what its order filled at the venue. An entry the venue no longer lists
 * open (cancelled behind the kernel, its CANCEL_ACK lost) may have filled anything up to its size:
 * the pass looks its order up, so a cancelled, unfilled entry claims nothing — it never takes a
 * position another slot's fill (still on its way) or an orphan holds.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";

const PRICE = 65_000;

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(60); // let the mock's last deliveries land before the kernels go
  for (const k of kernels.splice(0)) k.destroy();
});

async function world() {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": PRICE }, balance: 10_000 });
  await venue.connect();
  const kernel = freshKernel({ slots: 4, capital: 10_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, venue, clock, { afterApply: () => {} });
  const diags: DiagnosticRecord[] = [];
  const r = testReconciler({ kernel, executor, venue, clock }, diags);
  return { clock, venue, kernel, executor, r, diags };
}

type World = Awaited<ReturnType<typeof world>>;

async function settle(w: World): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await w.executor.drain(1_000);
    await Bun.sleep(2);
  }
}

function enter(slot: number, size: number, price: number | null): StrategyIntent {
  const trade = `G${slot}`;
  return { type: "ENTER", slot_id: slot, trade_id: trade, asset: "BTC-USDT", side: "LONG", size, price, leverage: 3 };
}

/** Slot 0: a resting limit buy of 0.01, then cancelled at the venue with its CANCEL_ACK lost. */
async function silentlyCancelledEntry(w: World): Promise<void> {
  w.executor.submitStrategy(enter(0, 0.01, 60_000));
  await settle(w);
  expect(w.kernel.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", size: 0 });
  w.venue.setKnobs({ stream_drop: { after: 0 } });
  await w.venue.cancel("BTC-USDT", "G0-E");
  await settle(w);
  expect(w.kernel.slot(0).entry_order?.status).toBe("ACKED"); // the kernel never heard
}

test("a cancelled, unfilled entry does not take another slot's fill that is still on its way", async () => {
  const w = await world();
  await silentlyCancelledEntry(w);
  w.venue.setKnobs({ latency_ms: 40 }); // slot 1's market entry fills at once; its events take 40 ms
  w.executor.submitStrategy(enter(1, 0.01, null));
  await w.r.pass();
  expect(w.kernel.slot(0)).toMatchObject({ stage: "IDLE", size: 0 }); // its order is gone, nothing filled
  await settle(w);
  await Bun.sleep(60);
  w.venue.clearKnobs();
  expect(w.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
  expect(await w.r.pass()).toEqual([]); // the next pass finds nothing to correct
  expect(w.kernel.slot(1)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, trade_id: "G1" });
  expect(w.diags.filter((d) => d.code === "VENUE_MISMATCH").map((d) => d.slot_id)).toEqual([0]);
});

test("a cancelled, unfilled entry does not adopt a position no slot owns: it stays an ORPHAN_POSITION", async () => {
  const w = await world();
  await silentlyCancelledEntry(w);
  const open = { asset: "BTC-USDT", side: "BUY", position_side: "LONG", type: "MARKET", reduce_only: false } as const;
  await w.venue.submit({ ...open, client_order_id: "by-hand-1", size: 0.01 });
  await settle(w);
  await w.r.pass();
  expect(w.kernel.slot(0)).toMatchObject({ stage: "IDLE", size: 0 });
  const orphans = w.diags.filter((d) => d.code === "ORPHAN_POSITION");
  expect(orphans.length).toBe(1);
});
