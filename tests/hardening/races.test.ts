/**
 * Hardening — races. Each test is named after the interleaving it guards: an intent racing a
 * fill, a cancel racing a fill (entry and exit), fills delivered in every order, two producers on
 * one slot through the real Zinc ring, late events of a finished trade, and a restart while a venue
 * call is in flight (the order executed, or never did). Kernel orderings are driven directly; the
 * restart races use the mock venue and the launcher's own recovery.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { type ExecutionKernel, InputRecords } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { RealZincPlane, ZincIntentProducer } from "../../src/zinc/index.ts";
import { codes, enter, event, exit, feed, freshKernel, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";
import { cleanupPrefixes, ensureLib, uniquePrefix } from "../integration/zinc_support.ts";

const kernel = kernelsPerTest({ slots: 4 });
afterEach(() => cleanupPrefixes());

test("intent vs fill: an EXIT sent while the entry's last fill is in flight is refused and changes nothing; after the fill it is accepted", () => {
  const k = kernel();
  enter(k, 0, { size: 2 });
  const cid = k.slot(0).entry_order!.client_order_id;
  feed(k, event("PARTIAL_FILL", cid, 1, 100));
  const before = k.stateHash();
  expect(codes(exit(k, 0, 1))).toEqual(["INVALID_TRANSITION"]);
  expect(k.stateHash()).toBe(before);
  feed(k, event("FULL_FILL", cid, 2, 100));
  expect(exit(k, 0, 2).accepted).toBe(true);
});

test("cancel vs fill (entry): a CANCEL_ACK carrying the partial fill, after that fill, keeps the partial position", () => {
  const k = kernel();
  enter(k, 0, { size: 3 });
  const cid = k.slot(0).entry_order!.client_order_id;
  k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 5 });
  feed(k, event("PARTIAL_FILL", cid, 1, 100));
  feed(k, event("CANCEL_ACK", cid, 1, 100));
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1, entry_price: 100 });
});

test("cancel vs fill (entry): a fill arriving after a CANCEL_ACK with nothing filled is OVERFILL and sends the slot to reconcile, unapplied", () => {
  const k = kernel();
  enter(k, 0, { size: 1 });
  const cid = k.slot(0).entry_order!.client_order_id;
  k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 5 });
  feed(k, event("CANCEL_ACK", cid, 0, 0));
  expect(k.slot(0).stage).toBe("IDLE");
  const late = feed(k, event("FULL_FILL", cid, 1, 100));
  expect(codes(late)).toEqual(["OVERFILL"]);
  expect(k.slot(0)).toMatchObject({ stage: "STALE_STATE_RECONCILING", size: 0 });
});

test("cancel vs fill (exit): FULL_FILL then a late CANCEL_ACK settles exactly once; the ack is a STALE_EVENT", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  exit(k, 0, 1);
  const xid = k.slot(0).exit_order!.client_order_id;
  k.apply({ type: "CANCEL", slot_id: 0, now_ms: T0 + 150 });
  feed(k, event("FULL_FILL", xid, 1, 110));
  const capital = k.account().capital;
  expect(codes(feed(k, event("CANCEL_ACK", xid, 1, 110)))).toEqual(["STALE_EVENT"]);
  expect(k.slot(0).stage).toBe("CLOSED");
  expect([k.account().trade_seq, k.account().capital]).toEqual([1, capital]);
});

test("fills delivered in every order: all 24 orders of four cumulative fill events reach the same position, average price and fee", () => {
  const evs = (cid: string) => [
    event("PARTIAL_FILL", cid, 1, 100, { event_id: "a", fee_cumulative: 0.1 }),
    event("PARTIAL_FILL", cid, 2, 101, { event_id: "b", fee_cumulative: 0.2 }),
    event("PARTIAL_FILL", cid, 3, 102, { event_id: "c", fee_cumulative: 0.3 }),
    event("FULL_FILL", cid, 4, 103, { event_id: "d", fee_cumulative: 0.4 }),
  ];
  const perms = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  const seen = new Set<string>();
  for (const order of perms([0, 1, 2, 3])) {
    const k = kernel();
    enter(k, 0, { size: 4 });
    const all = evs(k.slot(0).entry_order!.client_order_id);
    for (const i of order) feed(k, all[i]!);
    const s = k.slot(0);
    seen.add(
      JSON.stringify([s.stage, s.size, s.entry_price, s.fees, s.entry_order!.filled_size, s.entry_order!.status]),
    );
  }
  expect([...seen]).toEqual([JSON.stringify(["POSITION_OPEN", 4, 103, 0.4, 4, "FILLED"])]);
});

test("two producers on one slot: two ENTERs for slot 0 pushed through the real Zinc ring by two producers — the first wins, the second is SLOT_BUSY", () => {
  const lib = ensureLib();
  const prefix = uniquePrefix("race2p");
  const plane = RealZincPlane.open({ libPath: lib, prefix, slotCount: 4, ringCapacity: 8 });
  const a = ZincIntentProducer.open({ libPath: lib, prefix });
  const b = ZincIntentProducer.open({ libPath: lib, prefix });
  const k = kernel();
  try {
    const enterFor = (trade: string): StrategyIntent & { now_ms: number } => ({
      type: "ENTER",
      slot_id: 0,
      trade_id: trade,
      asset: "BTC-USDT",
      side: "LONG",
      size: 1,
      price: null,
      leverage: 5,
      now_ms: T0,
    });
    expect(a.push(InputRecords.encode([enterFor("PA")]).bytes)).toBe("OK");
    expect(b.push(InputRecords.encode([enterFor("PB")]).bytes)).toBe("OK");
    const drained = new Uint8Array(2 * 320);
    let n = 0;
    plane.drainIntents(8, (rec) => drained.set(rec, 320 * n++));
    expect(n).toBe(2);
    const outcomes: string[][] = [];
    k.applyRecords(InputRecords.fromStrategy(drained, 2), {
      outcome: (o) => outcomes.push(o.diagnostics.map((d) => d.code)),
      refused: () => {},
    });
    expect(k.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", trade_id: "PA" });
    expect(outcomes.flat()).toEqual(["SLOT_BUSY"]);
  } finally {
    a.close();
    b.close();
    plane.close();
  }
});

test("two producers, one trade id on two slots in one batch: the second is INVALID_INTENT (trade id in use)", () => {
  const k = kernel();
  expect(enter(k, 0, { trade: "SAME" }).accepted).toBe(true);
  const second = enter(k, 1, { trade: "SAME" });
  expect([second.accepted, codes(second)]).toEqual([false, ["INVALID_INTENT"]]);
});

test("late events of a finished trade after a new ENTER on the same slot are STALE_EVENT; the new trade is untouched", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  const oldEntry = k.slot(0).entry_order!.client_order_id;
  exit(k, 0, 1);
  feed(k, event("FULL_FILL", k.slot(0).exit_order!.client_order_id, 1, 101));
  enter(k, 0, { trade: "NEW1", size: 2 });
  const late = feed(k, event("PARTIAL_FILL", oldEntry, 0.5, 99), T0 + 300, null);
  expect(codes(late)).toEqual(["STALE_EVENT"]);
  expect(k.slot(0)).toMatchObject({ stage: "ENTRY_WORKING", trade_id: "NEW1", size: 0 });
});

test("a duplicate ACK delivered after the FULL_FILL keeps the order FILLED and the slot open", () => {
  const k = kernel();
  enter(k, 0, { size: 1 });
  const cid = k.slot(0).entry_order!.client_order_id;
  feed(k, event("FULL_FILL", cid, 1, 100));
  feed(k, event("ACK", cid, 0, 0));
  expect(k.slot(0).stage).toBe("POSITION_OPEN");
  expect(k.slot(0).entry_order!.status).toBe("FILLED");
});

/** A process on the mock venue: kernel + executor; `dying` submits then dies before any answer. */
async function restartWorld(knobs: Parameters<MockVenueAdapter["setKnobs"]>[0]) {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 9, clock, prices: { "BTC-USDT": 65_000 } });
  await venue.connect();
  const first = freshKernel({ slots: 2 });
  const ex = new Executor(first, venue, clock, { afterApply: () => {} });
  venue.setKnobs(knobs);
  ex.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "RV1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.002,
    price: null,
    leverage: 2,
  });
  // The process dies now, its placement call still in flight: the belief is what the region held.
  const images = [first.slotImage(0).slice(), first.slotImage(1).slice()];
  expect(first.slot(0).entry_order!.status).toBe("PENDING_SUBMIT");
  const second: ExecutionKernel = freshKernel({ slots: 2, capital: 0 });
  const ex2 = new Executor(second, venue, clock, { afterApply: () => {} });
  await Bun.sleep(80); // the first call's answer (and events) land on a process nobody listens to any more
  const report = await recover(
    { kernel: second, executor: ex2, venue, nowMs: () => clock.nowMs(), log: () => {} },
    { source: "zinc", images },
    true,
  );
  return { first, second, report, venue };
}

test("restart during a venue call that executed: recovery finds the position and adopts it (POSITION_OPEN 0.002)", async () => {
  const w = await restartWorld({ latency_ms: 40 });
  try {
    expect(w.report.reconciled).toEqual([
      { slot_id: 0, from: "ENTRY_WORKING", to: "POSITION_OPEN", size_before: 0, size_after: 0.002 },
    ]);
    expect(w.second.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 0.002 });
  } finally {
    w.first.destroy();
    w.second.destroy();
  }
});

test("restart during a venue call that never executed (5xx): recovery reconciles the slot to IDLE, nothing adopted", async () => {
  const w = await restartWorld({ latency_ms: 40, http_5xx: { count: 1 } });
  try {
    expect(w.report.reconciled).toEqual([
      { slot_id: 0, from: "ENTRY_WORKING", to: "IDLE", size_before: 0, size_after: 0 },
    ]);
    expect(await w.venue.positions()).toEqual([]);
  } finally {
    w.first.destroy();
    w.second.destroy();
  }
});
