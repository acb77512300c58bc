/**
 * The real execution path end to end: ExecutionKernel → Executor → BingxVenueAdapter → bingx-sim
 * over loopback HTTP and WebSocket, and the venue's events back into the kernel. After every step
 * the system is left to settle and the auditor (src/chaos/auditor.ts) compares the kernel's slots
 * with the sim's positions and open orders; the kernel's account with the sim's wallet.
 *
 * BingX (and the sim) lower-case client order ids; the kernel's ids are "T1-E", "T1-X1". Every
 * event the kernel received must carry the kernel's spelling and none may be UNKNOWN_ORDER.
 */

import { afterEach, expect, test } from "bun:test";
import { audit, type Harness, startHarness } from "../../src/chaos/index.ts";
import type { KernelInput } from "../../src/contracts/index.ts";
import type { SlotRecord } from "../../src/contracts/records.ts";
import type { VenueEvent } from "../../src/contracts/venue.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.stop();
});

async function harness(seed: number): Promise<Harness> {
  const h = await startHarness({ seed, clock: new SystemClock(), prices: { "BTC-USDT": 65_000 } });
  open.push(h);
  return h;
}

const enter = (slot: number, trade: string, size: number, price: number | null = null) => ({
  type: "ENTER",
  slot_id: slot,
  trade_id: trade,
  asset: "BTC-USDT",
  side: "LONG",
  size,
  price,
  leverage: 5,
});
const exit = (slot: number, size: number) => ({ type: "EXIT", slot_id: slot, size, price: null, reason: "TP" });

/** Settles, resolves hung orders, and expects the auditor to find nothing. */
async function clean(h: Harness): Promise<void> {
  expect(await h.settle()).toBe(true);
  await h.resolveHung();
  expect(await h.settle()).toBe(true);
  const violations = audit({
    slots: h.kernel.slots(),
    account: h.kernel.account(),
    truth: await h.truth(),
    seededCapital: h.seededCapital,
    settlements: h.settlements,
    diagnostics: h.diagnostics,
  });
  expect(violations).toEqual([]);
}

function eventsOf(h: Harness, cid: string): VenueEvent[] {
  return h.sequencer.venueEvents().filter((e) => e.client_order_id === cid);
}

function expectKernelSpelling(h: Harness): void {
  for (const e of h.sequencer.venueEvents()) expect(e.client_order_id).toMatch(/^T\d+-(E|X\d+)$/);
  expect(h.diagnostics.filter((d) => d.code === "UNKNOWN_ORDER")).toEqual([]);
}

test("a whole trade (entry in 3 fills, two exit legs, close) keeps the kernel equal to the sim after every step", async () => {
  const h = await harness(1);
  h.sim!.faults.partial_fill_legs = 3;
  expect(h.submit(enter(0, "T1", 0.03)).accepted).toBe(true);
  await clean(h);
  // The sim's book: a buy fills at the best ask, one tick (0.1) above the mark; a sell at the best bid.
  const [ask, bid] = [65_000.1, 65_999.9];
  expect(h.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.03, entry_price: ask });
  expect(eventsOf(h, "T1-E").map((e) => e.kind)).toEqual(["ACK", "PARTIAL_FILL", "PARTIAL_FILL", "FULL_FILL"]);
  h.sim!.setPrice("BTC-USDT", 66_000);
  h.sim!.faults.partial_fill_legs = 2;
  expect(h.submit(exit(0, 0.01)).accepted).toBe(true);
  await clean(h);
  expect(h.kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.02, leg: 1 });
  expect(h.kernel.slot(0).realized_pnl).toBeCloseTo((bid - ask) * 0.01, 9);
  expect(h.submit(exit(0, 0.02)).accepted).toBe(true);
  await clean(h);
  const s = h.kernel.slot(0);
  expect(s).toMatchObject({ stage: "CLOSED", size: 0, leg: 2, is_open: false });
  expect(s.realized_pnl).toBeCloseTo((bid - ask) * 0.03, 9);
  const fees = 0.03 * ask * 0.0005 + 0.03 * bid * 0.0005;
  expect(s.fees).toBeCloseTo(fees, 6);
  expect(h.kernel.account()).toMatchObject({ trade_seq: 1 });
  expect(h.kernel.account().capital).toBeCloseTo(10_000 + (bid - ask) * 0.03 - fees, 6);
  expect(h.sim!.state().balance.wallet).toBeCloseTo(h.kernel.account().capital, 6);
  expect(eventsOf(h, "T1-X2").map((e) => e.kind)).toEqual(["ACK", "PARTIAL_FILL", "FULL_FILL"]);
  expectKernelSpelling(h);
});

