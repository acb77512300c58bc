"""The client judges the kernel's liveness on the state region's header, the one its kernel identity
comes from (connect and ``reconnect`` read the writer pid and generation there), as the TypeScript
client does: a writer pid and a generation are one header's pair (ffi/README.md sections 2 and 7).
A kernel closing its regions cleanly (intents, state, outcomes) has a closed state region while the
outcomes region still names it: the kernel is not running. The fake's headers differ per handle."""

import ctypes
import subprocess
import unittest

from dita_v2_client import Enter
from dita_v2_client.errors import KernelNotRunning, KernelRestarted, OutcomeTimeout
from fake_zinc import HEADER, NEW_WRITER_PID, WRITER_PID, FakeZinc, client

STATE, OUTCOMES = 2, 3


class PerRegion(FakeZinc):
    """Headers per handle: ``regions[h] = (writer_pid, generation, alive)``."""

    def __init__(self, generation):
        super().__init__(generation)
        self.regions = {h: (WRITER_PID, generation, 1) for h in (1, STATE, OUTCOMES)}

    def zinc_header(self, h, out):
        pid, generation, _ = self.regions[h]
        ctypes.memmove(out, HEADER.pack(0, 0, 0, pid, 0, self.seq, 0, 1, 0, 0, 0, generation, 0), HEADER.size)
        return 0

    def zinc_writer_alive(self, h):
        return self.regions[h][2]


class Liveness(unittest.TestCase):
    def test_a_kernel_that_closed_its_state_region_is_not_running_though_its_outcomes_region_names_it(self):
        lib = PerRegion(7)
        lib.regions[STATE] = (0, 7, 0)
        with self.assertRaises(KernelNotRunning):
            client(lib, 0, 1).wait_for_change(0.001)

    def test_a_state_region_adopted_by_a_new_kernel_is_a_restart_whatever_the_outcomes_region_says(self):
        lib = PerRegion(7)
        lib.regions[STATE] = (NEW_WRITER_PID, 8, 1)
        lib.regions[OUTCOMES] = (0, 7, 0)
        with self.assertRaises(KernelRestarted):
            client(lib, 0, 1).wait_for_change(0.001)


def gone_pid():
    """The pid of a process that ran and was reaped: no process has it (until the kernel reuses it)."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


class Pushes(FakeZinc):
    def __init__(self, generation):
        super().__init__(generation)
        self.pushes = 0

    def zinc_ring_push(self, h, ptr, size):
        self.pushes += 1
        return 0


class SubmitToADeadKernel(unittest.TestCase):
    """Found by an audit: ``submit`` checked only the generation before it pushed, so an intent submitted
    after the kernel was killed went into its ring, the caller was told KernelNotRunning, and the next
    kernel ran it (a position opened long after the strategy gave the order up)."""

    def test_a_kernel_whose_process_is_gone_is_not_running_and_nothing_is_pushed(self):
        lib = Pushes(7)
        lib.writer_pid = gone_pid()  # same generation: killed, not replaced
        c = client(lib, 0, 1)
        with self.assertRaisesRegex(KernelNotRunning, "nothing was pushed"):
            c.submit(Enter(0, "T1", "BTC-USDT", "LONG", 0.01, 2), 1.0)
        self.assertEqual(lib.pushes, 0)

    def test_a_kernel_that_closed_its_regions_is_not_running_and_nothing_is_pushed(self):
        lib = Pushes(7)
        lib.writer_pid = 0
        with self.assertRaisesRegex(KernelNotRunning, "nothing was pushed"):
            client(lib, 0, 1).submit(Enter(0, "T1", "BTC-USDT", "LONG", 0.01, 2), 1.0)
        self.assertEqual(lib.pushes, 0)

    def test_a_writer_pid_past_2_31_is_no_process_nothing_pushed_and_no_stray_error(self):
        lib = Pushes(7)
        lib.writer_pid = 0xFFFF_FFF0  # only hostile bytes write one; os.kill would raise OverflowError
        with self.assertRaisesRegex(KernelNotRunning, "nothing was pushed"):
            client(lib, 0, 1).submit(Enter(0, "T1", "BTC-USDT", "LONG", 0.01, 2), 1.0)
        self.assertEqual(lib.pushes, 0)

    def test_a_live_kernel_takes_the_push(self):
        lib = Pushes(7)
        with self.assertRaises(OutcomeTimeout):  # the fake never answers: a timeout, after the push
            client(lib, 0, 1).submit(Enter(0, "T1", "BTC-USDT", "LONG", 0.01, 2), 0.01)
        self.assertEqual(lib.pushes, 1)


if __name__ == "__main__":
    unittest.main()
