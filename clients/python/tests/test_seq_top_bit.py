"""A sequence or lane head libzinc answers as int64 (ctypes c_int64) is never taken when negative.
libzinc answers ZINC_E_CORRUPT (-6) for a word >= 2^63 (a stray write into /dev/shm; ffi/README.md
section 9), and an older one returned the word itself, a negative number: ``wait_for_change``
returned it as "the new state sequence", and an outcome wait took it for a moved head and spun
until its timeout. Each is CorruptRegion naming the file and the word instead. The fake libzinc
answers what the C does; the word behind a -6 is in the fake's headers (``seq``, ``head``)."""

import unittest

from dita_v2_client import MarkPrice
from dita_v2_client.errors import CorruptRegion

from fake_zinc import FakeZinc, TickClock, client

LANE, GENERATION, KERNEL_GENERATION = 0, 1, 7
TOP = 1 << 63


class TopBit(FakeZinc):
    """libzinc's answers for a sequence word / lane head >= 2^63: -6 (``legacy``: the word as int64)."""

    def __init__(self, legacy=False):
        super().__init__(KERNEL_GENERATION)
        self.legacy = legacy

    def _int64(self, word):
        if word < TOP:
            return word
        return word - (1 << 64) if self.legacy else -6

    def zinc_seq(self, h):
        return self._int64(self.seq)

    def zinc_wait(self, h, last, timeout_ms):
        return self._int64(self.seq)

    def zinc_outcome_head(self, h, lane):
        return self._int64(self.head)

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        return self._int64(self.head)


class SequenceTopBit(unittest.TestCase):
    def test_wait_for_change_on_a_state_sequence_word_of_2_63_or_2_64_minus_6_is_corrupt_region_naming_the_word(self):
        for legacy in (False, True):
            for word in (TOP, (1 << 64) - 6):
                lib = TopBit(legacy)
                c = client(lib, LANE, GENERATION)
                lib.seq = word
                with self.assertRaises(CorruptRegion) as cm:
                    c.wait_for_change(0)
                self.assertIn("/dev/shm/fake.state", str(cm.exception))
                self.assertIn(f"sequence word >= 2^63 ({word})", str(cm.exception))
                lib.seq = 5
                self.assertEqual(c.wait_for_change(0), 5)  # a real sequence again: answered as before

    def test_a_negative_that_is_no_zinc_code_is_named_as_libzinc_answered_it(self):
        lib = TopBit(legacy=True)
        c = client(lib, LANE, GENERATION)
        lib.seq = TOP
        with self.assertRaises(CorruptRegion) as cm:
            c.wait_for_change(0)
        self.assertIn("-9223372036854775808", str(cm.exception))

    def test_a_client_made_on_a_state_sequence_word_over_2_63_is_corrupt_region_not_a_negative_last_seen(self):
        lib = TopBit()
        lib.seq = TOP
        with self.assertRaises(CorruptRegion):
            client(lib, LANE, GENERATION)

    def test_an_outcome_wait_on_a_lane_head_word_over_2_63_is_corrupt_region_not_a_timeout_after_spinning(self):
        for legacy in (False, True):
            lib = TopBit(legacy)
            c = client(lib, LANE, GENERATION, monotonic=TickClock(0.001))
            cid = c.push(MarkPrice("BTC-USDT", 65000.0))
            lib.head = lib.read = TOP  # a stray write: the head (and the read word) past 2^63
            with self.assertRaises(CorruptRegion) as cm:
                c.outcome(cid, timeout=1)
            self.assertIn("/dev/shm/fake.outcomes", str(cm.exception))
            self.assertIn(f"sequence word >= 2^63 ({TOP})", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
