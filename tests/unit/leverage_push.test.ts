/**
 * A leverage the venue pushes (`VenueAdapter.onLeverage`; BingX's ACCOUNT_CONFIG_UPDATE) checked at
 * once by the leverage watch (src/launcher/_leverage_push.ts), with no live reconciliation pass:
 * - a change behind the process's back is one VENUE_MISMATCH (field LEVERAGE; naming the slot holding
 *   that asset and side), the value set is forgotten, and the next entry sets the strategy's leverage
 *   again before it is placed; after a restart (nothing set yet) the slot's own leverage is expected;
 * - a push that agrees again clears the finding (logged), so a later change is reported again; a
 *   push repeating a known state takes no read; a pass after a push does not report it twice;
 * - a push about an asset this process never set and no slot trades is ignored (no read);
 * - a push raced by a leverage call of this process is never misread: one arriving while the call is
 *   out is not read, and one sent before the call took effect but delivered after its answer is read
 *   against the venue, which holds the call's value;
 * - a read older than another read of the asset that answered first is void (a pass and a push overlap);
 * - nothing is read or reported once shutdown began, and a listener never throws.
 */

import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord, SlotRecord } from "../../src/contracts/records.ts";
import type { PositionSide, VenueAdapter, VenueLeverage, VenueLeverageListener } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { LeverageCache } from "../../src/launcher/_leverage.ts";
import { leveragePushNews, watchLeveragePushes } from "../../src/launcher/_leverage_push.ts";
import { LeverageWatch } from "../../src/launcher/_leverage_watch.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { mockVenue } from "../_support/executor.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";
import { until } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Bun.sleep(20); // the venue's last deliveries land before the kernels go
  for (const stop of stops.splice(0)) await stop();
  for (const k of kernels.splice(0)) k.destroy();
});

const entry = (slot_id: number, trade_id: string, leverage = 5): Extract<StrategyIntent, { type: "ENTER" }> => ({
  type: "ENTER",
  slot_id,
  trade_id,
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  price: null,
  leverage,
});

const isLeverageFinding = (d: DiagnosticRecord) => d.code === "VENUE_MISMATCH" && d.details.field === "LEVERAGE";

/** A kernel and executor over the mock venue, its pushes watched (no reconciler runs); reads counted. */
async function process() {
  const clock = new ManualClock(T0);
  const mock = await mockVenue(21, clock);
  stops.push(() => mock.close());
  const kernel = freshKernel({ slots: 2, capital: 10_000 });
  kernels.push(kernel);
  const executor = new Executor(kernel, mock, clock, { afterApply: () => {}, sleep: async () => {} });
  const diags: DiagnosticRecord[] = [];
  const logs: string[] = [];
  const reads: string[] = [];
  let stopped = false;
  const venue = Object.create(mock, {
    leverageOf: {
      value: (asset: string) => {
        reads.push(asset);
        return mock.leverageOf(asset);
      },
    },
  }) as VenueAdapter;
  const d = {
    kernel,
    executor,
    venue,
    clock,
    report: (x: DiagnosticRecord) => void diags.push(x),
    log: (line: string) => void logs.push(line),
    stopped: () => stopped,
    sleep: async () => {},
  };
  watchLeveragePushes(d);
  const findings = () => diags.filter(isLeverageFinding);
  const trade = async (intent: Extract<StrategyIntent, { type: "ENTER" | "EXIT" }>, stage: string) => {
    executor.submitStrategy(intent);
    await until(() => kernel.slot(intent.slot_id).stage === stage);
    await executor.drain(1_000);
    await Bun.sleep(5); // the push of this process's own leverage call lands (it agrees: nothing happens)
  };
  /** Someone else changes the venue's leverage (BingX's page, another process): the mock pushes it. */
  const byHand = (side: PositionSide, leverage: number, asset = "BTC-USDT") => mock.setLeverage(asset, side, leverage);
  return { mock, kernel, executor, d, diags, logs, reads, findings, trade, byHand, stop: () => (stopped = true) };
}

