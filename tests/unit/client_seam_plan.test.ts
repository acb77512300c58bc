/**
 * The decision-to-intent mapping of the TypeScript seam (clients/typescript/seam_plan.ts), one
 * test per rule, like a bridge's mapping tests: each decision kind against the kernel's slots and
 * account (given as data, the way the client reads them) yields exactly the intents the rule
 * names, or one named refusal; sizes from fractions come from the kernel's equity only and are
 * floored to the contract step.
 */

import { describe, expect, test } from "bun:test";
import {
  type Account,
  cancel,
  closeAll,
  floorToStep,
  openLong,
  openShort,
  type PlanContext,
  planDecision,
  type Slot,
  scaleOut,
  stopLoss,
  takeProfit,
} from "../../clients/typescript/index.ts";

function slot(slotId: number, over: Partial<Slot> = {}): Slot {
  return {
    slotId,
    stage: "IDLE",
    tradeId: "",
    asset: "",
    side: null,
    size: 0,
    entryPrice: 0,
    leverage: 0,
    isOpen: false,
    leg: 0,
    realizedPnl: 0,
    unrealizedPnl: 0,
    markPrice: 0,
    fees: 0,
    exitReason: null,
    staleReason: null,
    entryOrder: null,
    exitOrder: null,
    version: 0,
    updatedAtMs: 0,
    ...over,
  };
}

const account = (equity: number, seeded = true): Account => ({
  capital: equity,
  peakCapital: equity,
  drawdown: 0,
  drawdownRatio: 0,
  feesPaid: 0,
  realizedPnlTotal: 0,
  unrealizedPnl: 0,
  equity,
  tradeSeq: 0,
  version: 1,
  seeded,
});

const open = (id: number, asset = "BTC-USDT", size = 0.05) =>
  slot(id, { stage: "POSITION_OPEN", tradeId: `T${id}`, asset, side: "LONG", size, isOpen: true });

function ctx(slots: Slot[], equity = 10_000, seeded = true): PlanContext {
  let n = 0;
  return { slots, account: account(equity, seeded), steps: { "BTC-USDT": 0.001 }, nextTradeId: () => `auto-${++n}` };
}

