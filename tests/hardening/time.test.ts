/**
 * Hardening — time. Each test is named after the clock anomaly it guards: the clock stepping
 * back (a little, and an hour), the clock jumping a day ahead, hung-order reports around a silence, venue timestamps from
 * another era, and the executor stamping with the injected clock. The kernel reads no clock
 * (decision 3): time only arrives with inputs, so each anomaly is an input sequence.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { codes, enter, event, exit, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";

const HUNG_MS = 1_000;
const kernel = kernelsPerTest({ slots: 4, hungMs: HUNG_MS });
const tick = (k: ReturnType<typeof kernel>, now: number) => k.apply({ type: "TICK", now_ms: now });

test("clock stepping back: inputs stamped earlier than the last are accepted and a TICK up to hung_order_ms in the past flags nothing", () => {
  const k = kernel();
  enter(k, 0, { now: T0 + 10_000 });
  expect(enter(k, 1, { now: T0 + 9_500 }).accepted).toBe(true);
  expect(k.slot(1).updated_at_ms).toBe(T0 + 9_500);
  expect(codes(tick(k, T0 + 9_500))).toEqual([]);
  expect(codes(tick(k, T0 + 10_000 - HUNG_MS))).toEqual([]); // slot 0 a whole hung_order_ms ahead: still timed
  expect(k.slots().some((s) => s.entry_order?.hung)).toBe(false);
});

test("clock stepping back an hour: a TICK flags each working order at once (its idle time is unknown), not an hour later", () => {
  const k = kernel();
  enter(k, 0, { now: T0 + 3_600_000 });
  const back = tick(k, T0);
  expect(codes(back)).toEqual(["HUNG_ORDER"]);
  expect(back.diagnostics[0]!.message).toEndWith("ms ahead of now_ms: the clock stepped back");
  expect(back.diagnostics[0]!.details.value).toBeUndefined();
  expect(k.slot(0).entry_order!.hung).toBe(true);
  expect(codes(tick(k, T0 + 1))).toEqual([]);
});

test("clock jumping a day ahead: one TICK flags every working order (entry and exit) once, and changes no stage", () => {
  const k = kernel();
  enter(k, 0);
  openPosition(k, 1, 1, 100);
  exit(k, 1, 1);
  const stages = k.slots().map((s) => s.stage);
  const day = tick(k, T0 + 86_400_000);
  expect(codes(day)).toEqual(["HUNG_ORDER", "HUNG_ORDER"]);
  expect(day.diagnostics.map((d) => d.slot_id).sort()).toEqual([0, 1]);
  expect(k.slots().map((s) => s.stage)).toEqual(stages);
  expect(codes(tick(k, T0 + 2 * 86_400_000))).toEqual([]);
});

test("a venue event clears the hung flag, and a new silence flags the order again", () => {
  const k = kernel();
  enter(k, 0, { size: 3 });
  const cid = k.slot(0).entry_order!.client_order_id;
  expect(codes(tick(k, T0 + 1 + HUNG_MS))).toEqual(["HUNG_ORDER"]);
  feed(k, event("PARTIAL_FILL", cid, 1, 100), T0 + 2_000);
  expect(k.slot(0).entry_order!.hung).toBe(false);
  expect(codes(tick(k, T0 + 2_000 + HUNG_MS - 1))).toEqual([]);
  expect(codes(tick(k, T0 + 2_000 + HUNG_MS))).toEqual(["HUNG_ORDER"]);
});

test("a slot in STALE_STATE_RECONCILING is never reported hung, however long the silence", () => {
  const k = kernel();
  enter(k, 0);
  k.apply({ type: "MARK_STALE", slot_id: 0, reason: "OPERATOR", now_ms: T0 + 2 });
  expect(codes(tick(k, T0 + 86_400_000))).toEqual([]);
});

test("venue timestamps from another era (0 and year 2100) are informational: the fills apply, the kernel's time is the input's", () => {
  const k = kernel();
  enter(k, 0, { size: 2 });
  const cid = k.slot(0).entry_order!.client_order_id;
  feed(k, event("PARTIAL_FILL", cid, 1, 100, { venue_time_ms: 0 }), T0 + 20);
  feed(k, event("FULL_FILL", cid, 2, 100, { venue_time_ms: 4_102_444_800_000 }), T0 + 30);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 2, updated_at_ms: T0 + 30 });
});

test("the executor stamps with the injected clock: a jump ahead and a step back show in updated_at_ms, nothing is refused", async () => {
  const k = kernel();
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 3, clock, prices: { "BTC-USDT": 65_000 } });
  await venue.connect();
  const ex = new Executor(k, venue, clock, { afterApply: () => {} });
  clock.advance(3_600_000);
  const mark = ex.submitStrategy({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 });
  expect(mark.accepted).toBe(true);
  const ahead = ex.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "TJ1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.001,
    price: 60_000,
    leverage: 2,
  });
  expect(ahead.slot?.updated_at_ms).toBe(T0 + 3_600_000);
  await ex.drain(1_000);
  clock.set(T0 - 60_000);
  const back = ex.submitStrategy({ type: "CANCEL", slot_id: 0 });
  expect(back.accepted).toBe(true);
  expect(back.slot?.updated_at_ms).toBe(T0 - 60_000);
  await ex.drain(1_000);
  await Bun.sleep(5);
  expect(k.slot(0).stage).toBe("IDLE");
});

test("a hung order found by TICK after a clock jump is resolved by query: its NEW state clears the flag and a cancel still ends it", async () => {
  const k = kernel();
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": 65_000 }, knobs: { hung: true } });
  await venue.connect();
  const ex = new Executor(k, venue, clock, { afterApply: () => {} });
  ex.submitStrategy({
    type: "ENTER",
    slot_id: 0,
    trade_id: "TH1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.001,
    price: null,
    leverage: 2,
  });
  await ex.drain(1_000);
  clock.advance(HUNG_MS);
  expect(codes(ex.applySystem({ type: "TICK", now_ms: clock.nowMs() }))).toEqual(["HUNG_ORDER"]);
  expect(await ex.resolveByQuery(0)).toBe("EVENT");
  expect(k.slot(0).stage).toBe("ENTRY_WORKING"); // the venue accepted it and reports it NEW: still working
  expect(k.slot(0).entry_order!.hung).toBe(false);
  venue.setKnobs({ hung: undefined });
  ex.submitStrategy({ type: "CANCEL", slot_id: 0 });
  await ex.drain(1_000);
  await Bun.sleep(5);
  expect(k.slot(0).stage).toBe("IDLE");
});
