"""One client, several threads (ctypes releases the GIL in every libzinc call, so a strategy's
threads do run inside the client at the same time): each thread's pushed intent is the one that
reaches the ring, and each outcome in the lane is delivered once, however many threads poll it —
a venue fill is never handed out twice. libzinc is a fake with the C semantics of
zinc_ring_push (the record is copied from the caller's buffer during the call) and
zinc_outcome_poll (load the lane's read position, copy, store it back: not safe for two pollers
at once, ffi/README.md section 7). The race is forced, not timed: the first thread is held inside
its libzinc call until the second thread has either made its own call (the defect) or waits for
the client's lock (then the lock is what orders them)."""

import ctypes
import threading
import struct
import unittest

from dita_v2_client import MarkPrice, OutcomeTimeout

import fake_zinc
from fake_zinc import FakeZinc

LANE, GENERATION, KERNEL_GENERATION = 1, 3, 4
CID = (LANE << 48) | (GENERATION << 32) | 1


def record(position, cid, origin, event_kind=0):
    return fake_zinc.record(position, cid, kind=1, slot_id=0, stage=2, origin=origin, event_kind=event_kind)


class ProbeLock:
    """A lock that says when a thread had to wait for it (the other thread holds it)."""

    def __init__(self, contended):
        self._lock, self._contended = threading.Lock(), contended

    def __enter__(self):
        if not self._lock.acquire(blocking=False):
            self._contended.set()
            self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self._lock.release()


class FakeLib(FakeZinc):
    def __init__(self):
        super().__init__(KERNEL_GENERATION)
        self.pushed = []
        self.held = None  # the thread held inside its first libzinc call until `other_went`
        self.inside = threading.Event()
        self.other_went = threading.Event()

    def _hold(self):
        if threading.current_thread() is self.held:
            self.held = None
            self.inside.set()
            self.other_went.wait(10)

    def zinc_ring_push(self, h, ptr, size):
        holding = threading.current_thread() is self.held
        self._hold()
        self.pushed.append(ctypes.string_at(ptr, size))  # the C call copies the caller's buffer now
        if not holding:
            self.other_went.set()
        return 0

    def zinc_outcome_poll(self, h, lane, out, most, lost_ref):
        holding = threading.current_thread() is self.held
        read, n = self.read, 0
        while read < self.head and n < most:
            ctypes.memmove(ctypes.addressof(out) + n * 256, self.records[read], 256)
            read, n = read + 1, n + 1
        self._hold()
        self.read = read  # stored after the copy, as zinc_outcome_poll does
        if not holding:
            self.other_went.set()
        return n


def client(lib):
    c = fake_zinc.client(lib, LANE, GENERATION)
    # where the client serialises its threads, this says when the second thread waits there
    c._push_lock = ProbeLock(lib.other_went)
    c._lane_lock = ProbeLock(lib.other_went)
    return c


def in_thread(lib, fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    lib.held = t
    t.start()
    if not lib.inside.wait(10):
        raise AssertionError("the first thread never reached libzinc")
    return t, out


class Threads(unittest.TestCase):
    def test_two_threads_pushing_at_once_each_push_their_own_intent(self):
        lib = FakeLib()
        c = client(lib)
        t, first = in_thread(lib, lambda: c.push(MarkPrice("BTC-USDT", 1.0)))
        second = c.push(MarkPrice("BTC-USDT", 2.0))
        t.join(10)
        pushed = sorted((struct.unpack_from("<Q", r, 304)[0], struct.unpack_from("<d", r, 32)[0]) for r in lib.pushed)
        self.assertEqual(pushed, sorted([(first[0], 1.0), (second, 2.0)]))
        self.assertNotEqual(first[0], second)

    def test_a_venue_fill_polled_while_another_thread_polls_is_delivered_once(self):
        lib = FakeLib()
        lib.records = {0: record(0, CID, 2), 1: record(1, CID, 3, event_kind=3)}  # KERNEL accepted, then FULL_FILL
        lib.head = 2
        c = client(lib)
        t, fills = in_thread(lib, lambda: c.next_venue_outcome(CID, timeout=5))
        c.outcomes_of(CID)  # polls the lane while the first thread is inside its poll
        t.join(10)
        self.assertEqual(fills[0].event_kind, "FULL_FILL")
        self.assertEqual([o.origin for o in c.outcomes_of(CID)], ["KERNEL", "VENUE"])
        with self.assertRaises(OutcomeTimeout):  # the one fill was taken: there is no second
            c.next_venue_outcome(CID, timeout=0)


if __name__ == "__main__":
    unittest.main()
