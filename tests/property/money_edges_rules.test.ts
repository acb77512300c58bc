/**
 * The venue's step and tick arithmetic at the money edges (src/venue/bingx/contract_rules.ts, the
 * launcher's src/launcher/_size_rules.ts, src/venue/event_id.ts), over realistic domains: quantity
 * steps 1e-4..1 and price ticks 1e-5..1 as the decimals venues publish, sizes up to 1e6 steps,
 * prices up to 1e6 with at most 8 decimals; and for large sizes (6) steps 1e-8..1 with sizes up to
 * the kernel's 1e9 base units, through the kernel's encoder and the real kernel too. Every
 * expectation is exact decimal arithmetic in 1e-8 units (bigint), never a float comparison.
 *
 * Invariants:
 *  1. A size that is a whole number of steps passes the step check and is sent as exactly that decimal.
 *  2. A size on the kernel's 1e-8 grid that is not a whole number of steps is refused (OFF_STEP),
 *     by the adapter's last guard and by the launcher's edge alike, never rounded.
 *  3. Closing a whole position floors it to the step: never above the position, never a whole step
 *     below it; a value already on the step keeps it in every rounding mode.
 *  4. A limit price goes onto the tick on its own side (a BUY's down, a SELL's up), by less than a
 *     tick, and a price already on the tick is sent unchanged.
 *  5. The canonical decimal of a cumulative summed from legs in floats is the decimal of the exact sum.
 *  6. A size of k steps at any magnitude up to the kernel's 1e9 (`size * 1e8` is a unit off from 2^25
 *     base units up) passes the adapter's step check and the launcher's size rules (as an intent and
 *     as a ring record of its units), is sent as that decimal, encoded as its exact units, taken by
 *     the kernel, and filled into a slot holding exactly those units, whose decoded size is the
 *     size's double. (Above 2^26 base units one double can be the nearest to two decimals of 8
 *     places; there the decimal is the one the double prints as, `printedUnits`.)
 * A canary proves the harness can fail. The seed is printed on failure.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { OFF } from "../../src/contracts/abi.ts";
import type { ContractRules, VenueAdapter } from "../../src/contracts/venue.ts";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { intentSizeRefusal, recordSizeRefusal } from "../../src/launcher/_size_rules.ts";
import { applyContractRules, formatStep, sizeRuleBreach } from "../../src/venue/bingx/index.ts";
import { canonDecimal } from "../../src/venue/index.ts";
import {
  check as checkRuns,
  FINE_STEPS_E8,
  num,
  printedUnits,
  QTY_MAX_E8,
  STEPS_E8,
  text,
  units,
} from "../_support/decimals_e8.ts";
import { enter, event, feed, freshKernel, ringRecord, slotUnits, T0 } from "../_support/kernel.ts";

/** Price ticks 1e-5..1, in 1e-8 units. */
const TICKS_E8 = [1_000n, 5_000n, ...STEPS_E8];
const check = <T>(prop: fc.IProperty<T>, numRuns = 2_000) => checkRuns(prop, numRuns);

const rules = (stepE8: bigint, tickE8 = 1_000n): ContractRules => ({
  asset: "X-USDT",
  quantity_step: num(stepE8),
  price_step: num(tickE8),
  min_quantity: num(stepE8),
  min_notional: 0,
  max_leverage: 125,
});

const step = fc.constantFrom(...STEPS_E8);
const tick = fc.constantFrom(...TICKS_E8);
const steps = fc.bigInt({ min: 1n, max: 1_000_000n });
/** Sizes on the step: a whole number (1..1e6) of steps. */
const onStep = fc.tuple(step, steps);
/** Sizes on the kernel's grid but off the step: whole steps plus 1..step-1 units of 1e-8. */
const offStep = fc
  .tuple(step, fc.bigInt({ min: 0n, max: 1_000_000n }), fc.bigInt({ min: 1n, max: 99_999_999n }))
  .map(([s, k, off]) => [s, k * s + (off % s)] as const)
  .filter(([s, u]) => u % s !== 0n);
/** Prices on the 1e-8 grid up to 1e6, often just beside a tick (where float residue bites). */
const price = fc
  .tuple(
    tick,
    fc.bigInt({ min: 1n, max: 100_000_000_000n }),
    fc.bigInt({ min: -1_000n, max: 1_000n }),
    fc.bigInt({ min: 1n, max: 100_000_000_000_000n }),
  )
  .chain(([t, n, beside, anywhere]) => fc.constantFrom([t, n * t + beside] as const, [t, anywhere] as const))
  .filter(([, p]) => p > 0n && p <= 100_000_000_000_000n);

const launcherVenue = (r: ContractRules) =>
  ({ knownRules: () => r, knownListed: () => true }) as unknown as VenueAdapter;
const enterOf = (size: number) =>
  ({
    type: "ENTER",
    slot_id: 0,
    trade_id: "T1",
    asset: "X-USDT",
    side: "LONG",
    size,
    price: null,
    leverage: 2,
  }) as const;

/** Large sizes on the step: steps 1e-8..1, k steps anywhere up to the kernel's 1e9 or between 2^25 and 2^27 base units. */
const largeOnStep = fc
  .constantFrom(...FINE_STEPS_E8, ...STEPS_E8)
  .chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.oneof(
        fc.bigInt({ min: 1n, max: QTY_MAX_E8 / s }),
        fc.bigInt({ min: (2n ** 25n * 100_000_000n) / s, max: (2n ** 27n * 100_000_000n) / s }),
      ),
    ),
  );

