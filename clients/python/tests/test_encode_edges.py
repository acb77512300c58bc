"""Numbers at the edge of what the InputRecord carries. (1) A price of -0.0 is market, as 0 and
None are, and is written as +0: the kernel judges a MARKET order's price by its bits and refused
-0 ("a MARKET order must have price 0"). (2) A price no double can hold (an int above 1.8e308) is
InvalidIntent PRICE, not an OverflowError. (3) ``now_ms`` — the client's clock — must be a u64 of
ms: a negative, fractional, NaN or missing time is InvalidIntent NOW_MS and nothing is pushed,
never a struct.error or ValueError out of ``push``."""

import math
import struct
import unittest

from dita_v2_client import ClientClosed, Enter, Exit, InvalidIntent, MarkPrice, encode_intent

import fake_zinc
from fake_zinc import FakeZinc

NOW = 1_700_000_000_123


def record(intent, now_ms=NOW):
    out = bytearray(320)
    encode_intent(intent, now_ms, 7, out)
    return bytes(out)


class Prices(unittest.TestCase):
    def test_a_negative_zero_price_is_a_market_order_written_as_zero(self):
        for market in (None, 0, 0.0):
            self.assertEqual(record(Enter(0, "T", "BTC-USDT", "LONG", 1, 2, price=-0.0)),
                             record(Enter(0, "T", "BTC-USDT", "LONG", 1, 2, price=market)))
            self.assertEqual(record(Exit(0, 1, "TP", price=-0.0)), record(Exit(0, 1, "TP", price=market)))

    def test_a_price_no_double_holds_is_invalid_intent_price(self):
        for intent in (Enter(0, "T", "BTC-USDT", "LONG", 1, 2, price=10**400), Exit(0, 1, "TP", price=-10**400),
                       MarkPrice("BTC-USDT", 10**309)):
            with self.assertRaises(InvalidIntent) as raised:
                record(intent)
            self.assertEqual(raised.exception.field, "PRICE")


class Clock(unittest.TestCase):
    def test_a_now_ms_that_is_not_a_u64_of_ms_is_invalid_intent_now_ms(self):
        for now_ms in (-1, 2**64, 1.5, math.nan, None, True):
            out = bytearray(320)
            with self.assertRaises(InvalidIntent, msg=repr(now_ms)) as raised:
                encode_intent(MarkPrice("BTC-USDT", 1.0), now_ms, 7, out)
            self.assertEqual(raised.exception.field, "NOW_MS")
            self.assertEqual(out, bytearray(320))

    def test_a_client_clock_that_answers_no_time_pushes_nothing_and_says_now_ms(self):
        for answer in (math.nan, math.inf, -1.0, None):
            lib = FakeZinc(3)
            pushed = []
            lib.zinc_ring_push = lambda h, ptr, size: pushed.append(size) or 0
            lib.zinc_ring_push_batch = lambda h, ptr, count: pushed.append(count) or count
            c = fake_zinc.client(lib, 0, 1)
            c._clock = lambda: answer
            for push in (lambda: c.push(MarkPrice("BTC-USDT", 1.0)), lambda: c.push_many([MarkPrice("BTC-USDT", 1.0)])):
                with self.assertRaises(InvalidIntent, msg=repr(answer)) as raised:
                    push()
                self.assertEqual(raised.exception.field, "NOW_MS")
            self.assertEqual(pushed, [])
        self.assertEqual(struct.unpack_from("<Q", record(MarkPrice("BTC-USDT", 1.0), 0), 8)[0], 0)

class BatchSize(unittest.TestCase):
    def test_more_than_1024_intents_is_a_value_error_and_nothing_is_pushed(self):
        lib = FakeZinc(3)
        pushed = []
        lib.zinc_ring_push_batch = lambda h, ptr, count: pushed.append(count) or count
        c = fake_zinc.client(lib, 0, 1)
        with self.assertRaises(ValueError) as raised:
            c.push_many(MarkPrice("BTC-USDT", 1.0) for _ in range(1025))  # an iterator: none may be dropped
        self.assertIn("at most 1024", str(raised.exception))
        self.assertEqual(pushed, [])
        self.assertEqual(len(c.push_many([MarkPrice("BTC-USDT", 1.0)] * 1024)), 1024)

    def test_an_endless_iterable_is_refused_after_its_1025th_intent_not_read_forever(self):
        lib = FakeZinc(3)
        pushed = []
        lib.zinc_ring_push_batch = lambda h, ptr, count: pushed.append(count) or count
        c = fake_zinc.client(lib, 0, 1)
        taken = []

        def endless():  # a feed that never ends: reading it all never returns (and fills memory)
            while len(taken) < 100_000:  # the bound only keeps the old code's failure finite
                taken.append(1)
                yield MarkPrice("BTC-USDT", 1.0)

        with self.assertRaises(ValueError) as raised:
            c.push_many(endless())
        self.assertIn("at most 1024", str(raised.exception))
        self.assertEqual((len(taken), pushed), (1025, []))

    def test_a_closed_client_is_client_closed_before_the_batch_is_read_whatever_its_size(self):
        c = fake_zinc.client(FakeZinc(3), 0, 1)
        c.close()
        taken = []

        def feed():
            for _ in range(1025):
                taken.append(1)
                yield MarkPrice("BTC-USDT", 1.0)

        with self.assertRaises(ClientClosed):
            c.push_many(feed())
        self.assertEqual(taken, [])

if __name__ == "__main__":
    unittest.main()