test("a position held: a pushed change is one VENUE_MISMATCH naming the slot at once, and the value set is forgotten", async () => {
  const p = await process();
  await p.trade(entry(0, "PH1"), "POSITION_OPEN");
  expect(p.executor.leverage.remembered("BTC-USDT", "LONG")).toBe(5);
  await p.byHand("LONG", 20);
  await until(() => p.findings().length === 1);
  expect(p.findings()[0]).toMatchObject({
    severity: "WARNING",
    slot_id: 0,
    details: { field: "LEVERAGE", asset: "BTC-USDT", side: "LONG", venue_leverage: 20, leverage: 5 },
  });
  expect(p.findings()[0]!.message).toContain("the open position is held at the venue's 20");
  expect(p.executor.leverage.remembered("BTC-USDT", "LONG")).toBeUndefined();
  await p.mock.setLeverage("BTC-USDT", "LONG", 20); // the same value again: no push, nothing more
  await Bun.sleep(20);
  expect(p.findings().length).toBe(1);
});

test("flat: the finding names no slot, and the next entry sets the strategy's leverage again before it is placed", async () => {
  const p = await process();
  await p.trade(entry(0, "PF1"), "POSITION_OPEN");
  await p.trade({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP" }, "CLOSED");
  await p.byHand("LONG", 20);
  await until(() => p.findings().length === 1);
  expect(p.findings()[0]).toMatchObject({ slot_id: null, details: { venue_leverage: 20, leverage: 5 } });
  await p.trade(entry(1, "PF2"), "POSITION_OPEN");
  expect((await p.mock.leverageOf("BTC-USDT")).LONG).toBe(5);
  expect((await p.mock.positions("BTC-USDT")).map((x) => x.leverage)).toEqual([5]);
  expect(p.findings().length).toBe(1); // the process's own call pushed 5: it agrees
});

test("a push that agrees again clears the finding (logged); a later change is reported again; repeats take no read", async () => {
  const p = await process();
  await p.trade(entry(0, "PC1"), "POSITION_OPEN");
  await p.byHand("LONG", 20);
  await until(() => p.findings().length === 1);
  const readsAfterFinding = p.reads.length;
  const repeat: VenueLeverage = { asset: "BTC-USDT", long: 20, short: 10, margin_mode: "cross", venue_time_ms: T0 };
  expect(leveragePushNews(p.d, repeat)).toBe(false); // the venue's periodic repeat of a reported state
  await p.byHand("LONG", 5);
  await until(() =>
    p.logs.some((l) => l.includes("leverage push: leverage of BTC-USDT LONG agrees with the venue again")),
  );
  expect(p.reads.length).toBe(readsAfterFinding + 1);
  await p.byHand("LONG", 20);
  await until(() => p.findings().length === 2);
  expect(p.findings().map((f) => f.details.venue_leverage)).toEqual([20, 20]);
});

test("a live reconciliation pass after a push does not report the same change again", async () => {
  const p = await process();
  await p.trade(entry(0, "PP1"), "POSITION_OPEN");
  await p.byHand("LONG", 20);
  await until(() => p.findings().length === 1);
  await new LeverageWatch().pass(p.d, (_what, call) => call());
  expect(p.findings().length).toBe(1);
});

test("a push about an asset this process never set and no slot trades is ignored: no read, no finding", async () => {
  const p = await process();
  await p.trade(entry(0, "PI1"), "POSITION_OPEN");
  const reads = p.reads.length;
  await p.byHand("LONG", 20, "ETH-USDT");
  await p.byHand("SHORT", 3, "ETH-USDT");
  await Bun.sleep(30);
  expect(p.reads.length).toBe(reads);
  expect(p.findings()).toEqual([]);
});

test("once shutdown began a push is neither read nor reported", async () => {
  const p = await process();
  await p.trade(entry(0, "PS1"), "POSITION_OPEN");
  p.stop();
  const reads = p.reads.length;
  await p.byHand("LONG", 20);
  await Bun.sleep(30);
  expect(p.reads.length).toBe(reads);
  expect(p.findings()).toEqual([]);
});

/** A venue whose leverage, calls and pushes the test drives: calls can be held, pushes are sent by hand. */
function scriptedVenue() {
  const held = new Map<string, number>();
  const listeners = new Set<VenueLeverageListener>();
  const gates: Array<() => void> = [];
  const knobs = { holdCalls: false };
  const reads: string[] = [];
  const of = (asset: string) => ({ LONG: held.get(`${asset}:LONG`) ?? 10, SHORT: held.get(`${asset}:SHORT`) ?? 10 });
  const venue = {
    onEvent: () => () => {},
    onLeverage: (l: VenueLeverageListener) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    setLeverage: async (asset: string, side: PositionSide, leverage: number) => {
      if (knobs.holdCalls) await new Promise<void>((resolve) => gates.push(resolve));
      held.set(`${asset}:${side}`, leverage);
    },
    leverageOf: async (asset: string) => {
      reads.push(asset);
      return of(asset);
    },
  } as unknown as VenueAdapter & { onLeverage(l: VenueLeverageListener): () => void };
  const push = (asset: string, long: number, short = 10) => {
    for (const l of listeners) l({ asset, long, short, margin_mode: "cross", venue_time_ms: T0 });
  };
  const byHand = (asset: string, side: PositionSide, leverage: number) => held.set(`${asset}:${side}`, leverage);
  const release = () => {
    for (const open of gates.splice(0)) open();
  };
  return { venue, knobs, reads, push, byHand, release };
}

/** The watch over `v` with no slot: only what the cache set is checked. */
function watchOver(v: ReturnType<typeof scriptedVenue>, slots: SlotRecord[] = []) {
  const cache = new LeverageCache(v.venue, async () => {});
  const diags: DiagnosticRecord[] = [];
  watchLeveragePushes({
    kernel: { slots: () => slots },
    executor: { leverage: cache },
    venue: v.venue,
    clock: new ManualClock(T0),
    report: (x) => void diags.push(x),
    log: () => {},
    stopped: () => false,
    sleep: async () => {},
  });
  return { cache, findings: () => diags.filter(isLeverageFinding) };
}

const turns = async () => {
  for (let i = 0; i < 5; i++) await Bun.sleep(1);
};

test("a push arriving while this process's leverage call of that asset is out is not read, not a finding", async () => {
  const v = scriptedVenue();
  const w = watchOver(v);
  await w.cache.ensure("BTC-USDT", "LONG", 5);
  v.knobs.holdCalls = true;
  const call = w.cache.ensure("BTC-USDT", "LONG", 8); // the entry's call is out
  const reads = v.reads.length;
  v.byHand("BTC-USDT", "LONG", 8); // the venue took it and pushed it before answering
  v.push("BTC-USDT", 8);
  v.push("BTC-USDT", 20); // or someone else's change, about to be overwritten by the call
  await turns();
  expect(v.reads.length).toBe(reads); // not read while the call is out: the venue's value is about to change
  v.release();
  await call;
  await turns();
  expect(v.reads.length).toBe(reads); // nothing expected there while the call is out: the call decides
  expect(w.cache.isSet("BTC-USDT", "LONG", 8)).toBe(true);
  expect(w.findings()).toEqual([]);
});

test("a reported change cleared by this process's own call is cleared by the push that arrives while the call is out", async () => {
  const v = scriptedVenue();
  const w = watchOver(v);
  await w.cache.ensure("BTC-USDT", "LONG", 5);
  v.byHand("BTC-USDT", "LONG", 20);
  v.push("BTC-USDT", 20);
  await turns();
  expect(w.findings().length).toBe(1);
  v.knobs.holdCalls = true;
  const call = w.cache.ensure("BTC-USDT", "LONG", 5); // the next entry sets 5 again
  v.byHand("BTC-USDT", "LONG", 5);
  v.push("BTC-USDT", 5); // the venue pushes it before the call answers
  await turns();
  expect(v.reads.length).toBe(1); // not read while the call is out
  v.release();
  await call;
  await turns();
  expect(v.reads.length).toBe(2); // read once the call answered: the venue agrees with the 5 set
  expect(w.cache.reported.size).toBe(0); // cleared: a later change to 20 is reported again
  v.byHand("BTC-USDT", "LONG", 20);
  v.push("BTC-USDT", 20);
  await turns();
  expect(w.findings().length).toBe(2);
});

test("a push sent before this process's call took effect and delivered after its answer is read, not misread", async () => {
  const v = scriptedVenue();
  const w = watchOver(v);
  await w.cache.ensure("BTC-USDT", "LONG", 5);
  v.byHand("BTC-USDT", "LONG", 20); // someone else's change; its push is still on its way
  await w.cache.ensure("BTC-USDT", "LONG", 8); // this process's call sets 8 over it
  v.push("BTC-USDT", 20); // the late push about the change the call overwrote
  await turns();
  expect(v.reads).toEqual(["BTC-USDT"]); // read at once: the venue holds the call's 8
  expect(w.cache.isSet("BTC-USDT", "LONG", 8)).toBe(true);
  expect(w.findings()).toEqual([]);
});

test("a push that would be a new finding is confirmed by a read: a push the venue contradicts reports nothing", async () => {
  const v = scriptedVenue();
  const w = watchOver(v);
  await w.cache.ensure("BTC-USDT", "SHORT", 3);
  v.push("BTC-USDT", 10, 7); // the push says 7, the venue still holds 3
  await turns();
  expect(v.reads).toEqual(["BTC-USDT"]);
  expect(w.findings()).toEqual([]);
  expect(w.cache.isSet("BTC-USDT", "SHORT", 3)).toBe(true);
  v.byHand("BTC-USDT", "SHORT", 7);
  v.push("BTC-USDT", 10, 7);
  await turns();
  expect(w.findings().map((f) => [f.details.side, f.details.venue_leverage, f.details.leverage])).toEqual([
    ["SHORT", 7, 3],
  ]);
});

test("after a restart (nothing set yet) a push is checked against the leverage of the slot holding that side", async () => {
  const v = scriptedVenue();
  const slot = { slot_id: 1, asset: "BTC-USDT", side: "LONG", stage: "POSITION_OPEN", size: 0.01, leverage: 5 };
  const w = watchOver(v, [slot as unknown as SlotRecord]);
  v.byHand("BTC-USDT", "LONG", 5);
  v.push("BTC-USDT", 5); // agrees with the slot: no news, no read
  await turns();
  expect(v.reads).toEqual([]);
  v.byHand("BTC-USDT", "LONG", 20);
  v.push("BTC-USDT", 20);
  await turns();
  const [found] = w.findings();
  expect(found).toMatchObject({ slot_id: 1, details: { side: "LONG", venue_leverage: 20, leverage: 5 } });
  expect(found!.message).toContain("(the slot's)");
});

test("a pass's read that answers after a push's later read of the same asset is void: the newer answer stands", async () => {
  const v = scriptedVenue();
  const cache = new LeverageCache(v.venue, async () => {});
  await cache.ensure("BTC-USDT", "LONG", 5);
  let answerOld: (x: Record<PositionSide, number>) => void = () => {};
  const slowPass = cache.verify(() => new Promise((resolve) => (answerOld = resolve))); // read 5, slow to answer
  v.byHand("BTC-USDT", "LONG", 20);
  const push = await cache.verify(undefined, [], "BTC-USDT"); // started later, answers first: 20
  expect(push.changes).toEqual([{ asset: "BTC-USDT", side: "LONG", set: 5, venue: 20 }]);
  answerOld({ LONG: 5, SHORT: 10 });
  const pass = await slowPass;
  expect(pass.venue.size).toBe(0); // the older answer (5) is not taken as the venue's
  expect(cache.remembered("BTC-USDT", "LONG")).toBeUndefined();
});

test("pushes that come while an asset is being checked make one more check after it, not one each", async () => {
  const v = scriptedVenue();
  const w = watchOver(v);
  await w.cache.ensure("BTC-USDT", "LONG", 5);
  v.byHand("BTC-USDT", "LONG", 20);
  for (let i = 0; i < 10; i++) v.push("BTC-USDT", 20);
  await turns();
  expect(v.reads.length).toBeLessThanOrEqual(2);
  expect(w.findings().length).toBe(1);
});

test("a listener never throws: a kernel that fails under a push is one log line", async () => {
  const v = scriptedVenue();
  const logs: string[] = [];
  const cache = new LeverageCache(v.venue, async () => {});
  await cache.ensure("BTC-USDT", "LONG", 5);
  watchLeveragePushes({
    kernel: {
      slots: () => {
        throw new Error("kernel destroyed");
      },
    },
    executor: { leverage: cache },
    venue: v.venue,
    clock: new ManualClock(T0),
    report: () => {},
    log: (l) => void logs.push(l),
    stopped: () => false,
    sleep: async () => {},
  });
  expect(() => v.push("BTC-USDT", 20)).not.toThrow();
  expect(logs).toEqual(["leverage push: kernel destroyed"]);
});

test("a reported change that this process's own call set right again is reported again when it recurs, and forgotten", async () => {
  const v = scriptedVenue();
  const w = watchOver(v);
  await w.cache.ensure("BTC-USDT", "LONG", 5);
  v.byHand("BTC-USDT", "LONG", 20); // someone sets 20: reported, 5 forgotten
  v.push("BTC-USDT", 20);
  await turns();
  expect(w.findings().length).toBe(1);
  v.byHand("BTC-USDT", "LONG", 5); // and puts 5 back (no slot trades BTC: nothing to judge that push by)
  v.push("BTC-USDT", 5);
  await turns();
  await w.cache.ensure("BTC-USDT", "LONG", 5); // the next entry sets 5: the venue holds it already, nothing pushed
  expect(w.cache.isSet("BTC-USDT", "LONG", 5)).toBe(true);
  v.byHand("BTC-USDT", "LONG", 20); // someone sets 20 again
  v.push("BTC-USDT", 20);
  await turns();
  expect(w.findings().length).toBe(2); // a new change: reported
  expect(w.cache.isSet("BTC-USDT", "LONG", 5)).toBe(false); // and forgotten: the next entry sets 5 again, not placed at 20
});

test("on the mock: a change put back by hand, then made again after the next entry set its leverage, is reported and the entry after sets 5, not placed at 20", async () => {
  const p = await process();
  await p.trade(entry(0, "PR1"), "POSITION_OPEN");
  await p.trade({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP" }, "CLOSED");
  await p.byHand("LONG", 20);
  await until(() => p.findings().length === 1);
  await p.byHand("LONG", 5); // put back by hand; no slot trades BTC-USDT
  await Bun.sleep(20);
  await p.trade(entry(1, "PR2"), "POSITION_OPEN"); // sets 5: the mock holds 5 already, nothing is pushed
  await p.trade({ type: "EXIT", slot_id: 1, size: 0.01, price: null, reason: "TP" }, "CLOSED");
  await p.byHand("LONG", 20); // changed again behind the process's back
  await Bun.sleep(30); // the push lands and any check it asks for reads and reports
  expect(p.findings().length).toBe(2);
  await p.trade(entry(0, "PR3"), "POSITION_OPEN");
  expect((await p.mock.positions("BTC-USDT")).map((x) => x.leverage)).toEqual([5]); // not the venue's 20
});

test("a live pass too reports a change of a value set again, though the venue's leverage is the one reported before", async () => {
  const v = scriptedVenue();
  const w = watchOver(v);
  const d = {
    kernel: { slots: () => [] },
    executor: { leverage: w.cache },
    venue: v.venue,
    clock: new ManualClock(T0),
    report: () => {},
    log: () => {},
    stopped: () => false,
  };
  const diags: DiagnosticRecord[] = [];
  const pass = () => new LeverageWatch().pass({ ...d, report: (x) => void diags.push(x) }, (_what, call) => call());
  await w.cache.ensure("BTC-USDT", "LONG", 5);
  v.byHand("BTC-USDT", "LONG", 20);
  await pass();
  expect(diags.length).toBe(1);
  v.byHand("BTC-USDT", "LONG", 5); // put back by hand: no pass reads an asset nothing is set for and no slot trades
  await w.cache.ensure("BTC-USDT", "LONG", 5); // the next entry sets 5 (nothing changes at the venue)
  v.byHand("BTC-USDT", "LONG", 20);
  await pass();
  expect(diags.map((x) => x.details.venue_leverage)).toEqual([20, 20]);
  expect(w.cache.remembered("BTC-USDT", "LONG")).toBeUndefined();
});
