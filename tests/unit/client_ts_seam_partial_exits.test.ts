/**
 * Partial exits through the TypeScript seam (clients/typescript/seam_plan.ts) against the contract's
 * quantity step: every exit size the seam plans — a ScaleOut's fraction or size, a TakeProfit's or
 * StopLoss's size — is a whole number of steps that the edge's size rules
 * (src/venue/bingx/contract_rules.ts `sizeRuleBreach`) accept, and that the encoder carries; a size
 * that floors to nothing is the seam's BELOW_STEP; a part whose remainder would be less than one step
 * (dust no later exit could close) exits the whole position; a sequence of partial exits sized with
 * float arithmetic ends exactly flat. The Python seam does the same (tests/test_seam_partial_exits.py,
 * and tests/unit/client_cross_agree.test.ts runs the same cases through both).
 */

import { describe, expect, test } from "bun:test";
import {
  type Decision,
  encodeIntent,
  type Intent,
  type PlanContext,
  planDecision,
  type Slot,
  scaleOut,
  stopLoss,
  takeProfit,
} from "../../clients/typescript/index.ts";
import { sizeRuleBreach } from "../../src/venue/index.ts";
import { blankSlot, seededAccount } from "../_support/client_fakes.ts";
import { BTC_RULES as BTC } from "../_support/venue_data.ts";

/** A long position of exactly `units` of 1e-8 on `asset`, as the kernel's slot image carries it. */
const held = (units: bigint, asset = "BTC-USDT"): Slot =>
  blankSlot(0, {
    stage: "POSITION_OPEN",
    tradeId: "T0",
    asset,
    side: "LONG",
    size: Number(units) / 1e8,
    sizeE8: units,
    isOpen: true,
  });

const ctx = (slot: Slot, steps: Record<string, number> = { "BTC-USDT": 0.0001 }): PlanContext => ({
  slots: [slot],
  account: seededAccount(10_000),
  steps,
  nextTradeId: () => "t1",
});

/** The units the encoder writes for an exit's size (throws InvalidIntentError when it cannot carry it). */
function units(i: Intent): bigint {
  const out = new Uint8Array(320);
  encodeIntent(i, 0, new Uint8Array(8), out);
  return new DataView(out.buffer).getBigInt64(16, true);
}

function exitOf(d: Decision, slot: Slot, steps?: Record<string, number>): Intent {
  const p = planDecision(d, ctx(slot, steps));
  expect(p.refusal).toBeNull();
  expect(p.intents).toHaveLength(1);
  return p.intents[0] as Intent;
}

describe("an exit size off the step is floored to it, a size the edge accepts", () => {
  test("ScaleOut, TakeProfit and StopLoss of an explicit size off the step exit the largest multiple of the step below it", () => {
    const slot = held(30_000n); // 0.0003 BTC
    for (const [d, size] of [
      [scaleOut(0, { size: 0.00015 }), 0.0001],
      [takeProfit(0, { size: 0.00025 }), 0.0002],
      [stopLoss(0, { size: 0.00025 }), 0.0002],
    ] as const) {
      const exit = exitOf(d, slot);
      expect(exit).toMatchObject({ type: "EXIT", slotId: 0, size });
      expect(sizeRuleBreach(BTC, size)).toBeNull();
    }
  });

  test("an explicit exit size below one step is the seam's BELOW_STEP refusal, never an intent the edge refuses", () => {
    for (const d of [
      scaleOut(0, { size: 0.00005 }),
      takeProfit(0, { size: 0.00005 }),
      stopLoss(0, { size: 0.00009 }),
    ]) {
      const p = planDecision(d, ctx(held(30_000n)));
      expect(p.intents).toEqual([]);
      expect(p.refusal).toMatchObject({ code: "BELOW_STEP", slotId: 0 });
    }
  });

  test("an explicit exit size with float residue (0.1 + 0.2, 1 / 3) is floored to the step, never refused for a ninth decimal", () => {
    const slot = held(100_000_000n); // 1 BTC
    expect(units(exitOf(scaleOut(0, { size: 0.1 + 0.2 }), slot))).toBe(30_000_000n);
    expect(units(exitOf(takeProfit(0, { size: 1 / 3 }), slot))).toBe(33_330_000n);
    expect(units(exitOf(stopLoss(0, { size: 0.7 - 0.4 }), slot))).toBe(30_000_000n); // 0.29999999999999993
  });

  test("an explicit exit size above 2^53 units is floored to the step exactly in units", () => {
    const slot = held(20_000_000_000_000_000n, "SHIB-USDT"); // 200000000 SHIB, step 1
    const exit = exitOf(scaleOut(0, { size: 123_456_789.5 }), slot, { "SHIB-USDT": 1 });
    expect(units(exit)).toBe(12_345_678_900_000_000n);
  });
});

describe("a partial exit never leaves dust", () => {
  test("a part whose remainder would be less than one step exits the whole position", () => {
    const slot = held(15_000n); // 0.00015 BTC: a position off the step (the venue's step changed since)
    for (const d of [scaleOut(0, { fraction: 0.9 }), scaleOut(0, { size: 0.0001 }), stopLoss(0, { size: 0.0001 })])
      expect(units(exitOf(d, slot))).toBe(15_000n);
  });

  test("a part that leaves at least one step stays a part", () => {
    expect(units(exitOf(scaleOut(0, { fraction: 0.5 }), held(30_000n)))).toBe(10_000n); // 0.00015 → 0.0001
    expect(units(exitOf(stopLoss(0, { size: 0.0002 }), held(30_000n)))).toBe(20_000n);
  });
});

describe("a sequence of partial exits ends exactly flat", () => {
  /** Plans each decision against the position left by the exits before it; the units of each exit. */
  function run(position: bigint, decisions: Array<(left: Slot) => Decision>): bigint[] {
    let left = position;
    const out: bigint[] = [];
    for (const next of decisions) {
      const slot = held(left);
      const exit = exitOf(next(slot), slot);
      const n = units(exit);
      out.push(n);
      left -= n;
    }
    expect(left).toBe(0n);
    return out;
  }

  test("a third, a half, then all of it: the last exit is exactly the rest", () => {
    expect(
      run(100_000_000n, [
        () => scaleOut(0, { fraction: 1 / 3 }),
        () => scaleOut(0, { fraction: 0.5 }),
        () => scaleOut(0, { fraction: 1 }),
      ]),
    ).toEqual([33_330_000n, 33_330_000n, 33_340_000n]);
  });

  test("three exits of 33% of what is left, sized with float products, then take profit of the rest", () => {
    expect(
      run(100_000_000n, [
        (s) => scaleOut(0, { size: s.size * 0.33 }),
        (s) => scaleOut(0, { size: s.size * 0.33 }),
        (s) => stopLoss(0, { size: s.size * 0.33 }),
        () => takeProfit(0),
      ]),
    ).toEqual([33_000_000n, 22_110_000n, 14_810_000n, 30_080_000n]);
  });
});
