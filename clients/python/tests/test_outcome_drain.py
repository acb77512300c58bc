"""One poll of the client's lane, several outcomes: each record is decoded on its own. The kernel's
current refusals (RISK_LIMIT naming the limit's field, TRADING_HALTED, REDUCE_ONLY) decode like
any other outcome, and a record that truly does not decode (a broken writer) costs only the
intent it names: the outcomes polled with it are still delivered, the wait for that intent
raises CorruptRegion naming it, and the client counts it. The lane is a fake libzinc that hands
every record to the client in one poll (ffi/README.md section 7)."""

import ctypes
import math
import struct
import time
import unittest

from dita_v2_client import CorruptRegion, DitaClient, Enter, MarkPrice
from dita_v2_client.client import ClientInfo

LANE, GENERATION, KERNEL_GENERATION = 2, 5, 9
_HEAD = struct.Struct("<QQQQIHBBBBBB4x")
_DIAG = struct.Struct("<HBBB3xqd")
_HEADER = struct.Struct("<IHHIIQIIIIQQQ")
RISK_LIMIT, TRADING_HALTED, MAX_NOTIONAL_PER_TRADE, MAX_LEVERAGE = 24, 22, 28, 31


def record(position, cid, *, origin=2, accepted=1, diag=None, message=b""):
    rec = bytearray(256)
    _HEAD.pack_into(rec, 0, 2 * (position + 1), cid, 1, 1, 0, 1, origin, accepted, 1, 1 if diag else 0, 0, 0)
    if diag:
        code, field, value = diag
        _DIAG.pack_into(rec, 48, code, 2, field, 0, -1, value)
    rec[120:120 + len(message)] = message
    return bytes(rec)


class BatchLane:
    """A lane whose kernel answers every intent pushed so far at once, in the order of ``answer``'s makers."""

    def __init__(self):
        self.head = self.read = 0
        self.pushed = []
        self.records = []

    def answer(self, *makers):
        for cid, make in zip(self.pushed, makers):
            self.records.append(make(self.head, cid))
            self.head += 1

    def zinc_outcome_lane_header(self, h, lane, out):
        ctypes.memmove(out, struct.pack("<QQ", self.head, self.read), 16)
        return 0

    def zinc_seq(self, h):
        return 0

    def zinc_ring_push(self, h, ptr, size):
        self.pushed.append(struct.unpack_from("<Q", ctypes.string_at(ptr, size), 304)[0])
        return 0

    def zinc_outcome_poll(self, h, lane, out, most, lost_ref):
        n = 0
        while self.read < self.head and n < most:
            ctypes.memmove(ctypes.addressof(out) + n * 256, self.records[self.read], 256)
            self.read += 1
            n += 1
        return n

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        if self.head == last_head:
            time.sleep(timeout_ms / 1000)
        return self.head

    def zinc_header(self, h, out):
        ctypes.memmove(out, _HEADER.pack(0, 0, 0, 4242, 0, 0, 0, 0, 0, 0, 0, KERNEL_GENERATION, 0), _HEADER.size)
        return 0

    def zinc_writer_alive(self, h):
        return 1

    def zinc_outcome_release(self, h, lane, generation):
        return 0

    def zinc_close(self, h):
        return 0


def client(lane):
    info = ClientInfo("fake", "pink", LANE, GENERATION, 1, 4242, KERNEL_GENERATION)
    return DitaClient(lane, {"intents": 1, "state": 2, "outcomes": 3}, info, 0, time.time)


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
