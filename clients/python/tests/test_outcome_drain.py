"""One poll of the client's lane, several outcomes: each record is decoded on its own. The kernel's
current refusals (RISK_LIMIT naming the limit's field, TRADING_HALTED, REDUCE_ONLY) decode like
any other outcome, and a record that truly does not decode (a broken writer) costs only the
intent it names: the outcomes polled with it are still delivered, the wait for that intent
raises CorruptRegion naming it, and the client counts it (one naming no intent of this client: the
wait that polled it raises it, once the poll is filed). The lane is a fake libzinc that hands
every record to the client in one poll (ffi/README.md section 7)."""

import ctypes
import math
import struct
import unittest

from dita_v2_client import CorruptRegion, Enter, MarkPrice

import fake_zinc
from fake_zinc import FakeZinc

LANE, GENERATION, KERNEL_GENERATION = 2, 5, 9
RISK_LIMIT, TRADING_HALTED, MAX_NOTIONAL_PER_TRADE, MAX_LEVERAGE = 24, 22, 28, 31


def record(position, cid, **kw):
    return fake_zinc.record(position, cid, kind=1, slot_id=0, stage=1, **kw)


class BatchLane(FakeZinc):
    """A lane whose kernel answers every intent pushed so far at once, in the order of ``answer``'s makers."""

    def __init__(self):
        super().__init__(KERNEL_GENERATION)
        self.pushed = []

    def answer(self, *makers):
        for cid, make in zip(self.pushed, makers):
            self.records[self.head] = make(self.head, cid)
            self.head += 1

    def zinc_ring_push(self, h, ptr, size):
        self.pushed.append(struct.unpack_from("<Q", ctypes.string_at(ptr, size), 304)[0])
        return 0


def client(lane):
    return fake_zinc.client(lane, LANE, GENERATION)


def enter(trade):
    return Enter(0, trade, "BTC-USDT", "LONG", 0.001, 10)


class OutcomeDrain(unittest.TestCase):
    def test_risk_limit_and_halted_refusals_decode_and_every_outcome_of_the_poll_is_delivered(self):
        lane = BatchLane()
        c = client(lane)
        ids = [c.push(enter("RL1")), c.push(enter("RL2")), c.push(MarkPrice("BTC-USDT", 65000.0))]
        lane.answer(lambda p, cid: record(p, cid, accepted=0, diag=(RISK_LIMIT, MAX_LEVERAGE, 10.0),
                                          message=b"leverage 10 is above max_leverage 5"),
                    lambda p, cid: record(p, cid, accepted=0, diag=(TRADING_HALTED, 0, math.nan)),
                    lambda p, cid: record(p, cid))
        first = c.outcome(ids[0], 1.0)
        self.assertEqual((first.accepted, first.code, first.diagnostics[0].field, first.diagnostics[0].value,
                          first.message), (False, "RISK_LIMIT", "MAX_LEVERAGE", 10.0, "leverage 10 is above max_leverage 5"))
        self.assertEqual(c.outcome(ids[1], 1.0).code, "TRADING_HALTED")
        self.assertTrue(c.outcome(ids[2], 1.0).accepted)
        self.assertEqual(c.corrupt_outcomes, 0)

    def test_a_record_that_does_not_decode_costs_only_its_own_intent(self):
        lane = BatchLane()
        c = client(lane)
        ids = [c.push(enter("B1")), c.push(enter("B2")), c.push(MarkPrice("BTC-USDT", 65000.0))]
        lane.answer(lambda p, cid: record(p, cid, origin=9),  # no such origin: a broken writer
                    lambda p, cid: record(p, cid, accepted=0, diag=(RISK_LIMIT, MAX_NOTIONAL_PER_TRADE, 65.0)),
                    lambda p, cid: record(p, cid))
        self.assertEqual(c.outcome(ids[1], 1.0).diagnostics[0].field, "MAX_NOTIONAL_PER_TRADE")
        self.assertTrue(c.outcome(ids[2], 1.0).accepted)
        self.assertEqual(c.corrupt_outcomes, 1)
        with self.assertRaises(CorruptRegion) as e:
            c.outcome(ids[0], 1.0)
        self.assertIn(f"intent {ids[0]}", str(e.exception))
        self.assertIn("origin = 9", str(e.exception))
        self.assertEqual(c.outcomes_of(ids[0]), [])  # raised once, then gone; never handed out as an Outcome

    def test_a_record_that_does_not_decode_and_names_no_intent_of_this_client_is_raised_to_the_wait_that_polled_it(self):
        # no wait is for another lane's intent: filed under its id it would never be raised (as the TypeScript client)
        lane = BatchLane()
        c = client(lane)
        ids = [c.push(MarkPrice("BTC-USDT", 65000.0)), c.push(MarkPrice("BTC-USDT", 65000.0))]
        foreign = ((LANE + 1) << 48) | (GENERATION << 32) | 1
        lane.pushed.insert(1, foreign)  # the second record of the poll names it
        lane.answer(lambda p, cid: record(p, cid), lambda p, cid: record(p, cid, origin=9),
                    lambda p, cid: record(p, cid))
        with self.assertRaises(CorruptRegion) as e:
            c.outcome(ids[0], 1.0)
        self.assertIn(f"intent {foreign}", str(e.exception))
        self.assertEqual(c.corrupt_outcomes, 1)
        self.assertTrue(c.outcome(ids[0], 1.0).accepted)  # the poll's other records were kept
        self.assertTrue(c.outcome(ids[1], 1.0).accepted)

    def test_outcomes_of_lists_every_outcome_received_including_those_outcome_already_returned(self):
        lane = BatchLane()
        c = client(lane)
        ids = [c.push(enter("H1")), c.push(MarkPrice("BTC-USDT", 65000.0))]
        lane.answer(lambda p, cid: record(p, cid), lambda p, cid: record(p, cid))
        taken = c.outcome(ids[0], 1.0)
        self.assertEqual(c.outcomes_of(ids[0]), [taken])  # taken, still listed
        self.assertEqual(len(c.outcomes_of(ids[1])), 1)  # not taken yet, listed too


if __name__ == "__main__":
    unittest.main()
