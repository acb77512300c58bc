"""Partial exits through the Python seam against the contract's quantity step, as the TypeScript
seam's (tests/unit/client_ts_seam_partial_exits.test.ts, same cases and sizes): every exit size the
seam plans (a ScaleOut's fraction or size, a TakeProfit's or StopLoss's size) is a whole number of
steps the encoder carries; a size that floors to nothing is BELOW_STEP; a part whose remainder would
be less than one step (dust no later exit could close) exits the whole position; a sequence of
partial exits sized with float arithmetic ends exactly flat."""

import struct
import unittest
from dataclasses import replace

from dita_v2_client import Account, Slot, StopLoss, ScaleOut, TakeProfit, plan_decision
from dita_v2_client.intents import INTENT_BYTES, encode_intent

BLANK = Slot(slot_id=0, stage="IDLE", trade_id="", asset="", side=None, size=0.0, entry_price=0.0, leverage=0,
             is_open=False, leg=0, realized_pnl=0.0, unrealized_pnl=0.0, mark_price=0.0, fees=0.0, exit_reason=None,
             stale_reason=None, entry_order=None, exit_order=None, version=0, updated_at_ms=0)
ACCOUNT = Account(10_000.0, 10_000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0, 0, 1, True)
BTC_STEP = {"BTC-USDT": 0.0001}


def held(units, asset="BTC-USDT"):
    """A long position of exactly ``units`` of 1e-8, as the kernel's slot image carries it."""
    return replace(BLANK, stage="POSITION_OPEN", trade_id="T0", asset=asset, side="LONG", size=units / 1e8,
                   is_open=True, size_e8=units)


def plan(decision, slot, steps=None):
    return plan_decision(decision, [slot], ACCOUNT, BTC_STEP if steps is None else steps, lambda: "t1")


def units(intent):
    """The units the encoder writes for an exit's size (raises InvalidIntent when it cannot carry it)."""
    out = bytearray(INTENT_BYTES)
    encode_intent(intent, 0, 1, out)
    return struct.unpack_from("<q", out, 16)[0]


def exit_of(test, decision, slot, steps=None):
    p = plan(decision, slot, steps)
    test.assertIsNone(p.refusal)
    test.assertEqual(len(p.intents), 1)
    return p.intents[0]


class OffStepSizes(unittest.TestCase):
    def test_an_explicit_exit_size_off_the_step_exits_the_largest_multiple_of_the_step_below_it(self):
        slot = held(30_000)  # 0.0003 BTC
        for decision, want in ((ScaleOut(0, size=0.00015), 10_000), (TakeProfit(0, size=0.00025), 20_000),
                               (StopLoss(0, size=0.00025), 20_000)):
            exit_ = exit_of(self, decision, slot)
            self.assertEqual((exit_.slot_id, units(exit_)), (0, want))

    def test_an_explicit_exit_size_below_one_step_is_below_step_never_an_intent_the_edge_refuses(self):
        for decision in (ScaleOut(0, size=0.00005), TakeProfit(0, size=0.00005), StopLoss(0, size=0.00009)):
            p = plan(decision, held(30_000))
            self.assertEqual(p.intents, [])
            self.assertEqual((p.refusal.code, p.refusal.slot_id), ("BELOW_STEP", 0))

    def test_an_explicit_exit_size_with_float_residue_is_floored_never_refused_for_a_ninth_decimal(self):
        slot = held(100_000_000)  # 1 BTC
        self.assertEqual(units(exit_of(self, ScaleOut(0, size=0.1 + 0.2), slot)), 30_000_000)
        self.assertEqual(units(exit_of(self, TakeProfit(0, size=1 / 3), slot)), 33_330_000)
        self.assertEqual(units(exit_of(self, StopLoss(0, size=0.7 - 0.4), slot)), 30_000_000)

    def test_an_explicit_exit_size_above_2_53_units_is_floored_to_the_step_exactly_in_units(self):
        slot = held(20_000_000_000_000_000, "SHIB-USDT")  # 200000000 SHIB, step 1
        exit_ = exit_of(self, ScaleOut(0, size=123_456_789.5), slot, {"SHIB-USDT": 1})
        self.assertEqual(units(exit_), 12_345_678_900_000_000)


class NoDust(unittest.TestCase):
    def test_a_part_whose_remainder_would_be_less_than_one_step_exits_the_whole_position(self):
        slot = held(15_000)  # 0.00015 BTC: a position off the step (the venue's step changed since)
        for decision in (ScaleOut(0, fraction=0.9), ScaleOut(0, size=0.0001), StopLoss(0, size=0.0001)):
            self.assertEqual(units(exit_of(self, decision, slot)), 15_000)

    def test_a_part_that_leaves_at_least_one_step_stays_a_part(self):
        self.assertEqual(units(exit_of(self, ScaleOut(0, fraction=0.5), held(30_000))), 10_000)
        self.assertEqual(units(exit_of(self, StopLoss(0, size=0.0002), held(30_000))), 20_000)


class SequenceEndsFlat(unittest.TestCase):
    def run_exits(self, position, decisions):
        """Plans each decision against the position the exits before it left; the units of each exit."""
        left, out = position, []
        for decide in decisions:
            slot = held(left)
            n = units(exit_of(self, decide(slot), slot))
            out.append(n)
            left -= n
        self.assertEqual(left, 0)
        return out

    def test_a_third_a_half_then_all_of_it_the_last_exit_is_exactly_the_rest(self):
        self.assertEqual(self.run_exits(100_000_000, [lambda s: ScaleOut(0, fraction=1 / 3),
                                                      lambda s: ScaleOut(0, fraction=0.5),
                                                      lambda s: ScaleOut(0, fraction=1)]),
                         [33_330_000, 33_330_000, 33_340_000])

    def test_three_exits_of_33_percent_of_what_is_left_sized_with_float_products_then_take_profit(self):
        self.assertEqual(self.run_exits(100_000_000, [lambda s: ScaleOut(0, size=s.size * 0.33),
                                                      lambda s: ScaleOut(0, size=s.size * 0.33),
                                                      lambda s: StopLoss(0, size=s.size * 0.33),
                                                      lambda s: TakeProfit(0)]),
                         [33_000_000, 22_110_000, 14_810_000, 30_080_000])


if __name__ == "__main__":
    unittest.main()
