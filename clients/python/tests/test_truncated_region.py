"""A region file truncated within its last page faults no access: the lost bytes read as zeros. Found
by an audit: an open slot read IDLE, the account capital 0, and every push was RingFull for good (a
strategy retrying as told, forever). The client asks libzinc whether the region still matches its
layout (zinc_check) before each read, before submit and push_many push, and before it answers
RingFull: CorruptRegion naming the file. (TypeScript, real regions: client_ts_truncated_region.test.ts.)"""

import ctypes
import unittest

from dita_v2_client import CorruptRegion, Enter
from fake_zinc import FakeZinc, client

INTENTS, STATE = 1, 2


class CutShort(FakeZinc):
    """``bad``: the handles whose file shrank; pushes are counted; ``full``: the ring answers FULL."""

    def __init__(self, *bad, full=False):
        super().__init__(7)
        self.bad, self.full, self.pushes = set(bad), full, 0

    def zinc_check(self, h, err, size):
        if h not in self.bad:
            return 0
        if err is not None and size > 0:
            message = b"/dev/shm/fake.x: the file shrank to 100 bytes\0"
            ctypes.memmove(err, message, len(message))
        return -6

    def zinc_ring_push(self, h, ptr, size):
        self.pushes += 1
        return 1 if self.full else 0

    def zinc_ring_push_batch(self, h, ptr, count):
        self.pushes += 1
        return 0 if self.full else count


ENTER = Enter(0, "T1", "BTC-USDT", "LONG", 0.01, 2)


class TruncatedRegion(unittest.TestCase):
    def test_reads_of_a_state_region_cut_short_are_corrupt_region_naming_the_file(self):
        c = client(CutShort(STATE), 0, 1)
        for read in (c.slots, lambda: c.slot(0), c.account, c.state):
            with self.assertRaisesRegex(CorruptRegion, "the file shrank to 100 bytes"):
                read()

    def test_submit_and_push_many_into_a_ring_cut_short_push_nothing(self):
        lib = CutShort(INTENTS)
        c = client(lib, 0, 1)
        with self.assertRaisesRegex(CorruptRegion, "shrank"):
            c.submit(ENTER, 1.0)
        with self.assertRaisesRegex(CorruptRegion, "shrank"):
            c.push_many([ENTER])
        self.assertEqual(lib.pushes, 0)

    def test_a_ring_that_reads_full_because_it_was_cut_short_is_corrupt_region_not_ring_full(self):
        lib = CutShort(INTENTS, full=True)
        with self.assertRaisesRegex(CorruptRegion, "shrank"):
            client(lib, 0, 1).push(ENTER)  # push is not checked first (fire and forget): FULL is
        self.assertEqual(lib.pushes, 1)


if __name__ == "__main__":
    unittest.main()
