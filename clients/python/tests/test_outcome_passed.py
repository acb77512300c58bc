"""An intent's EDGE or KERNEL outcome comes before any later intent's of the same client (one lane,
ring order: ffi/README.md section 7). So once a later intent's has come, the wait for an earlier
one whose outcome is not in the inbox (written over in the lane before it was read, with the loss
counted during an earlier wait) is OutcomeLost at once: not an OutcomeTimeout ("it may still be
applied" — it was applied, its answer was lost) after sleeping out the whole timeout, once per
lost intent. An intent whose outcome is merely late is still waited for. The lane is a fake
libzinc whose poll reports the records written over unread (tests/fake_zinc.py)."""

import ctypes
import struct
import time
import unittest

from dita_v2_client import MarkPrice, OutcomeLost, OutcomeTimeout

import fake_zinc
from fake_zinc import FakeZinc, record

LANE, GENERATION, KERNEL_GENERATION = 2, 9, 4


class OverwrittenLane(FakeZinc):
    """A lane two records deep: the kernel answers every pushed intent at once; a poll reports the
    records written over unread as lost (zinc_outcome_poll's out_lost)."""

    DEPTH = 2

    def __init__(self):
        super().__init__(KERNEL_GENERATION)
        self.sleeps = 0

    def zinc_ring_push_batch(self, h, ptr, count):
        for i in range(count):
            cid = struct.unpack_from("<Q", ctypes.string_at(ptr + i * 320, 320), 304)[0]
            self.records[self.head] = record(self.head, cid)
            self.head += 1
        return count

    def zinc_outcome_poll(self, h, lane, out, most, lost_ref):
        lost = max(0, self.head - self.read - self.DEPTH)
        ctypes.cast(lost_ref, ctypes.POINTER(ctypes.c_uint64))[0] += lost
        self.read += lost
        return super().zinc_outcome_poll(h, lane, out, most, lost_ref)

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        if self.head == last_head:
            self.sleeps += 1
            time.sleep(timeout_ms / 1000)
        return self.head


class PassedOutcomes(unittest.TestCase):
    def test_each_intent_whose_outcome_was_written_over_is_outcome_lost_without_waiting_out_its_timeout(self):
        lane = OverwrittenLane()
        c = fake_zinc.client(lane, LANE, GENERATION)
        ids = c.push_many([MarkPrice("BTC-USDT", float(p)) for p in range(5)])
        self.assertEqual(c.outcome(ids[4], timeout=5).client_intent_id, ids[4])  # the poll lost ids[0..2]
        for cid in ids[:3]:
            with self.assertRaises(OutcomeLost, msg=cid) as raised:
                c.outcome(cid, timeout=5)
            self.assertEqual(raised.exception.client_intent_id, cid)
        self.assertEqual(lane.sleeps, 0, "slept on the lane for outcomes that had passed")
        self.assertEqual(c.outcome(ids[3], timeout=5).client_intent_id, ids[3])  # received: still delivered

    def test_an_intent_whose_outcome_has_not_come_yet_is_still_waited_for(self):
        lane = OverwrittenLane()
        c = fake_zinc.client(lane, LANE, GENERATION)
        answered = c.push_many([MarkPrice("BTC-USDT", 1.0)])[0]
        self.assertEqual(c.outcome(answered, timeout=5).client_intent_id, answered)
        late = c.push(MarkPrice("BTC-USDT", 2.0))  # pushed; the kernel has not answered it yet
        with self.assertRaises(OutcomeTimeout):
            c.outcome(late, timeout=0.01)
        self.assertGreater(lane.sleeps, 0)

if __name__ == "__main__":
    unittest.main()
