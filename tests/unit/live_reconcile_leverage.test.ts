/**
 * A leverage changed at the venue behind the process's back (an operator on BingX's page, another
 * process), found by live reconciliation: the same scenarios over the mock venue and over bingx-sim
 * (the change made by its admin out-of-band `set_leverage`), a real kernel and executor each.
 *
 * Left unseen, the next entry at 5 would be placed at the venue's 20 (four times the exposure per
 * margin), and an open position is held at 20 while the kernel believes 5. What must happen:
 * - flat: the next pass reports one VENUE_MISMATCH (field LEVERAGE, no slot) and forgets the value
 *   set, so the next entry sets the strategy's leverage again: the venue holds it afterwards; the
 *   pass after reports nothing more;
 * - a position held: one VENUE_MISMATCH naming the slot and the leverage the position is held at,
 *   not repeated while it persists; once the venue agrees again it is cleared, and a new change is
 *   reported again;
 * - after a restart (the process set nothing yet) a slot's leverage is checked against the venue's;
 * - a leverage read refused for the venue's rate limit is waited out as the pass's other reads are;
 *   a read that fails is one log line and no finding.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { PositionSide, VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { realTimeAdapter } from "../_support/bingx_sim.ts";
import { mockVenue } from "../_support/executor.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";
import { testReconciler } from "../_support/live.ts";
import { until } from "../_support/runtime.ts";

const kernels: ExecutionKernel[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Bun.sleep(20); // the venue's last deliveries land before the kernels go
  for (const stop of stops.splice(0)) await stop();
  for (const k of kernels.splice(0)) k.destroy();
});

/** A venue, and how someone else changes its leverage (no call of this process) and how it is read. */
interface Venue {
  adapter: VenueAdapter;
  byHand(side: PositionSide, leverage: number): Promise<void>;
  clock: SystemClock | ManualClock;
}

const venues: Record<string, () => Promise<Venue>> = {
  mock: async () => {
    const clock = new ManualClock(T0);
    const mock = await mockVenue(21, clock);
    stops.push(() => mock.close());
    return {
      adapter: mock,
      clock,
      byHand: (side, leverage) => mock.setLeverage("BTC-USDT", side, leverage), // straight at the venue
    };
  },
  "bingx-sim": async () => {
    const { sim, adapter } = await realTimeAdapter(stops, { seed: 21, prices: { "BTC-USDT": 65_000 } });
    return {
      adapter,
      clock: new SystemClock(),
      byHand: async (side, leverage) => {
        const body = JSON.stringify({ action: "set_leverage", symbol: "BTC-USDT", positionSide: side, leverage });
        const r = await fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body });
        expect(r.status).toBe(200);
      },
    };
  },
};

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

/** A kernel and executor over `venue.adapter` (or `adapter`), a reconciler, its diagnostics and log. */
function processOver(venue: Venue, adapter: VenueAdapter = venue.adapter, kernel?: ExecutionKernel) {
  const k = kernel ?? freshKernel({ slots: 2, capital: 10_000 });
  if (!kernel) kernels.push(k);
  const executor = new Executor(k, adapter, venue.clock, { afterApply: () => {}, sleep: async () => {} });
  const diags: DiagnosticRecord[] = [];
  const logs: string[] = [];
  const r = testReconciler({ kernel: k, executor, venue: adapter, clock: venue.clock }, diags, (l) => logs.push(l));
  const leverageFindings = () => diags.filter((d) => d.code === "VENUE_MISMATCH" && d.details.field === "LEVERAGE");
  const trade = async (intent: Extract<StrategyIntent, { type: "ENTER" | "EXIT" }>, stage: string) => {
    executor.submitStrategy(intent);
    await until(() => k.slot(intent.slot_id).stage === stage);
    await executor.drain(1_000);
  };
  return { kernel: k, executor, r, diags, logs, leverageFindings, trade };
}

const venueLong = async (adapter: VenueAdapter) => (await adapter.leverageOf("BTC-USDT")).LONG;

