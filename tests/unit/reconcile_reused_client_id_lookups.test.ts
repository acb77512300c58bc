/**
 * A trade id used again while the venue still remembers the old order under its client id
 * ("T1-E"), after a restart: the adapter never sent the kernel's order, so the launcher's lookups
 * say when the kernel created it (`OrderRecord.created_at_ms`) and the adapter tells the old order
 * from the kernel's (src/venue/bingx/adapter.ts `queryOrder`). Recovery, live reconciliation and the
 * hung-order query each pass that time (mock venue, recorded); and at a restart against bingx-sim
 * (ManualClock) the old FILLED order, whose position is still held, is neither booked to the slot
 * nor claimed by it: that position is an orphan.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { placementLostLookupsFail, QUICK_STREAM, simAdapter, simWithFilledEntry } from "../_support/bingx_sim.ts";
import { mockVenue, restartFrom, slotImages } from "../_support/executor.ts";
import { enter, event, freshKernel, T0 } from "../_support/kernel.ts";
import { lateFilledEntry, testReconciler } from "../_support/live.ts";
import { btcEntry } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

function kernel(): ExecutionKernel {
  const k = freshKernel({ slots: 2, capital: 10_000 });
  kernels.push(k);
  return k;
}

/** The mock venue, its order lookups recorded (all arguments); `openOrders` lists nothing. */
async function recordingVenue(clock: ManualClock) {
  const mock = await mockVenue(5, clock);
  const lookups: unknown[][] = [];
  const venue: VenueAdapter = Object.create(mock, {
    openOrders: { value: async () => [] },
    queryOrder: {
      value: async (...args: unknown[]) => {
        lookups.push(args);
        return null;
      },
    },
  });
  return { venue, lookups };
}

describe("the launcher's lookups by client id say when the kernel created the order", () => {
  test("recovery passes the restored working order's created_at_ms", async () => {
    const clock = new ManualClock(T0 + 600_000);
    const first = kernel();
    enter(first, 0, { trade: "T1", size: 0.01, now: T0 + 500_000 });
    const { venue, lookups } = await recordingVenue(clock);
    await restartFrom(slotImages(first), venue, clock, kernels);
    expect(lookups).toEqual([["BTC-USDT", "T1-E", T0 + 500_000]]);
  });

  test("live reconciliation passes the created_at_ms of a working order no longer listed open", async () => {
    const clock = new ManualClock(T0 + 600_000);
    const k = kernel();
    enter(k, 0, { trade: "T1", size: 0.01, now: T0 + 500_000 });
    expect(
      k.apply({ type: "VENUE_EVENT", slot_id: null, event: event("ACK", "T1-E", 0, 0), now_ms: T0 + 500_001 }).accepted,
    ).toBe(true);
    const { venue, lookups } = await recordingVenue(clock);
    const executor = new Executor(k, venue, clock, { afterApply: () => {} });
    await testReconciler({ kernel: k, executor, venue, clock }, []).pass();
    expect(lookups[0]).toEqual(["BTC-USDT", "T1-E", T0 + 500_000]);
  });

  test("the hung-order query passes the hung order's created_at_ms", async () => {
    const clock = new ManualClock(T0 + 600_000);
    const k = kernel();
    enter(k, 0, { trade: "T1", size: 0.01, now: T0 + 500_000 });
    const { venue, lookups } = await recordingVenue(clock);
    const executor = new Executor(k, venue, clock, { afterApply: () => {} });
    await executor.resolveByQuery(0);
    expect(lookups).toEqual([["BTC-USDT", "T1-E", T0 + 500_000]]);
  });
});

test("at a restart, the old FILLED order under a reused trade id is neither booked to the slot's entry nor claimed by it: its position is an orphan", async () => {
  // An earlier process placed "T1-E"; it FILLED and its 0.01 LONG is still held at the venue.
  const { sim, clock } = await simWithFilledEntry(13, stops);
  // Ten minutes later the strategy enters on trade id "T1" again; the process stops before the placement answers.
  const first = kernel();
  enter(first, 0, { trade: "T1", size: 0.01, now: clock.nowMs() });
  const images = slotImages(first);
  clock.advance(60_000);
  const venue = simAdapter(sim, clock, { resolveDelaysMs: [0], stream: QUICK_STREAM });
  stops.unshift(() => venue.close());
  await venue.connect();
  const { kernel: second, report } = await restartFrom(images, venue, clock, kernels);
  expect(second.slot(0).entry_order?.filled_size ?? 0).toBe(0);
  expect(second.slot(0).size).toBe(0);
  expect(report.orphans).toEqual([expect.objectContaining({ asset: "BTC-USDT", side: "LONG", size: 0.01 })]);
});

test("the hung-order query finding only an old order under the entry's reused id rejects the entry as absent (never left hung, never booked)", async () => {
  const { sim, clock } = await simWithFilledEntry(17, stops);
  // This process's placement of "T1-E" never reaches the venue and its own lookups fail: UNKNOWN.
  const venue = simAdapter(sim, clock, {
    resolveDelaysMs: [0, 0, 0],
    stream: QUICK_STREAM,
    fetch: placementLostLookupsFail(3),
  });
  stops.unshift(() => venue.close());
  await venue.connect();
  const k = kernel();
  const executor = new Executor(k, venue, clock, { afterApply: () => {} });
  executor.submitStrategy(btcEntry("T1"));
  await executor.drain(5_000);
  expect(k.slot(0).entry_order?.status).toBe("PENDING_SUBMIT");
  expect(await executor.resolveByQuery(0)).toBe("ABSENT_REJECTED");
  expect(k.slot(0)).toMatchObject({ stage: "IDLE", size: 0 });
  expect(k.slot(0).entry_order?.filled_size ?? 0).toBe(0);
});

test("live reconciliation: a stale slot's late entry answered under another client id (another order holding it) claims nothing of the position", async () => {
  const w = await lateFilledEntry("LONG");
  kernels.push(w.kernel);
  expect(w.kernel.slot(0).stage).toBe("STALE_STATE_RECONCILING");
  // The adapter's answer for an older order under the id: the venue's spelling, not the kernel's.
  const venue: VenueAdapter = Object.create(w.venue, {
    queryOrder: {
      value: async (asset: string, cid: string) => {
        const s = await w.mock.queryOrder(asset, cid);
        return s && { ...s, client_order_id: cid.toLowerCase() };
      },
    },
  });
  const diags: DiagnosticRecord[] = [];
  await testReconciler({ kernel: w.kernel, executor: w.executor, venue, clock: w.clock }, diags).pass();
  expect(w.kernel.slot(0).size).toBe(0);
  expect(diags.filter((d) => d.code === "ORPHAN_POSITION").map((d) => d.details?.value)).toEqual([0.01]);
});