describe("seam mapping", () => {
  test("OPEN LONG with a size is one ENTER in the first IDLE or CLOSED slot, market when no limit price", () => {
    const p = planDecision(
      openLong("BTC-USDT", { size: 0.01, leverage: 5 }),
      ctx([open(0), slot(1, { stage: "CLOSED" }), slot(2)]),
    );
    expect(p).toEqual({
      intents: [
        {
          type: "ENTER",
          slotId: 1,
          tradeId: "auto-1",
          asset: "BTC-USDT",
          side: "LONG",
          size: 0.01,
          price: null,
          leverage: 5,
        },
      ],
      refusal: null,
      skipped: [],
    });
  });

  test("OPEN SHORT sized by a fraction of the kernel's equity: fraction × equity × leverage ÷ price, floored to the step", () => {
    const p = planDecision(
      openShort("BTC-USDT", { capitalFraction: 0.1, leverage: 3, referencePrice: 65_000, tradeId: "S1", slotId: 2 }),
      ctx([slot(0), slot(1), slot(2)], 12_345),
    );
    expect(p.intents).toEqual([
      {
        type: "ENTER",
        slotId: 2,
        tradeId: "S1",
        asset: "BTC-USDT",
        side: "SHORT",
        size: 0.056,
        price: null,
        leverage: 3,
      },
    ]); // 0.1 × 12345 × 3 ÷ 65000 = 0.05697 → 0.056
  });

  test("the account is the only capital authority: the same decision sizes from whatever equity the kernel reports", () => {
    const d = openLong("BTC-USDT", { capitalFraction: 0.5, leverage: 1, referencePrice: 50_000 });
    const sizes = [1_000, 20_000].map(
      (eq) => (planDecision(d, ctx([slot(0)], eq)).intents[0] as { size: number }).size,
    );
    expect(sizes).toEqual([0.01, 0.2]);
    expect(planDecision(d, ctx([slot(0)], 20_000, false)).refusal).toMatchObject({ code: "ACCOUNT_NOT_SEEDED" });
  });

  test("OPEN refusals: no free slot, both or neither of size and fraction, a fraction below one step", () => {
    expect(planDecision(openLong("BTC-USDT", { size: 1, leverage: 1 }), ctx([open(0)])).refusal).toMatchObject({
      code: "NO_FREE_SLOT",
    });
    expect(
      planDecision(
        openLong("BTC-USDT", { size: 1, capitalFraction: 0.1, leverage: 1, referencePrice: 1 }),
        ctx([slot(0)]),
      ).refusal,
    ).toMatchObject({ code: "BAD_DECISION" });
    expect(planDecision(openLong("BTC-USDT", { leverage: 1 }), ctx([slot(0)])).refusal).toMatchObject({
      code: "BAD_DECISION",
    });
    expect(
      planDecision(
        openLong("BTC-USDT", { capitalFraction: 0.0001, leverage: 1, referencePrice: 65_000 }),
        ctx([slot(0)]),
      ).refusal,
    ).toMatchObject({ code: "BELOW_STEP" });
    expect(
      planDecision(openLong("BTC-USDT", { capitalFraction: 0.1, leverage: 1 }), ctx([slot(0)])).refusal,
    ).toMatchObject({ code: "BAD_DECISION" });
  });

  test("SCALE_OUT a fraction is one EXIT (SIGNAL) of that part of the position, floored to the step", () => {
    expect(planDecision(scaleOut(0, { fraction: 0.5 }), ctx([open(0, "BTC-USDT", 0.055)])).intents).toEqual([
      { type: "EXIT", slotId: 0, size: 0.027, reason: "SIGNAL", price: null },
    ]);
    expect(planDecision(scaleOut(0, { size: 9 }), ctx([open(0)])).intents).toEqual([
      { type: "EXIT", slotId: 0, size: 0.05, reason: "SIGNAL", price: null },
    ]); // never more than the position
  });

  test("SCALE_OUT refusals: the slot is not open, a fraction below one step, no such slot", () => {
    expect(planDecision(scaleOut(0, { fraction: 0.5 }), ctx([slot(0)])).refusal).toMatchObject({
      code: "NOT_OPEN",
      slotId: 0,
    });
    expect(planDecision(scaleOut(0, { fraction: 0.001 }), ctx([open(0, "BTC-USDT", 0.05)])).refusal).toMatchObject({
      code: "BELOW_STEP",
    });
    expect(planDecision(scaleOut(7, { fraction: 0.5 }), ctx([open(0)])).refusal).toMatchObject({
      code: "NO_SUCH_SLOT",
    });
  });

  test("TAKE_PROFIT and STOP_LOSS exit the whole position by default, with reasons TP and SL", () => {
    expect(planDecision(takeProfit(0, { limitPrice: 70_000 }), ctx([open(0)])).intents).toEqual([
      { type: "EXIT", slotId: 0, size: 0.05, reason: "TP", price: 70_000 },
    ]);
    expect(planDecision(stopLoss(0, { size: 0.02 }), ctx([open(0)])).intents).toEqual([
      { type: "EXIT", slotId: 0, size: 0.02, reason: "SL", price: null },
    ]);
    expect(planDecision(stopLoss(0), ctx([slot(0, { stage: "ENTRY_WORKING" })])).refusal).toMatchObject({
      code: "NOT_OPEN",
    });
  });

  test("CANCEL is one CANCEL of the slot's working order; the kernel judges whether there is one", () => {
    expect(planDecision(cancel(1), ctx([slot(0), slot(1)])).intents).toEqual([{ type: "CANCEL", slotId: 1 }]);
  });

  test("CLOSE_ALL cancels working entries, exits open positions, and leaves exiting and reconciling slots alone", () => {
    const slots = [
      slot(0, { stage: "ENTRY_WORKING" }),
      open(1, "ETH-USDT", 2),
      slot(2, { stage: "EXIT_WORKING" }),
      slot(3, { stage: "STALE_STATE_RECONCILING" }),
      slot(4, { stage: "CLOSED" }),
    ];
    expect(planDecision(closeAll("SL"), ctx(slots))).toEqual({
      intents: [
        { type: "CANCEL", slotId: 0 },
        { type: "EXIT", slotId: 1, size: 2, reason: "SL", price: null },
      ],
      refusal: null,
      skipped: [
        { slotId: 2, stage: "EXIT_WORKING" },
        { slotId: 3, stage: "STALE_STATE_RECONCILING" },
      ],
    });
  });

  test("floorToStep is exact in decimal", () => {
    expect([floorToStep(0.0569, 0.001), floorToStep(1.0, 0.1), floorToStep(0.3, 0.1), floorToStep(14.99, 1)]).toEqual([
      0.056, 1, 0.3, 14,
    ]);
  });
});