for (const [name, make] of Object.entries(venues)) {
  describe(`leverage changed behind the process's back (${name})`, () => {
    test("flat: one VENUE_MISMATCH at the next pass, none at the pass after; the next entry is placed at the strategy's leverage", async () => {
      const v = await make();
      const p = processOver(v);
      await p.trade(entry(0, "LV1"), "POSITION_OPEN");
      await p.trade({ type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "TP" }, "CLOSED");
      await p.r.pass();
      expect(p.leverageFindings()).toEqual([]); // the venue holds what this process set
      await v.byHand("LONG", 20);
      await p.r.pass();
      const [found, ...more] = p.leverageFindings();
      expect(more).toEqual([]);
      expect(found).toMatchObject({
        severity: "WARNING",
        slot_id: null,
        details: { field: "LEVERAGE", asset: "BTC-USDT", side: "LONG", venue_leverage: 20, leverage: 5 },
      });
      for (const part of ["BTC-USDT LONG", "is 20", "not 5", "the next entry sets 5 again"])
        expect(found!.message).toContain(part);
      await p.r.pass();
      expect(p.leverageFindings().length).toBe(1);
      await p.trade(entry(1, "LV2"), "POSITION_OPEN");
      expect(await venueLong(v.adapter)).toBe(5);
      expect((await v.adapter.positions("BTC-USDT")).map((x) => x.leverage)).toEqual([5]);
      await p.r.pass();
      expect(p.leverageFindings().length).toBe(1);
    });

    test("a position held: VENUE_MISMATCH naming the slot, once while it persists, again after the venue agreed in between", async () => {
      const v = await make();
      const p = processOver(v);
      await p.trade(entry(0, "LH1"), "POSITION_OPEN");
      await v.byHand("LONG", 20);
      await p.r.pass();
      await p.r.pass();
      expect(p.leverageFindings().map((d) => [d.slot_id, d.details.venue_leverage, d.details.leverage])).toEqual([
        [0, 20, 5],
      ]);
      const message = p.leverageFindings()[0]!.message;
      expect(message).toStartWith("slot 0: ");
      expect(message).toContain("the open position is held at the venue's 20");
      await v.byHand("LONG", 5);
      await p.r.pass();
      expect(p.logs.some((l) => l.includes("agrees with the venue again"))).toBe(true);
      await v.byHand("LONG", 20);
      await p.r.pass();
      expect(p.leverageFindings().length).toBe(2);
    });
  });
}

test("after a restart the process set nothing: a slot's leverage is checked against the venue's (mock)", async () => {
  const v = await venues.mock!();
  const before = processOver(v);
  await before.trade(entry(0, "LR1"), "POSITION_OPEN");
  // The next process: the same kernel state, a new executor whose leverage cache is empty (no events twice).
  const quiet: VenueAdapter = Object.create(v.adapter, { onEvent: { value: () => () => {} } });
  const after = processOver(v, quiet, before.kernel);
  await after.r.pass();
  expect(after.leverageFindings()).toEqual([]); // the slot's 5 is the venue's
  await v.byHand("LONG", 20);
  await after.r.pass();
  await after.r.pass();
  expect(after.leverageFindings().map((d) => [d.slot_id, d.details.venue_leverage, d.details.leverage])).toEqual([
    [0, 20, 5],
  ]);
  expect(after.leverageFindings()[0]!.message).toContain("(the slot's)");
});

test("a leverage read refused for the rate limit is waited out; a failed one is a log line and no finding (mock)", async () => {
  const v = await venues.mock!();
  const answers: Array<"limit" | "fail"> = [];
  const venue: VenueAdapter = Object.create(v.adapter, {
    leverageOf: {
      value: (asset: string) => {
        const next = answers.shift();
        if (next === "limit")
          throw Object.assign(new Error("rate limited"), { rate_limited: true, retry_after_ms: 50 });
        if (next === "fail") throw new Error("leverage: connection reset");
        return v.adapter.leverageOf(asset);
      },
    },
  });
  const p = processOver(v, venue);
  await p.trade(entry(0, "LL1"), "POSITION_OPEN");
  await v.byHand("LONG", 20);
  answers.push("fail");
  await p.r.pass();
  expect(p.leverageFindings()).toEqual([]);
  expect(p.logs.some((l) => l.includes("leverage of BTC-USDT not read (leverage: connection reset)"))).toBe(true);
  expect(p.executor.leverage.isSet("BTC-USDT", "LONG", 5)).toBe(true); // nothing forgotten
  answers.push("limit");
  await p.r.pass();
  expect(p.logs.some((l) => l.includes("leverage of BTC-USDT: rate limited by the venue; waiting 50 ms"))).toBe(true);
  expect(p.leverageFindings().map((d) => d.slot_id)).toEqual([0]);
});
