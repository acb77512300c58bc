"""The bounds of the client's waits. (1) Every wait_for_change pending when the kernel mirrors a
change answers that change, not only the first thread to wake: here the second waiter wakes only
after the first returned (ordered by gates in a fake libzinc, not by timing). (2) A timeout of
math.inf waits until the outcome or the change comes, as the TypeScript client's Infinity does,
instead of an OverflowError; a NaN timeout is a ValueError naming the timeout, and ``submit``
with one pushes nothing."""

import ctypes
import math
import struct
import threading
import time
import unittest

from dita_v2_client import MarkPrice

import fake_zinc
from fake_zinc import FakeZinc, record

LANE, GENERATION, KERNEL_GENERATION = 2, 6, 8


class FakeLib(FakeZinc):
    """The state region's sequence with a gate per waiting thread, and a lane whose kernel answers
    each pushed intent after the client's next poll."""

    def __init__(self):
        super().__init__(KERNEL_GENERATION)
        self.gates = {}  # thread -> Event: its zinc_wait returns once the gate opens
        self.waiting = threading.Semaphore(0)
        self.unanswered = []
        self.pushes = 0

    def zinc_wait(self, h, last, timeout_ms):
        gate = self.gates.get(threading.current_thread())
        if gate is None:  # a thread without a gate: the kernel mirrors while it waits
            self.seq += 1 if self.seq == last else 0
        elif self.seq == last and not gate.is_set():
            self.waiting.release()
            gate.wait(10)
        elif self.seq == last:
            time.sleep(timeout_ms / 1000)  # nothing changes any more
        return self.seq

    def zinc_ring_push(self, h, ptr, size):
        self.pushes += 1
        self.unanswered.append(struct.unpack_from("<Q", ctypes.string_at(ptr, size), 304)[0])
        return 0

    def zinc_outcome_poll(self, h, lane, out, most, lost_ref):
        n = super().zinc_outcome_poll(h, lane, out, most, lost_ref)
        for cid in self.unanswered:
            self.records[self.head] = record(self.head, cid)
            self.head += 1
        self.unanswered.clear()
        return n

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        return self.head


def client(lib):
    return fake_zinc.client(lib, LANE, GENERATION)


class WaitBounds(unittest.TestCase):
    def test_every_wait_for_change_pending_at_a_change_answers_it_not_only_the_first_to_wake(self):
        lib = FakeLib()
        c = client(lib)
        answers = {}
        threads = {}
        for name, timeout in (("first", 5.0), ("second", 0.5)):
            t = threading.Thread(target=lambda n=name, s=timeout: answers.__setitem__(n, c.wait_for_change(s)))
            lib.gates[t] = threading.Event()
            threads[name] = t
            t.start()
        for _ in threads:
            self.assertTrue(lib.waiting.acquire(timeout=10), "a waiter never slept")
        lib.seq = 1  # the kernel mirrors once while both sleep
        lib.gates[threads["first"]].set()
        threads["first"].join(10)
        lib.gates[threads["second"]].set()  # the second wakes after the first returned
        threads["second"].join(10)
        self.assertEqual(answers, {"first": 1, "second": 1})

    def test_an_infinite_timeout_waits_until_the_outcome_or_the_change_comes(self):
        lib = FakeLib()
        c = client(lib)
        self.assertTrue(c.submit(MarkPrice("BTC-USDT", 65000.0), timeout=math.inf).accepted)
        self.assertEqual(c.wait_for_change(math.inf), 1)

    def test_a_nan_timeout_is_a_value_error_naming_it_and_submit_pushes_nothing(self):
        lib = FakeLib()
        c = client(lib)
        for wait in (lambda: c.submit(MarkPrice("BTC-USDT", 65000.0), timeout=math.nan),
                     lambda: c.outcome(1, math.nan), lambda: c.next_venue_outcome(1, math.nan),
                     lambda: c.wait_for_change(math.nan)):
            with self.assertRaisesRegex(ValueError, "timeout"):
                wait()
        self.assertEqual(lib.pushes, 0)


if __name__ == "__main__":
    unittest.main()
