"""Reads of a busy kernel. A kernel that mirrors its state all the time makes seqlock reads retry
(libzinc answers 1, "retry exhausted") and ``state()`` re-read (the mirror count moved): that is
contention, not corruption. The client keeps retrying for a time bound (READ_BUSY_S, on its
monotonic clock), so a busy but healthy kernel is read; past the bound it raises StateBusy (code
STATE_BUSY), never CorruptRegion, which stays for bytes that do not decode. The seam surfaces a
busy state read as a retryable CLIENT refusal in its result instead of raising out of
``execute``. The kernel is a fake libzinc (fake_zinc.py); the clock is a TickClock, so nothing
here depends on how fast the machine is."""

import unittest

from dita_v2_client import CorruptRegion, Seam, StateBusy, open_long
from dita_v2_client.client import READ_BUSY_S

import fake_zinc
from fake_zinc import FakeZinc, TickClock

LANE, GENERATION, KERNEL_GENERATION = 1, 1, 3


def client(lib, step=1e-6):
    return fake_zinc.client(lib, LANE, GENERATION, monotonic=TickClock(step))


class StateBusyReads(unittest.TestCase):
    def test_a_slot_read_the_kernel_keeps_busy_for_a_while_is_read_not_called_corrupt(self):
        lib = FakeZinc(KERNEL_GENERATION)
        c = client(lib)
        lib.busy_reads = 200  # 200 rounds of libzinc's own retries, well inside the time bound
        self.assertEqual(c.slot(0).stage, "IDLE")
        lib.busy_reads = 200
        self.assertFalse(c.account().seeded)

    def test_a_state_view_of_a_kernel_that_mirrors_between_many_reads_is_still_taken(self):
        lib = FakeZinc(KERNEL_GENERATION)
        c = client(lib)
        lib.mirrors_per_state_read = 1  # every account read sees a new mirror count...
        calls = {"n": 0}
        read_account = lib.zinc_state_read_account

        def settles(h, out, pair):  # ...until the 300th read, then the kernel goes quiet
            calls["n"] += 1
            if calls["n"] >= 300:
                lib.mirrors_per_state_read = 0
            return read_account(h, out, pair)

        lib.zinc_state_read_account = settles
        view = c.state()
        self.assertEqual(len(view.slots), 1)

    def test_a_read_busy_past_the_time_bound_is_state_busy_not_corrupt_region(self):
        lib = FakeZinc(KERNEL_GENERATION)
        c = client(lib, step=READ_BUSY_S / 50)
        lib.busy_reads = 10**9
        with self.assertRaises(StateBusy) as e:
            c.slot(0)
        self.assertNotIsInstance(e.exception, CorruptRegion)
        self.assertEqual(e.exception.code, "STATE_BUSY")
        self.assertIn("slot 0", str(e.exception))
        lib.busy_reads, lib.mirrors_per_state_read = 0, 1
        with self.assertRaises(StateBusy):
            c.state()

    def test_the_seam_surfaces_a_busy_state_read_as_a_retryable_refusal_and_pushes_nothing(self):
        lib = FakeZinc(KERNEL_GENERATION)
        c = client(lib, step=READ_BUSY_S / 50)
        lib.mirrors_per_state_read = 1
        pushed = []
        lib.zinc_ring_push = lambda h, ptr, size: pushed.append(1) or 0
        r = Seam(c).execute(open_long("BTC-USDT", 2, size=0.01))
        self.assertFalse(r.ok)
        self.assertEqual([(x.origin, x.code, x.retryable) for x in r.refusals], [("CLIENT", "STATE_BUSY", True)])
        self.assertEqual(pushed, [])


if __name__ == "__main__":
    unittest.main()
