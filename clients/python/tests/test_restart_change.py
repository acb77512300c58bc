"""A kernel restart seen by ``wait_for_change``: the kernel that adopts the regions mirrors its
state (the sequence moves) as it starts, so the change a waiting strategy sees is the restart
itself. It is KernelRestarted, not an ordinary new sequence: the strategy must reconcile (venue
answers to orders placed before the restart never come). After ``reconnect`` the change is
answered as usual. A raw ``submit`` to a kernel that restarted since connect (or ``reconnect``) is
KernelRestarted at once with nothing pushed, however fast the new kernel would answer, as the
TypeScript client (tests/unit/client_ts_restart_submit.test.ts). A ``reconnect`` racing a new
kernel's start (it adopts the regions while the client judges the writer's liveness) takes that
kernel's generation, so the next submit is answered, never KernelRestarted on a healthy kernel (as
tests/unit/client_ts_reconnect_adopting.test.ts). The kernel is a fake libzinc (tests/fake_zinc.py)."""

import ctypes
import struct
import unittest

from dita_v2_client import KernelRestarted, MarkPrice

import fake_zinc
from fake_zinc import FakeZinc


class Restarting(FakeZinc):
    """A kernel that restarts (a new generation, a new pid) and mirrors while the client waits."""

    def zinc_wait(self, h, last, timeout_ms):
        if self.seq == last:
            self.kernel_generation += 1
            self.writer_pid, self.seq = fake_zinc.NEW_WRITER_PID, last + 1
        return self.seq


class RestartDuringWaitForChange(unittest.TestCase):
    def test_a_restart_that_mirrors_while_the_strategy_waits_for_a_change_is_kernel_restarted(self):
        lib = Restarting(5)
        c = fake_zinc.client(lib, 0, 1)
        with self.assertRaises(KernelRestarted):
            c.wait_for_change(5.0)
        c.reconnect()
        self.assertEqual(c.wait_for_change(5.0), 1)  # the change is still there to read, from the new kernel

    def test_a_restart_before_the_wait_began_is_kernel_restarted_too(self):
        lib = FakeZinc(5)
        c = fake_zinc.client(lib, 0, 1)
        lib.kernel_generation, lib.seq = 6, 3
        with self.assertRaises(KernelRestarted):
            c.wait_for_change(5.0)


class Answering(FakeZinc):
    """A kernel that answers every pushed intent at once with a KERNEL acceptance."""

    def zinc_ring_push(self, h, ptr, size):
        cid = struct.unpack_from("<Q", ctypes.string_at(ptr, size), 304)[0]
        self.records[self.head] = fake_zinc.record(self.head, cid)
        self.head += 1
        return 0


class RestartBeforeSubmit(unittest.TestCase):
    def test_submit_after_a_restart_before_reconnect_is_kernel_restarted_and_pushes_nothing(self):
        lib = Answering(5)
        c = fake_zinc.client(lib, 0, 1)
        lib.kernel_generation, lib.writer_pid = 6, fake_zinc.NEW_WRITER_PID  # a new kernel adopted the regions
        with self.assertRaises(KernelRestarted):
            c.submit(MarkPrice("BTC-USDT", 1.0), 1.0)
        self.assertEqual(lib.head, 0)  # nothing reached the ring, so nothing was answered
        c.reconnect()
        o = c.submit(MarkPrice("BTC-USDT", 1.0), 1.0)
        self.assertEqual((o.origin, o.accepted, lib.head), ("KERNEL", True, 1))



class AdoptedDuringTheLivenessCheck(Answering):
    """A dead kernel's regions, adopted by a new kernel (new pid, next generation) at the moment the
    client asks whether the writer is alive."""

    def zinc_writer_alive(self, h):
        if self.writer_pid == fake_zinc.WRITER_PID:
            self.writer_pid, self.kernel_generation = fake_zinc.NEW_WRITER_PID, self.kernel_generation + 1
        return 1


class ReconnectRacingAStart(unittest.TestCase):
    def test_reconnect_while_a_new_kernel_adopts_takes_its_generation_and_the_next_submit_is_answered(self):
        lib = AdoptedDuringTheLivenessCheck(5)
        c = fake_zinc.client(lib, 0, 1)
        info = c.reconnect()  # it read the header first and kept the dead kernel's generation
        self.assertEqual((info.writer_pid, info.kernel_generation), (fake_zinc.NEW_WRITER_PID, 6))
        o = c.submit(MarkPrice("BTC-USDT", 1.0), 1.0)  # was KernelRestarted on the healthy kernel
        self.assertEqual((o.origin, o.accepted, lib.head), ("KERNEL", True, 1))

if __name__ == "__main__":
    unittest.main()
