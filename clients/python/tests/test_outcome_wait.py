"""Waiting for an outcome: the client sleeps until its lane holds a record it has not read, so an
outcome the kernel publishes between the client's poll and its wait is taken at once instead of
after the wait's chunk (the lane's head was past it already); and a wake-up that finds nothing to
read (the lane's read word was rewritten under the client) re-reads the position from the lane
header instead of spinning until the timeout. The lane is a fake libzinc with the C semantics of
zinc_outcome_poll / zinc_outcome_wait (ffi/README.md section 7), so the race is exact, not timed."""

import ctypes
import struct
import time
import unittest

from dita_v2_client import MarkPrice, OutcomeTimeout

import fake_zinc
from fake_zinc import FakeZinc, record

LANE, GENERATION, KERNEL_GENERATION = 3, 2, 7


class FakeLane(FakeZinc):
    """One outcome lane and a kernel that answers every pushed intent right after the client's next poll."""

    def __init__(self):
        super().__init__(KERNEL_GENERATION)
        self.answer_after_poll = []
        self.waits = []
        self.waits_timed_out = 0

    def zinc_ring_push(self, h, ptr, size):
        self.answer_after_poll.append(struct.unpack_from("<Q", ctypes.string_at(ptr, size), 304)[0])
        return 0

    def zinc_outcome_poll(self, h, lane, out, most, lost_ref):
        n = super().zinc_outcome_poll(h, lane, out, most, lost_ref)
        for cid in self.answer_after_poll:  # the kernel publishes just after the client polled
            self.records[self.head] = record(self.head, cid)
            self.head += 1
        self.answer_after_poll.clear()
        return n

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        self.waits.append(last_head)
        if self.head != last_head:
            return self.head
        self.waits_timed_out += 1  # nothing moved: the whole chunk passes
        time.sleep(timeout_ms / 1000)
        return self.head


def client(lane):
    return fake_zinc.client(lane, LANE, GENERATION)


class OutcomeWait(unittest.TestCase):
    def test_an_outcome_published_between_the_poll_and_the_wait_is_taken_without_waiting_out_the_chunk(self):
        lane = FakeLane()
        c = client(lane)
        for _ in range(3):
            o = c.submit(MarkPrice("BTC-USDT", 65000.0), timeout=5)
            self.assertTrue(o.accepted)
        self.assertEqual(lane.waits_timed_out, 0, f"waited out a chunk with an unread outcome (waits {lane.waits})")
        self.assertEqual(lane.waits, [0, 1, 2])  # each wait is for the position the client read up to

    def test_a_wake_up_with_nothing_to_read_rereads_the_position_and_the_wait_ends_at_its_timeout(self):
        lane = FakeLane()
        c = client(lane)
        lane.head = lane.read = 5  # the lane's words rewritten under the client: its count is stale
        lane.zinc_ring_push = lambda h, ptr, size: 0  # no kernel answers
        started = time.monotonic()
        with self.assertRaises(OutcomeTimeout):
            c.submit(MarkPrice("BTC-USDT", 65000.0), timeout=0.05)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertLessEqual(len(lane.waits), 4, f"spun instead of sleeping: {len(lane.waits)} waits")
        self.assertEqual(lane.waits[-1], 5)


if __name__ == "__main__":
    unittest.main()
