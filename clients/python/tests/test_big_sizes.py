"""Positions above 2^53 units of 1e-8 (about 9e7 base units: a SHIB or PEPE position). A float
cannot hold every such size, so a slot keeps its exact units in ``size_e8`` (and ``size`` is the
float nearest them, as the TypeScript client decodes it); the seam's whole-position exits
(CloseAll, StopLoss and TakeProfit without a size, ScaleOut of the whole) are encoded with exactly
the units the slot holds: never one unit more than the position, never a unit of dust left; and
the encoder takes an exact ``Decimal`` size."""

import struct
import unittest
from decimal import Decimal

from dita_v2_client import Account, CloseAll, Exit, ScaleOut, StopLoss, TakeProfit, decode_slot, plan_decision
from dita_v2_client.seam import Open
from dita_v2_client.intents import INTENT_BYTES, encode_intent

# 2^53 + 1, 2^53 + 15839, the kernel's bound - 1, a 17-digit size
HELD = (9_007_199_254_740_993, 9_007_199_254_756_831, 99_999_999_999_999_999, 12_345_678_912_345_678)
ACCOUNT = Account(10_000.0, 10_000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0, 0, 1, True)


def slot_image(units):
    """A POSITION_OPEN slot 0 image holding ``units`` of 1e-8 (kernel/ABI.md SlotImage)."""
    img = bytearray(448)
    struct.pack_into("<IBBBBQQq", img, 0, 0, 3, 1, 0, 0, 1, 0, units)
    img[368:368 + 9] = b"SHIB-USDT"
    img[392:394] = b"T1"
    return bytes(img)


def encoded_units(intent):
    out = bytearray(INTENT_BYTES)
    encode_intent(intent, 0, 0, out)
    return struct.unpack_from("<q", out, 16)[0]


class BigSizes(unittest.TestCase):
    def test_a_slot_keeps_its_exact_units_and_its_size_is_the_nearest_float(self):
        for units in HELD:
            s = decode_slot(slot_image(units), 0)
            self.assertEqual(s.size_e8, units)
            self.assertEqual(s.size, float(Decimal(units).scaleb(-8)))

    def test_whole_position_exits_above_2_53_units_are_encoded_with_exactly_the_units_held(self):
        for units in HELD:
            slots = [decode_slot(slot_image(units), 0)]
            for d in (CloseAll(), StopLoss(0), TakeProfit(0), ScaleOut(0, fraction=1.0)):
                p = plan_decision(d, slots, ACCOUNT, {}, lambda: "t")
                self.assertIsNone(p.refusal, d)
                self.assertEqual([encoded_units(i) for i in p.intents], [units], d)

    def test_partial_scale_outs_above_2_53_units_are_encoded_with_exactly_the_floored_units(self):
        # (units held, fraction, the exact product floored): the float nearest each part is a unit off
        for held, fraction, part in ((18_014_398_509_481_986, 0.5, 9_007_199_254_740_993),
                                     (99_999_999_999_999_999, 0.5, 49_999_999_999_999_999),
                                     (12_345_678_912_345_678, 0.9, 11_111_111_021_111_110)):
            p = plan_decision(ScaleOut(0, fraction=fraction), [decode_slot(slot_image(held), 0)], ACCOUNT, {},
                              lambda: "t")
            self.assertIsNone(p.refusal)
            self.assertEqual([encoded_units(i) for i in p.intents], [part], (held, fraction))

    def test_a_capital_fraction_open_above_2_53_units_is_encoded_with_exactly_the_floored_units(self):
        # 123456.789 x 1 x 1 / 0.0013 = 94966760.769230769...: floored, 9496676076923076 units
        account = Account(123_456.789, 123_456.789, 0.0, 0.0, 0.0, 0.0, 0.0, 123_456.789, 0, 1, True)
        p = plan_decision(Open("LONG", "SHIB-USDT", 1, capital_fraction=1.0, reference_price=0.0013),
                          [decode_slot(bytes(448), 0)], account, {}, lambda: "t")
        self.assertIsNone(p.refusal)
        self.assertEqual([encoded_units(i) for i in p.intents], [9_496_676_076_923_076])

    def test_the_encoder_takes_an_exact_decimal_size_and_refuses_a_ninth_decimal_of_one(self):
        self.assertEqual(encoded_units(Exit(0, Decimal("90071992.54740993"))), 9_007_199_254_740_993)
        with self.assertRaisesRegex(Exception, "8 decimals"):
            encoded_units(Exit(0, Decimal("1.000000001")))


if __name__ == "__main__":
    unittest.main()
