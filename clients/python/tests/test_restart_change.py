"""A kernel restart seen by ``wait_for_change``: the kernel that adopts the regions mirrors its
state (the sequence moves) as it starts, so the change a waiting strategy sees is the restart
itself. It is KernelRestarted, not an ordinary new sequence: the strategy must reconcile (venue
answers to orders placed before the restart never come). After ``reconnect`` the change is
answered as usual. The kernel is a fake libzinc (tests/fake_zinc.py)."""

import unittest

from dita_v2_client import KernelRestarted

import fake_zinc
from fake_zinc import FakeZinc


class Restarting(FakeZinc):
    """A kernel that restarts (a new generation, a new pid) and mirrors while the client waits."""

    def zinc_wait(self, h, last, timeout_ms):
        if self.seq == last:
            self.kernel_generation += 1
            self.writer_pid, self.seq = self.writer_pid + 1, last + 1
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


if __name__ == "__main__":
    unittest.main()
