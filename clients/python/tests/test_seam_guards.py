"""Decisions the seam must refuse before anything reaches the ring. (1) A slot id that is not an
integer (1.0, "1", None, True) is one SeamRefusal NO_SUCH_SLOT, from plan_decision and from
Seam.execute alike, never a TypeError out of the seam. (2) A CloseAll whose reason is not an exit
reason is BAD_DECISION with nothing pushed: planned as it was, its entry cancels went into the ring
before its exits were refused, half a close-all. (3) A kernel that is dead, or that restarted since
the seam last reconciled, gets no intent: the ring of a dead kernel keeps what is pushed and the
next kernel to adopt it would run a decision taken on the dead kernel's last state; the result is
a CLIENT refusal with ``restarted`` set. (4) A NaN timeout is a ValueError when the seam is made,
not after its first intent went out. (5) A TakeProfit or StopLoss of more than the position exits
exactly the whole position (the kernel refuses an exit above it: a stop loss sized from a partly
filled entry would be refused), as the TypeScript seam does. The kernel is a fake libzinc
(tests/fake_zinc.py)."""

import ctypes
import math
import struct
import unittest
from dataclasses import replace

from dita_v2_client import Account, CancelOrder, CloseAll, ScaleOut, Seam, Slot, StopLoss, TakeProfit, open_long
from dita_v2_client import plan_decision

import fake_zinc
from fake_zinc import FakeZinc

BLANK = Slot(slot_id=0, stage="IDLE", trade_id="", asset="", side=None, size=0.0, entry_price=0.0, leverage=0,
             is_open=False, leg=0, realized_pnl=0.0, unrealized_pnl=0.0, mark_price=0.0, fees=0.0, exit_reason=None,
             stale_reason=None, entry_order=None, exit_order=None, version=0, updated_at_ms=0)
ACCOUNT = Account(10_000.0, 10_000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0, 0, 1, True)
SLOT = struct.Struct("<IBBBBQQq")  # a slot image's slot_id, stage, side, ..., version, updated, size_e8


def held(slot_id, stage="POSITION_OPEN"):
    return replace(BLANK, slot_id=slot_id, stage=stage, trade_id=f"T{slot_id}", asset="BTC-USDT", side="LONG",
                   size=0.05, is_open=True)


def image(slot_id, stage):
    img = bytearray(448)
    SLOT.pack_into(img, 0, slot_id, stage, 1, 0, 0, 1, 1, 5_000_000)
    img[368:376] = b"BTC-USDT"
    return bytes(img)


class Kernel(FakeZinc):
    """Slot 0 working its entry, slot 1 holding a position, slot 2 idle; every push recorded (and
    answered by nobody)."""

    def __init__(self):
        super().__init__(3, slot_count=3)
        self.slot_images = [image(0, 2), image(1, 3), bytes(448)]
        self.account_image = struct.pack("<8d", *[10_000.0] * 8) + struct.pack("<QQB15x", 0, 1, 1)
        self.pushed = []

    def zinc_ring_push(self, h, ptr, size):
        self.pushed.append(struct.unpack_from("<H", ctypes.string_at(ptr, size), 0)[0])
        return 0


def plan(decision, slots):
    return plan_decision(decision, slots, ACCOUNT, {}, lambda: "t1")


class SlotIds(unittest.TestCase):
    def test_a_slot_id_that_is_not_an_integer_is_no_such_slot_never_a_type_error(self):
        slots = [BLANK, held(1)]
        for bad in (1.0, "1", None, True):
            for decision in (ScaleOut(bad, fraction=0.5), TakeProfit(bad), StopLoss(bad), CancelOrder(bad)):
                r = plan(decision, slots).refusal
                self.assertIsNotNone(r, decision)
                self.assertEqual(r.code, "NO_SUCH_SLOT", decision)
                kernel = Kernel()
                result = Seam(fake_zinc.client(kernel, 0, 1)).execute(decision)
                self.assertEqual([(x.origin, x.code) for x in result.refusals], [("SEAM", "NO_SUCH_SLOT")], decision)
                self.assertEqual(kernel.pushed, [])