/** The units the kernel's encoder writes for an ENTER of `size`. */
function encodedUnits(size: number): bigint {
  const bytes = new Uint8Array(INPUT_SIZE);
  encodeInput({ ...enterOf(size), now_ms: T0 } as never, bytes, 0);
  return new DataView(bytes.buffer).getBigInt64(OFF.InputRecord.qty_e8, true);
}

/** A real kernel's slot after an ENTER of `size` filled fully: its exact units and its decoded size. */
function filledSlot(size: number): { units: bigint; intended: bigint; size: number } {
  const k = freshKernel({ capital: 1e15 });
  try {
    const entered = enter(k, 0, { size, asset: "X-USDT" });
    if (!entered.accepted) throw new Error(`enter refused: ${JSON.stringify(entered.diagnostics)}`);
    const cid = k.slot(0).entry_order!.client_order_id;
    feed(k, event("ACK", cid, 0, 0));
    const fill = feed(k, event("FULL_FILL", cid, size, 0.00001));
    if (fill.diagnostics.length > 0) throw new Error(`fill: ${JSON.stringify(fill.diagnostics)}`);
    const held = slotUnits(k, 0);
    return { units: held.size, intended: held.entryIntended, size: k.slot(0).size };
  } finally {
    k.destroy();
  }
}

describe("step and tick arithmetic at the venue edge", () => {
  test("1: a whole number of steps passes the step check and is sent as exactly that decimal", () => {
    check(
      fc.property(onStep, ([s, k]) => {
        const size = num(k * s);
        expect(sizeRuleBreach(rules(s), size)).toBeNull();
        expect(intentSizeRefusal(launcherVenue(rules(s)), enterOf(size), () => null)).toBeNull();
        const sent = applyContractRules(rules(s), size, undefined, undefined, "BUY");
        if (!sent.ok) throw new Error(`refused: ${sent.message}`);
        return units(sent.quantity) === k * s;
      }),
    );
  });

  test("2: a size on the 1e-8 grid off the step is refused OFF_STEP by the adapter and by the launcher's edge", () => {
    check(
      fc.property(offStep, ([s, u]) => {
        const size = num(u);
        if (u < s) return sizeRuleBreach(rules(s), size)?.rule === "MIN_QUANTITY";
        expect(intentSizeRefusal(launcherVenue(rules(s)), enterOf(size), () => null)?.field).toBe("SIZE");
        return sizeRuleBreach(rules(s), size)?.rule === "OFF_STEP";
      }),
    );
  });

  test("3: a whole position is floored to the step, never above it and never a whole step below it", () => {
    check(
      fc.property(step, fc.bigInt({ min: 0n, max: 100_000_000_000_000n }), (s, extra) => {
        const u = s + (extra % (1_000_000n * s));
        const floored = units(formatStep(num(u), num(s), "down"));
        expect(sizeRuleBreach(rules(s), num(u), true)).toBeNull();
        return floored % s === 0n && floored <= u && floored > u - s;
      }),
    );
  });

  test("3: a value on the step keeps it whether rounded down, up or to the nearest", () => {
    check(
      fc.property(fc.constantFrom(...TICKS_E8), steps, (s, k) =>
        (["down", "up", "nearest"] as const).every((mode) => units(formatStep(num(k * s), num(s), mode)) === k * s),
      ),
    );
  });

  test("4: a limit goes onto the tick on its own side by less than a tick, unchanged when on it", () => {
    check(
      fc.property(price, fc.constantFrom("BUY" as const, "SELL" as const), ([t, p], side) => {
        const sent = applyContractRules(rules(10_000n, t), 0.0001, num(p), undefined, side);
        if (!sent.ok) return p < t && side === "BUY"; // below the first tick: nothing to send
        const q = units(sent.price!);
        if (q % t !== 0n) return false;
        return side === "BUY" ? q <= p && p - q < t : q >= p && q - p < t;
      }),
      5_000,
    );
  });

  test("5: the canonical decimal of a cumulative summed from legs in floats is the exact sum's", () => {
    const legs = fc.tuple(step, fc.array(fc.bigInt({ min: 1n, max: 50_000n }), { minLength: 1, maxLength: 20 }));
    check(
      fc.property(legs, ([s, ks]) => {
        const sum = ks.reduce((t, k) => t + num(k * s), 0);
        return canonDecimal(sum) === text(ks.reduce((t, k) => t + k * s, 0n));
      }),
    );
  });

  test("6: a size of k steps up to the kernel's 1e9 passes every edge and the kernel holds exactly its decimal", () => {
    check(
      fc.property(largeOnStep, ([s, k]) => {
        const u = printedUnits(k * s);
        const size = num(u);
        const [r, venue] = [rules(s), launcherVenue(rules(s))];
        expect(u % s).toBe(0n);
        expect(sizeRuleBreach(r, size)).toBeNull();
        const sent = applyContractRules(r, size, undefined, undefined, "BUY");
        if (!sent.ok) throw new Error(`refused: ${sent.message}`);
        expect(units(sent.quantity)).toBe(u);
        expect(intentSizeRefusal(venue, enterOf(size), () => null)).toBeNull();
        expect(recordSizeRefusal(venue, ringRecord(enterOf(1), u), () => null)).toBeNull();
        expect(encodedUnits(size)).toBe(u);
        const held = filledSlot(size);
        return held.units === u && held.intended === u && held.size === size;
      }),
      300,
    );
  });

  test("canary: a false statement (a BUY limit is never moved) is found", () => {
    const r = fc.check(
      fc.property(price, ([t, p]) => {
        const sent = applyContractRules(rules(10_000n, t), 0.0001, num(p), undefined, "BUY");
        return !sent.ok || units(sent.price!) === p;
      }),
      { numRuns: 500 },
    );
    expect(r.failed).toBe(true);
  });
});