test("a refused cancel leaves the entry working (CANCEL_REJECTED); a later cancel returns the slot to IDLE", async () => {
  const h = await harness(2);
  expect(h.submit(enter(1, "T2", 0.01, 60_000)).accepted).toBe(true);
  await clean(h);
  expect(h.kernel.slot(1)).toMatchObject({
    stage: "ENTRY_WORKING",
    entry_order: { status: "ACKED", order_type: "LIMIT" },
  });
  h.sim!.faults.cancel_reject = true;
  expect(h.submit({ type: "CANCEL", slot_id: 1 }).accepted).toBe(true);
  expect(await h.settle()).toBe(true);
  expect(h.diagnostics.filter((d) => d.code === "CANCEL_REJECTED").map((d) => d.slot_id)).toEqual([1]);
  expect(h.kernel.slot(1).stage).toBe("ENTRY_WORKING");
  await clean(h);
  h.sim!.faults.cancel_reject = false;
  const again = h.submit({ type: "CANCEL", slot_id: 1 });
  expect(again.accepted).toBe(true);
  await clean(h);
  expect(h.kernel.slot(1)).toMatchObject({ stage: "IDLE", size: 0, entry_order: { status: "CANCELLED" } });
  expect(h.sim!.state().orders[0]).toMatchObject({ clientOrderId: "t2-e", status: "CANCELLED" });
  expectKernelSpelling(h);
});

test("a venue reject (insufficient margin) returns the slot to IDLE with VENUE_REJECTED and places nothing", async () => {
  const h = await harness(3);
  h.submit(enter(0, "T3", 100));
  await clean(h);
  expect(h.kernel.slot(0)).toMatchObject({ stage: "IDLE", entry_order: { status: "REJECTED" } });
  const d = h.diagnostics.find((x) => x.code === "VENUE_REJECTED");
  expect(d).toMatchObject({ severity: "WARNING", slot_id: 0 });
  expect(h.sim!.state().orders).toEqual([]);
});

test("a rate limit with the venue's hint is RATE_LIMITED with retry_after_ms; without a hint release_eta is 'few minutes'", async () => {
  const h = await harness(4);
  await h.executor.setLeverage("BTC-USDT", "LONG", 5); // the fault is meant for the placement, not the leverage call
  h.sim!.faults.rate_limit = { count: 1, retry_hint: true };
  h.submit(enter(0, "T4", 0.01));
  await clean(h);
  const hinted = h.diagnostics.find((d) => d.code === "RATE_LIMITED");
  expect(hinted).toMatchObject({ severity: "WARNING", slot_id: 0, details: { retryable: true } });
  expect(hinted!.details.retry_after_ms).toBeGreaterThan(0);
  // The sim's window ends 1 s after its answer, an instant on the venue's clock; the adapter turns it
  // into a duration with its estimated time offset, whose error is up to half the round trip that
  // measured it (hundreds of ms on a loaded host), so 1 s give or take that — never the 5 min default.
  expect(hinted!.details.retry_after_ms).toBeLessThanOrEqual(2_000);
  expect(h.kernel.slot(0).stage).toBe("IDLE");
  h.sim!.faults.rate_limit = { count: 1, retry_hint: false };
  h.submit(enter(1, "T5", 0.01));
  await clean(h);
  const bare = h.diagnostics.filter((d) => d.code === "RATE_LIMITED")[1];
  expect(bare).toMatchObject({ slot_id: 1, details: { retryable: true, release_eta: "few minutes" } });
  expect(bare!.details.retry_after_ms).toBeUndefined();
  expect(h.sim!.state().orders).toEqual([]);
});

test("an acceptance whose answer is lost (timeout after the venue placed it) is resolved by query, never placed twice", async () => {
  for (const seed of [5, 6, 7]) {
    const h = await harness(seed);
    h.sim!.faults.drop_responses = 1;
    h.submit(enter(2, `T${seed}`, 0.02));
    await clean(h);
    const placed = h.sim!.state();
    expect(placed.counters.placed_by_client_id).toEqual({ [`t${seed}-e`]: 1 });
    expect(h.kernel.slot(2)).toMatchObject({
      stage: "POSITION_OPEN",
      size: 0.02,
      entry_order: { venue_order_id: placed.orders[0]!.orderId },
    });
    expectKernelSpelling(h);
  }
});

test("a stream that drops mid-fill loses no fill and doubles none: the REST catch-up completes the entry", async () => {
  const h = await harness(8);
  h.sim!.faults.partial_fill_legs = 3;
  h.sim!.faults.stream_disconnect = 2;
  h.submit(enter(0, "T8", 0.03));
  await clean(h);
  expect(h.venueDiagnostics.some((d) => d.code === "STREAM_RECONNECT")).toBe(true);
  expect(h.kernel.slot(0)).toMatchObject({
    stage: "POSITION_OPEN",
    size: 0.03,
    entry_order: { filled_size: 0.03, status: "FILLED" },
  });
  const fills = eventsOf(h, "T8-E").filter((e) => e.kind === "FULL_FILL");
  expect(fills).toHaveLength(1);
  expect(h.diagnostics.filter((d) => d.code === "OVERFILL")).toEqual([]);
  expectKernelSpelling(h);
});

