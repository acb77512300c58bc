/**
 * The decision-to-intent mapping of the TypeScript seam (clients/typescript/seam_plan.ts), one
 * test per rule, like a bridge's mapping tests: each decision kind against the kernel's slots and
 * account (given as data, the way the client reads them) yields exactly the intents the rule
 * names, or one named refusal; sizes from fractions come from the kernel's equity only and are
 * floored to the contract step, exactly in decimal (a whole multiple of the step is kept whole);
 * a NaN or infinite amount is a BAD_DECISION refusal, never a NaN size or a thrown error.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
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
import { seededAccount, blankSlot as slot } from "../_support/client_fakes.ts";

const open = (id: number, asset = "BTC-USDT", size = 0.05) =>
  slot(id, { stage: "POSITION_OPEN", tradeId: `T${id}`, asset, side: "LONG", size, isOpen: true });

function ctx(slots: Slot[], equity = 10_000, seeded = true): PlanContext {
  let n = 0;
  return {
    slots,
    account: seededAccount(equity, seeded),
    steps: { "BTC-USDT": 0.001 },
    nextTradeId: () => `auto-${++n}`,
  };
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

  test("a slot id that is not an integer is NO_SUCH_SLOT for every slot decision, as in the Python seam, never an intent or a thrown error", () => {
    const slots = [open(0), open(1), open(2)];
    for (const id of ["1", "length", "map", true, null, 1.5] as unknown as number[])
      for (const d of [scaleOut(id, { fraction: 0.5 }), takeProfit(id), stopLoss(id), cancel(id)]) {
        const p = planDecision(d, ctx(slots));
        expect(p.intents).toEqual([]);
        expect(p.refusal).toMatchObject({ code: "NO_SUCH_SLOT" });
      }
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

/** `units` × 1e-8 as the number that prints as that decimal. */
const e8 = (units: bigint): number => {
  const digits = units.toString().padStart(9, "0");
  return Number(`${digits.slice(0, -8)}.${digits.slice(-8)}`);
};
/** A step in 1e-8 units: the usual contract steps, and any other. */
const stepUnits = fc.oneof(
  fc.constantFrom(
    1n,
    10n,
    100n,
    1_000n,
    10_000n,
    100_000n,
    1_000_000n,
    10_000_000n,
    100_000_000n,
    25_000_000n,
    500_000n,
  ),
  fc.bigInt({ min: 1n, max: 100_000_000n }),
);

describe("floorToStep, exact in decimal", () => {
  test("a whole multiple of the step comes back unchanged (0.29 with no step stays 0.29)", () => {
    expect(floorToStep(0.29, undefined)).toBe(0.29);
    expect(floorToStep(1_677_721.9, 0.1)).toBe(1_677_721.9);
    expect(floorToStep(83_569_006.99, 0.01)).toBe(83_569_006.99);
    const whole = slot(0, { stage: "POSITION_OPEN", tradeId: "T0", asset: "BTC-USDT", size: 0.29, isOpen: true });
    const p = planDecision(scaleOut(0, { fraction: 1 }), { ...ctx([whole]), steps: {} });
    expect(p.intents).toEqual([{ type: "EXIT", slotId: 0, size: 0.29, reason: "SIGNAL", price: null }]);
    fc.assert(
      fc.property(stepUnits, fc.bigInt({ min: 0n, max: 10n ** 15n }), (step, units) => {
        const multiple = (units / step) * step; // at most 15 digits: the decimal survives as a number
        expect(floorToStep(e8(multiple), e8(step))).toBe(e8(multiple));
      }),
      { numRuns: 20_000 },
    );
  });

  test("any other size floors to the largest multiple of the step not above it", () => {
    const sizes = fc
      .tuple(fc.integer({ min: 0, max: 999 }), fc.stringMatching(/^[0-9]{0,12}$/))
      .map(([whole, fraction]) => `${whole}.${fraction}`);
    fc.assert(
      fc.property(stepUnits, sizes, (step, text) => {
        const [whole, fraction] = text.split(".") as [string, string];
        const e12 = BigInt(whole + fraction.padEnd(12, "0")); // the size in 1e-12 units, exactly
        const expected = e8((e12 / (step * 10_000n)) * step);
        expect(floorToStep(Number(text), e8(step))).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("non-finite amounts are BAD_DECISION, never a NaN size or a thrown error", () => {
  const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const held = ctx([open(0), slot(1)]);
  const refusalOf = (p: ReturnType<typeof planDecision>) => ({ intents: p.intents, code: p.refusal?.code });
  test("in the decision: reference price, fractions, sizes, limit price, leverage", () => {
    for (const x of bad) {
      const decisions = [
        openLong("BTC-USDT", { capitalFraction: 0.1, leverage: 2, referencePrice: x }),
        openLong("BTC-USDT", { capitalFraction: x, leverage: 2, referencePrice: 65_000 }),
        openLong("BTC-USDT", { capitalFraction: 0.1, leverage: x, referencePrice: 65_000 }),
        openLong("BTC-USDT", { size: x, leverage: 2 }),
        openShort("BTC-USDT", { size: 0.01, leverage: 2, limitPrice: x }),
        scaleOut(0, { fraction: x }),
        scaleOut(0, { size: x }),
        takeProfit(0, { size: x }),
        stopLoss(0, { size: x }),
      ];
      for (const d of decisions)
        expect(refusalOf(planDecision(d, held))).toEqual({ intents: [], code: "BAD_DECISION" });
    }
  });

  test("in the kernel's equity, or a step that makes the size non-finite", () => {
    const d = openLong("BTC-USDT", { capitalFraction: 0.1, leverage: 2, referencePrice: 65_000 });
    for (const x of bad) {
      expect(refusalOf(planDecision(d, ctx([slot(0)], x)))).toEqual({ intents: [], code: "BAD_DECISION" });
      expect(refusalOf(planDecision(d, { ...ctx([slot(0)]), steps: { "BTC-USDT": x } }))).toEqual({
        intents: [],
        code: "BAD_DECISION",
      });
    }
  });
});
