"""The boolean bytes of an outcome record (ffi/README.md section 7: ``accepted`` at byte 39 and each
diagnostic's ``retryable``) are 0 or 1. Any other value is a broken or hostile writer: the record
is CorruptRegion naming the field, never a refusal (or a non-retryable diagnostic) it did not
say, as every other undecodable record: through the client's poll it is counted, raised to the wait
for its intent, and the outcomes polled with it are still delivered."""

import math
import unittest

from dita_v2_client import CorruptRegion, MarkPrice
from dita_v2_client.outcome import decode_outcome

import fake_zinc
from test_outcome_drain import BatchLane, client, enter

RATE_LIMITED = 13


def with_byte(rec, at, value):
    b = bytearray(rec)
    b[at] = value
    return bytes(b)


class OutcomeFlags(unittest.TestCase):
    def test_accepted_byte_0_or_1_decodes_and_any_other_value_is_corrupt_region_naming_accepted(self):
        rec = fake_zinc.record(0, 7)
        self.assertTrue(decode_outcome(with_byte(rec, 39, 1)).accepted)
        self.assertFalse(decode_outcome(with_byte(rec, 39, 0)).accepted)
        for v in (2, 0x7F, 0xFF):
            with self.assertRaises(CorruptRegion) as e:
                decode_outcome(with_byte(rec, 39, v))
            self.assertIn(f"accepted = {v}", str(e.exception))

    def test_a_diagnostics_retryable_byte_other_than_0_or_1_is_corrupt_region_naming_retryable(self):
        rec = fake_zinc.record(0, 7, accepted=0, diag=(RATE_LIMITED, 0, math.nan))
        self.assertFalse(decode_outcome(rec).diagnostics[0].retryable)
        self.assertTrue(decode_outcome(with_byte(rec, 48 + 4, 1)).diagnostics[0].retryable)
        for v in (2, 0xFF):
            with self.assertRaises(CorruptRegion) as e:
                decode_outcome(with_byte(rec, 48 + 4, v))
            self.assertIn(f"retryable = {v}", str(e.exception))

    def test_an_outcome_whose_accepted_byte_is_2_costs_only_its_own_intent_in_a_poll(self):
        lane = BatchLane()
        c = client(lane)
        ids = [c.push(enter("F1")), c.push(MarkPrice("BTC-USDT", 65000.0))]
        lane.answer(lambda p, cid: fake_zinc.record(p, cid, kind=1, slot_id=0, stage=1, accepted=2),
                    lambda p, cid: fake_zinc.record(p, cid))
        self.assertTrue(c.outcome(ids[1], 1.0).accepted)
        self.assertEqual(c.corrupt_outcomes, 1)
        with self.assertRaises(CorruptRegion) as e:
            c.outcome(ids[0], 1.0)
        self.assertIn(f"intent {ids[0]}", str(e.exception))
        self.assertIn("accepted = 2", str(e.exception))


if __name__ == "__main__":
    unittest.main()