class ExitAboveThePosition(unittest.TestCase):
    def test_a_take_profit_or_stop_loss_of_more_than_the_position_exits_exactly_the_whole_position(self):
        half = replace(held(0), size=0.01, size_e8=1_000_000)  # 0.01 held of a 0.02 entry that filled half
        for decision in (StopLoss(0, size=0.02), TakeProfit(0, size=0.02, limit_price=70_000.0)):
            (exit_,) = plan(decision, [half]).intents
            self.assertEqual((exit_.slot_id, exit_.size), (0, 0.01), decision)
        self.assertEqual(plan(StopLoss(0, size=0.004), [half]).intents[0].size, 0.004)  # a part stays a part
        self.assertEqual(plan(StopLoss(0, size=0.01), [half]).intents[0].size, 0.01)


class CloseAllReason(unittest.TestCase):
    def test_a_close_all_with_an_unknown_reason_is_bad_decision_and_pushes_nothing(self):
        for reason in ("STOP", "tp", None, 2):
            self.assertEqual(plan(CloseAll(reason), [held(0, "ENTRY_WORKING"), held(1)]).refusal.code, "BAD_DECISION")
            kernel = Kernel()
            result = Seam(fake_zinc.client(kernel, 0, 1)).execute(CloseAll(reason))
            self.assertEqual([(x.origin, x.code) for x in result.refusals], [("SEAM", "BAD_DECISION")], reason)
            self.assertEqual(kernel.pushed, [], f"half a close-all went into the ring ({reason!r})")
        self.assertEqual(len(plan(CloseAll("MANUAL"), [held(0, "ENTRY_WORKING"), held(1)]).intents), 2)


class DeadKernel(unittest.TestCase):
    def test_a_dead_kernel_gets_no_intent_and_the_result_says_restarted(self):
        kernel = Kernel()
        c = fake_zinc.client(kernel, 0, 1)
        kernel.alive = 0  # the kernel died; its regions (and their last state) are still there
        for decision in (open_long("BTC-USDT", 2, size=0.01), CloseAll(), ScaleOut(1, fraction=0.5)):
            result = Seam(c, timeout=0.0).execute(decision)
            self.assertEqual(kernel.pushed, [], f"{decision} went into a dead kernel's ring")
            self.assertEqual([(x.origin, x.code) for x in result.refusals], [("CLIENT", "KERNEL_NOT_RUNNING")])
            self.assertTrue(result.restarted)
            self.assertFalse(result.ok)

    def test_a_kernel_that_restarted_since_the_last_reconcile_gets_no_intent_until_the_seam_reconciles(self):
        kernel = Kernel()
        seam = Seam(fake_zinc.client(kernel, 0, 1), timeout=0.0)
        kernel.kernel_generation += 1  # a new kernel adopted the regions
        result = seam.execute(CloseAll())
        self.assertEqual(kernel.pushed, [])
        self.assertEqual([(x.origin, x.code) for x in result.refusals], [("CLIENT", "KERNEL_RESTARTED")])
        self.assertTrue(result.restarted)
        seam.reconcile()
        seam.execute(CloseAll())
        self.assertEqual(kernel.pushed, [3, 2])  # CANCEL slot 0, EXIT slot 1



class SeamTimeouts(unittest.TestCase):
    def test_a_nan_timeout_is_a_value_error_when_the_seam_is_made_never_after_an_intent_went_out(self):
        for kw in ({"timeout": math.nan}, {"venue_timeout": math.nan}, {"timeout": "soon"}):
            kernel = Kernel()
            with self.assertRaisesRegex(ValueError, "timeout", msg=kw):
                Seam(fake_zinc.client(kernel, 0, 1), **kw).execute(CancelOrder(0), await_venue=True)
            self.assertEqual(kernel.pushed, [], kw)


if __name__ == "__main__":
    unittest.main()
