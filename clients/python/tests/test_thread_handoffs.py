"""One client, several threads, at the points where one thread's work changes what another must do.
(1) A wait whose outcome another thread polled into the inbox (between the wait's own poll and its
sleep on the lane) does not sleep on the lane: the lane is past what that wait last polled, so it
looks again at once instead of after a whole chunk. (2) A client closed by another thread while
this one is inside libzinc (a push, a poll, a read) closes once that call is done: zinc_close
unmaps the region, and a call still inside it faulted the process (SIGSEGV); every later call is
ClientClosed, never a "bad handle" (-2) on the closed handle read as CorruptRegion. (3)
``push_many`` pushes a batch again when libzinc delivered none of it for contention (-7
CONTENDED, -5 ABANDONED: nothing written), as ``push`` does, instead of calling the region corrupt.
libzinc is a fake (tests/fake_zinc.py); the interleavings are forced, not timed."""

import struct
import threading
import time
import unittest

from dita_v2_client import ClientClosed, MarkPrice

import fake_zinc
from fake_zinc import FakeZinc, record

LANE, GENERATION, KERNEL_GENERATION = 1, 4, 6


def cid(sequence):
    return (LANE << 48) | (GENERATION << 32) | sequence


class SleepCounting(FakeZinc):
    def __init__(self):
        super().__init__(KERNEL_GENERATION)
        self.sleeps = 0

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        if self.head == last_head:
            self.sleeps += 1
            time.sleep(timeout_ms / 1000)
        return self.head


class OtherThreadDrains:
    """A monotonic clock that, when read the second time by the waiting thread (after its poll, before
    its sleep), has the kernel publish the outcome and another thread poll it into the inbox."""

    def __init__(self, lib):
        self.lib, self.reads, self.client = lib, 0, None

    def __call__(self):
        self.reads += 1
        if self.reads == 2:
            self.lib.records[self.lib.head] = record(self.lib.head, cid(1))
            self.lib.head += 1
            other = threading.Thread(target=lambda: self.client.outcomes_of(cid(99)))
            other.start()
            other.join(10)
        return time.monotonic()


class ProbeEvent(threading.Event):
    """An event that says when a thread waits on it."""

    def __init__(self, waiting):
        super().__init__()
        self.waiting = waiting

    def wait(self, timeout=None):
        self.waiting.set()
        return super().wait(timeout)


class Unmapping(FakeZinc):
    """zinc_close unmaps the region (libzinc's, ffi/src/open.c): it records whether a call was inside."""

    def __init__(self):
        super().__init__(KERNEL_GENERATION)
        self.inside = self.unmapped_under_a_call = False
        self.closed = 0
        self.closing = threading.Event()  # zinc_close ran, or the closing thread waits for a call to end

    def zinc_ring_push_batch(self, h, ptr, count):
        return count

    def zinc_ring_stats(self, h, out):
        return 0

    def zinc_close(self, h):
        self.unmapped_under_a_call |= self.inside
        self.closed += 1
        self.closing.set()
        return 0

    def close_during(self, c, name):
        """Makes the call ``name`` start a thread closing ``c`` and go on once that thread has
        either reached zinc_close or waits for this call to end."""
        if hasattr(c, "_calls"):
            c._calls.idle = ProbeEvent(self.closing)
        inner, closer = getattr(self, name), threading.Thread(target=c.close)

        def call(*args):
            setattr(self, name, inner)
            self.inside = True
            closer.start()
            self.closing.wait(10)
            self.inside = False
            return inner(*args)

        setattr(self, name, call)
        return closer


class Handoffs(unittest.TestCase):
    def test_a_wait_whose_outcome_another_thread_polled_does_not_sleep_on_the_lane(self):
        lib = SleepCounting()
        clock = OtherThreadDrains(lib)
        c = fake_zinc.client(lib, LANE, GENERATION, monotonic=clock)
        clock.client = c
        self.assertEqual(c.submit(MarkPrice("BTC-USDT", 1.0), timeout=5).client_intent_id, cid(1))
        self.assertEqual(lib.sleeps, 0, "slept a chunk with its outcome already in the inbox")

    def test_a_close_from_another_thread_waits_for_a_push_poll_or_read_inside_libzinc(self):
        calls = (("zinc_ring_push", lambda c: c.push(MarkPrice("BTC-USDT", 1.0))),
                 ("zinc_ring_push_batch", lambda c: c.push_many([MarkPrice("BTC-USDT", 1.0)])),
                 ("zinc_outcome_poll", lambda c: c.outcomes_of(cid(1))),
                 ("zinc_state_read_slot", lambda c: c.slot(0)),
                 ("zinc_state_read_account", lambda c: c.account()),
                 ("zinc_seq", lambda c: c.wait_for_change(0)),
                 ("zinc_ring_stats", lambda c: c.ring_depth()))
        for name, call in calls:
            lib = Unmapping()
            c = fake_zinc.client(lib, LANE, GENERATION)
            closer = lib.close_during(c, name)
            try:  # the call that was inside libzinc when the close began ends (done, or closed for what follows)
                call(c)
            except ClientClosed:
                pass
            closer.join(10)
            self.assertFalse(lib.unmapped_under_a_call, f"zinc_close ran while {name} was inside libzinc")
            self.assertEqual(lib.closed, 3, name)  # then the close happened: every handle closed
            with self.assertRaises(ClientClosed, msg=name):
                call(c)

    def test_push_many_pushes_again_when_contention_delivered_none_of_the_batch(self):
        lib = FakeZinc(KERNEL_GENERATION)
        answers, pushed = [-7, -5, 2], []

        def push_batch(h, ptr, count):
            rc = answers.pop(0)
            if rc > 0:
                pushed.extend(struct.unpack_from("<Q", bytes(c._rec[i * 320:(i + 1) * 320]), 304)[0]
                              for i in range(rc))
            return rc

        lib.zinc_ring_push_batch = push_batch
        c = fake_zinc.client(lib, LANE, GENERATION)
        ids = c.push_many([MarkPrice("BTC-USDT", 1.0), MarkPrice("BTC-USDT", 2.0)])
        self.assertEqual(ids, [cid(1), cid(2)])
        self.assertEqual(pushed, ids)


if __name__ == "__main__":
    unittest.main()