/** The trade every convergence run plays: entry in legs, two exit legs; returns the comparable slot. */
async function scriptedTrade(h: Harness): Promise<void> {
  h.sim!.faults.partial_fill_legs = 3;
  h.submit(enter(0, "T9", 0.03));
  await clean(h);
  h.sim!.setPrice("BTC-USDT", 64_500);
  h.submit(exit(0, 0.02));
  await clean(h);
  h.submit(exit(0, 0.01));
  await clean(h);
}

const comparable = (s: SlotRecord) => ({
  stage: s.stage,
  size: s.size,
  entry_price: s.entry_price,
  realized_pnl: s.realized_pnl,
  fees: s.fees,
  leg: s.leg,
  entry: [s.entry_order?.status, s.entry_order?.filled_size],
  exit: [s.exit_order?.status, s.exit_order?.filled_size],
});

test("duplicated and reordered stream delivery converges to the same kernel state as a clean run", async () => {
  const cleanRun = await harness(9);
  await scriptedTrade(cleanRun);
  const noisy = await harness(9);
  noisy.sim!.faults.duplicate_events = true;
  noisy.sim!.faults.reorder_events = true;
  await scriptedTrade(noisy);
  expect(comparable(noisy.kernel.slot(0))).toEqual(comparable(cleanRun.kernel.slot(0)));
  expect(noisy.kernel.account().capital).toBeCloseTo(cleanRun.kernel.account().capital, 9);
  expectKernelSpelling(noisy);
  // The kernel itself converges too: the same events, each delivered twice and every order's events reversed.
  const replayed = ExecutionKernel.open({ slotCount: 4, hungOrderMs: 60 });
  try {
    for (const input of shuffledDuplicated(cleanRun.sequencer.all())) replayed.apply(input as KernelInput);
    expect(comparable(replayed.slot(0))).toEqual(comparable(cleanRun.kernel.slot(0)));
    expect(replayed.account().capital).toBeCloseTo(cleanRun.kernel.account().capital, 9);
  } finally {
    replayed.destroy();
  }
});

/** Intents stay in place; each run of consecutive venue events is delivered reversed and twice. */
function shuffledDuplicated(inputs: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  let run: unknown[] = [];
  const flush = () => {
    out.push(...[...run].reverse(), ...run);
    run = [];
  };
  for (const i of inputs) {
    if ((i as { type: string }).type === "VENUE_EVENT") run.push(i);
    else {
      flush();
      out.push(i);
    }
  }
  flush();
  return out;
}

test("a placement that never reached the venue (5xx, then 'order not exist') is rejected by the hung path, not left working", async () => {
  const h = await harness(10);
  await h.executor.setLeverage("BTC-USDT", "LONG", 5); // the faults are meant for the placement path
  h.sim!.faults.http_5xx = 3; // the mark-price pre-check, the placement, the first resolving query
  h.submit(enter(3, "T10", 0.01));
  expect(await h.settle()).toBe(true);
  expect(h.kernel.slot(3)).toMatchObject({ stage: "ENTRY_WORKING", entry_order: { status: "PENDING_SUBMIT" } });
  expect(h.sim!.state().orders).toEqual([]);
  await clean(h);
  expect(h.kernel.slot(3)).toMatchObject({ stage: "IDLE", entry_order: { status: "REJECTED" } });
  expect(
    h.diagnostics.filter((d) => d.code === "HUNG_ORDER" || d.code === "VENUE_REJECTED").map((d) => d.code),
  ).toEqual(["HUNG_ORDER", "VENUE_REJECTED"]);
  // The slot is free again: the next trade goes through.
  h.submit(enter(3, "T11", 0.01));
  await clean(h);
  expect(h.kernel.slot(3)).toMatchObject({ stage: "POSITION_OPEN", size: 0.01 });
});

test("the entry's leverage is set at the venue before the order is placed", async () => {
  const h = await harness(40);
  h.submit({ ...enter(0, "L1", 0.01), leverage: 7 });
  await clean(h);
  const position = h.sim!.state().positions.find((p) => p.symbol === "BTC-USDT" && p.positionSide === "LONG");
  expect(position?.leverage).toBe(7);
});

test("an entry whose leverage cannot be set is rejected and nothing is placed", async () => {
  const h = await harness(41);
  h.submit({ ...enter(0, "L2", 0.01), leverage: 126 }); // above 125: the kernel refuses it, nothing reaches the venue
  h.sim!.faults.http_5xx = 3; // the leverage call and its two retries
  h.submit({ ...enter(2, "L4", 0.01), leverage: 9 });
  await clean(h);
  expect(h.kernel.slot(0).stage).toBe("IDLE");
  expect(h.kernel.slot(2)).toMatchObject({ stage: "IDLE", entry_order: { status: "REJECTED" } });
  expect(h.diagnostics.some((d) => d.code === "VENUE_REJECTED" && d.slot_id === 2)).toBe(true);
  expect(h.sim!.state().orders.filter((o) => o.clientOrderId.toLowerCase() === "l4-e")).toEqual([]);
});
