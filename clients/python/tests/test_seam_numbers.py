"""The seam's numbers. (1) A NaN or infinite number — in a decision, in the kernel's equity, or a
size computed from finite ones that overflows — is one SeamRefusal BAD_DECISION naming it, from
plan_decision and from Seam.execute alike, never a bare ValueError or OverflowError. (2) Sizes
are floored exactly in decimal: a size with at most 8 decimals that is a multiple of the step
comes back unchanged however large the quotient (0.29 with the default step, 8234.532 with step
0.0001), any other floors to the largest multiple not above it, and float noise in a fraction of
a position never costs a step (seeded random draws, 20000 each)."""

import math
import random
import unittest
from dataclasses import replace
from decimal import Decimal

from dita_v2_client import (Account, Exit, ScaleOut, Seam, Slot, StopLoss, TakeProfit, floor_to_step, open_long,
                            plan_decision)
from dita_v2_client.client import StateView

BLANK = Slot(slot_id=0, stage="IDLE", trade_id="", asset="", side=None, size=0.0, entry_price=0.0, leverage=0,
             is_open=False, leg=0, realized_pnl=0.0, unrealized_pnl=0.0, mark_price=0.0, fees=0.0, exit_reason=None,
             stale_reason=None, entry_order=None, exit_order=None, version=0, updated_at_ms=0)
NAN, INF = math.nan, math.inf


def open_slot(slot_id, size):
    return replace(BLANK, slot_id=slot_id, stage="POSITION_OPEN", trade_id="T", asset="BTC-USDT", side="LONG",
                   size=size, is_open=True)


def account(equity):
    return Account(equity, equity, 0.0, 0.0, 0.0, 0.0, 0.0, equity, 0, 1, True)


def plan(decision, slots, equity=10_000.0, steps=None):
    return plan_decision(decision, slots, account(equity), steps if steps is not None else {"BTC-USDT": 0.0001},
                         lambda: "t1")


class NoState:
    """A client whose kernel holds one idle slot and one open position; nothing may be pushed."""

    def __init__(self, equity=10_000.0):
        self.equity = equity

    def check_kernel(self):
        pass

    def state(self):
        return StateView((BLANK, open_slot(1, 0.05)), account(self.equity), 0, 1)

    def push(self, intent):
        raise AssertionError(f"a refused decision pushed {intent}")


class NonFiniteNumbers(unittest.TestCase):
    def test_a_nan_or_infinite_decision_number_is_bad_decision_naming_it(self):
        cases = [
            (open_long("BTC-USDT", 2, capital_fraction=0.02, reference_price=NAN), "reference_price"),
            (open_long("BTC-USDT", 2, capital_fraction=0.02, reference_price=INF), "reference_price"),
            (open_long("BTC-USDT", 2, capital_fraction=NAN, reference_price=65_000.0), "capital_fraction"),
            (open_long("BTC-USDT", 2, capital_fraction=INF, reference_price=65_000.0), "capital_fraction"),
            (open_long("BTC-USDT", 2, size=NAN), "size"),
            (open_long("BTC-USDT", 2, size=0.01, limit_price=INF), "limit_price"),
            (ScaleOut(1, fraction=NAN), "fraction"),
            (ScaleOut(1, size=INF), "size"),
            (TakeProfit(1, limit_price=NAN), "limit_price"),
            (StopLoss(1, size=-INF), "size"),
        ]
        for decision, name in cases:
            r = plan(decision, [BLANK, open_slot(1, 0.05)]).refusal
            self.assertIsNotNone(r, decision)
            self.assertEqual(r.code, "BAD_DECISION", decision)
            self.assertIn(name, r.message)
            result = Seam(NoState(), steps={"BTC-USDT": 0.0001}).execute(decision)
            self.assertEqual([(x.origin, x.code) for x in result.refusals], [("SEAM", "BAD_DECISION")], decision)
            self.assertFalse(result.ok)

    def test_a_non_finite_equity_or_an_overflowing_size_is_bad_decision(self):
        d = open_long("BTC-USDT", 125, capital_fraction=1.0, reference_price=1e-300)
        for equity, said in ((NAN, "equity"), (INF, "equity"), (1e300, "cannot be sized")):
            r = plan(d, [BLANK], equity).refusal
            self.assertEqual(r.code, "BAD_DECISION", equity)
            self.assertIn(said, r.message)
            self.assertEqual(Seam(NoState(equity)).execute(d).refusals[0].code, "BAD_DECISION")

    def test_floor_to_step_refuses_a_non_finite_size_or_step_with_a_value_error_naming_it(self):
        for size, step, said in ((NAN, 0.1, "size"), (INF, None, "size"), (1.0, NAN, "step"), (1.0, INF, "step")):
            with self.assertRaisesRegex(ValueError, said):
                floor_to_step(size, step)


class ExactFloor(unittest.TestCase):
    def test_the_sizes_that_lost_a_step(self):
        self.assertEqual(floor_to_step(0.29, None), 0.29)
        self.assertEqual(floor_to_step(8234.532, 0.0001), 8234.532)
        self.assertEqual(floor_to_step(1.23456789, None), 1.23456789)
        self.assertEqual(floor_to_step(0.005 * 0.7, 0.0001), 0.0035)  # 0.0034999999999999996: float noise
        self.assertEqual(floor_to_step(7.5e-8, None), 7e-8)  # a real half unit is floored, never rounded up
        self.assertEqual(plan(ScaleOut(0, fraction=1.0), [open_slot(0, 0.29)], steps={}).intents,
                         [Exit(0, 0.29, "SIGNAL")])
        self.assertEqual(plan(ScaleOut(0, fraction=0.7), [open_slot(0, 0.005)]).intents, [Exit(0, 0.0035, "SIGNAL")])

    def test_exact_multiples_come_back_unchanged_and_others_floor_to_the_largest_multiple_below(self):
        rng = random.Random(20240611)
        for _ in range(20_000):
            step_units = rng.choice([1, 2, 5, 10, 25, 100, 500, 1_000, 10_000, 50_000, 100_000, 10**6, 10**8, 10**9])
            step = step_units / 10**8
            size_units = rng.randrange(1, 10**15)  # at most 8 decimals and 15 significant digits: exact as a float
            size = size_units / 10**8
            want = size_units // step_units * step_units / 10**8
            self.assertEqual(floor_to_step(size, step), want, (size, step))
            multiple = (size_units // step_units or 1) * step_units
            self.assertEqual(floor_to_step(multiple / 10**8, step), multiple / 10**8, (multiple, step))

    def test_a_fraction_of_a_position_floors_the_exact_decimal_product(self):
        rng = random.Random(7)
        for _ in range(20_000):
            step_units = rng.choice([1, 1_000, 10_000, 100_000, 10**6])
            size_units = rng.randrange(1, 10**15 // step_units) * step_units  # exact as a float
            fraction = rng.choice([0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 0.9, 1.0])
            exact = Decimal(size_units) * Decimal(repr(fraction))
            want = int(exact) // step_units * step_units / 10**8
            p = plan(ScaleOut(0, fraction=fraction), [open_slot(0, size_units / 10**8)],
                     steps={"BTC-USDT": step_units / 10**8})
            got = p.intents[0].size if p.intents else 0.0
            self.assertEqual(got, want, (size_units, fraction, step_units))


if __name__ == "__main__":
    unittest.main()
