"""The decision-to-intent mapping of the Python seam, one test per rule (the same rules and cases as
the TypeScript seam's tests): each decision kind against the kernel's slots and account, given as
data the way the client reads them, yields exactly the intents its rule names, or one named
refusal; sizes from fractions come from the kernel's equity alone, floored to the step."""

import unittest
from dataclasses import replace

from dita_v2_client import (Account, Cancel, CancelOrder, CloseAll, Enter, Exit, ScaleOut, Slot, StopLoss, TakeProfit,
                            floor_to_step, open_long, open_short, plan_decision)

BLANK = Slot(slot_id=0, stage="IDLE", trade_id="", asset="", side=None, size=0.0, entry_price=0.0, leverage=0,
             is_open=False, leg=0, realized_pnl=0.0, unrealized_pnl=0.0, mark_price=0.0, fees=0.0, exit_reason=None,
             stale_reason=None, entry_order=None, exit_order=None, version=0, updated_at_ms=0)


def slot(slot_id, **over):
    return replace(BLANK, slot_id=slot_id, **over)


def open_slot(slot_id, asset="BTC-USDT", size=0.05):
    return slot(slot_id, stage="POSITION_OPEN", trade_id=f"T{slot_id}", asset=asset, side="LONG", size=size, is_open=True)


def account(equity, seeded=True):
    return Account(equity, equity, 0.0, 0.0, 0.0, 0.0, 0.0, equity, 0, 1, seeded)


def plan(decision, slots, equity=10_000, seeded=True):
    counter = iter(range(1, 100))
    return plan_decision(decision, slots, account(equity, seeded), {"BTC-USDT": 0.001}, lambda: f"auto-{next(counter)}")


class SeamMapping(unittest.TestCase):
    def test_open_long_with_a_size_is_one_enter_in_the_first_idle_or_closed_slot(self):
        p = plan(open_long("BTC-USDT", 5, size=0.01), [open_slot(0), slot(1, stage="CLOSED"), slot(2)])
        self.assertEqual(p.intents, [Enter(1, "auto-1", "BTC-USDT", "LONG", 0.01, 5, None)])
        self.assertIsNone(p.refusal)

    def test_open_short_sized_by_a_fraction_of_the_kernel_equity_floored_to_the_step(self):
        d = open_short("BTC-USDT", 3, capital_fraction=0.1, reference_price=65_000, trade_id="S1", slot_id=2)
        self.assertEqual(plan(d, [slot(0), slot(1), slot(2)], 12_345).intents,
                         [Enter(2, "S1", "BTC-USDT", "SHORT", 0.056, 3, None)])

    def test_the_account_is_the_only_capital_authority(self):
        d = open_long("BTC-USDT", 1, capital_fraction=0.5, reference_price=50_000)
        self.assertEqual([plan(d, [slot(0)], eq).intents[0].size for eq in (1_000, 20_000)], [0.01, 0.2])
        self.assertEqual(plan(d, [slot(0)], 20_000, seeded=False).refusal.code, "ACCOUNT_NOT_SEEDED")

    def test_open_refusals(self):
        self.assertEqual(plan(open_long("BTC-USDT", 1, size=1), [open_slot(0)]).refusal.code, "NO_FREE_SLOT")
        both = open_long("BTC-USDT", 1, size=1, capital_fraction=0.1, reference_price=1)
        self.assertEqual(plan(both, [slot(0)]).refusal.code, "BAD_DECISION")
        self.assertEqual(plan(open_long("BTC-USDT", 1), [slot(0)]).refusal.code, "BAD_DECISION")
        tiny = open_long("BTC-USDT", 1, capital_fraction=0.0001, reference_price=65_000)
        self.assertEqual(plan(tiny, [slot(0)]).refusal.code, "BELOW_STEP")
        self.assertEqual(plan(open_long("BTC-USDT", 1, capital_fraction=0.1), [slot(0)]).refusal.code, "BAD_DECISION")

    def test_scale_out_a_fraction_is_one_exit_signal_floored_and_never_more_than_the_position(self):
        self.assertEqual(plan(ScaleOut(0, fraction=0.5), [open_slot(0, size=0.055)]).intents, [Exit(0, 0.027, "SIGNAL")])
        self.assertEqual(plan(ScaleOut(0, size=9), [open_slot(0)]).intents, [Exit(0, 0.05, "SIGNAL")])

    def test_scale_out_refusals(self):
        self.assertEqual(plan(ScaleOut(0, fraction=0.5), [slot(0)]).refusal.code, "NOT_OPEN")
        self.assertEqual(plan(ScaleOut(0, fraction=0.001), [open_slot(0)]).refusal.code, "BELOW_STEP")
        self.assertEqual(plan(ScaleOut(7, fraction=0.5), [open_slot(0)]).refusal.code, "NO_SUCH_SLOT")

    def test_take_profit_and_stop_loss_exit_the_whole_position_by_default(self):
        self.assertEqual(plan(TakeProfit(0, limit_price=70_000), [open_slot(0)]).intents, [Exit(0, 0.05, "TP", 70_000)])
        self.assertEqual(plan(StopLoss(0, size=0.02), [open_slot(0)]).intents, [Exit(0, 0.02, "SL")])
        self.assertEqual(plan(StopLoss(0), [slot(0, stage="ENTRY_WORKING")]).refusal.code, "NOT_OPEN")

    def test_cancel_is_one_cancel(self):
        self.assertEqual(plan(CancelOrder(1), [slot(0), slot(1)]).intents, [Cancel(1)])

    def test_close_all_cancels_entries_exits_positions_and_leaves_exiting_and_reconciling_slots_alone(self):
        slots = [slot(0, stage="ENTRY_WORKING"), open_slot(1, "ETH-USDT", 2.0), slot(2, stage="EXIT_WORKING"),
                 slot(3, stage="STALE_STATE_RECONCILING"), slot(4, stage="CLOSED")]
        p = plan(CloseAll("SL"), slots)
        self.assertEqual(p.intents, [Cancel(0), Exit(1, 2.0, "SL")])
        self.assertEqual(p.skipped, [(2, "EXIT_WORKING"), (3, "STALE_STATE_RECONCILING")])

    def test_floor_to_step_is_exact_in_decimal(self):
        self.assertEqual([floor_to_step(0.0569, 0.001), floor_to_step(1.0, 0.1), floor_to_step(0.3, 0.1),
                          floor_to_step(14.99, 1)], [0.056, 1.0, 0.3, 14])


if __name__ == "__main__":
    unittest.main()
