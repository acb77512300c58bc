"""Seam.reconcile after a restart, while the kernel is still reconciling the seam's own trade
(STALE_STATE_RECONCILING keeps the slot's trade id): the trade is reported as reconciling, not
gone — a strategy that re-enters on ``gone`` would double its exposure — and the belief keeps
it, so once the kernel settles it back to POSITION_OPEN it is neither gone nor adopted. A trade
the kernel reconciled away (the slot idle or holding another trade) is gone."""

import unittest
from dataclasses import replace

from dita_v2_client import Account, Seam, Slot
from dita_v2_client.client import StateView

BLANK = Slot(slot_id=0, stage="IDLE", trade_id="", asset="", side=None, size=0.0, entry_price=0.0, leverage=0,
             is_open=False, leg=0, realized_pnl=0.0, unrealized_pnl=0.0, mark_price=0.0, fees=0.0, exit_reason=None,
             stale_reason=None, entry_order=None, exit_order=None, version=0, updated_at_ms=0)
ACCOUNT = Account(10_000.0, 10_000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0, 0, 1, True)


def held(slot_id, trade, stage="POSITION_OPEN", **over):
    return replace(BLANK, slot_id=slot_id, stage=stage, trade_id=trade, asset="BTC-USDT", side="LONG", size=0.05,
                   is_open=True, **over)


class KernelView:
    def __init__(self, slots):
        self.slots = slots

    def reconnect(self):
        pass

    def state(self):
        return StateView(tuple(self.slots), ACCOUNT, 0, 1)


class SeamReconcile(unittest.TestCase):
    def test_a_trade_the_kernel_is_still_reconciling_is_not_gone_and_stays_believed(self):
        kernel = KernelView([held(0, "seam-1", "STALE_STATE_RECONCILING", stale_reason="RESTART"), held(1, "seam-2")])
        seam = Seam(kernel)
        seam.belief = {0: "seam-1", 1: "seam-2"}
        r = seam.reconcile()
        self.assertEqual((r.gone, r.reconciling, r.adopted), ((), (0,), ()))
        self.assertEqual(seam.belief, {0: "seam-1", 1: "seam-2"})
        kernel.slots[0] = held(0, "seam-1")  # the kernel settled it: the position is still there
        r = seam.reconcile()
        self.assertEqual((r.gone, r.reconciling, r.adopted), ((), (), ()))

    def test_a_trade_reconciled_away_is_gone_and_a_foreign_one_being_reconciled_is_not_believed(self):
        kernel = KernelView([replace(BLANK, slot_id=0, stage="CLOSED", trade_id="seam-1"),
                             held(1, "other-9", "STALE_STATE_RECONCILING"), held(2, "seam-3")])
        seam = Seam(kernel)
        seam.belief = {0: "seam-1", 1: "seam-2", 2: "seam-3"}
        r = seam.reconcile()
        self.assertEqual(r.gone, ((0, "seam-1"), (1, "seam-2")))
        self.assertEqual(r.reconciling, (1,))
        self.assertEqual(seam.belief, {2: "seam-3"})
        kernel.slots[1] = held(1, "other-9")  # once open, the foreign trade is adopted
        self.assertEqual([s.trade_id for s in seam.reconcile().adopted], ["other-9"])


if __name__ == "__main__":
    unittest.main()
