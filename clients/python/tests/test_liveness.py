"""The client judges the kernel's liveness on the state region's header, the one its kernel identity
comes from (connect and ``reconnect`` read the writer pid and generation there), as the TypeScript
client does: a writer pid and a generation are one header's pair (ffi/README.md sections 2 and 7).
A kernel closing its regions cleanly (intents, state, outcomes) has a closed state region while the
outcomes region still names it: the kernel is not running. The fake's headers differ per handle."""

import ctypes
import unittest

from dita_v2_client.errors import KernelNotRunning, KernelRestarted
from fake_zinc import HEADER, WRITER_PID, FakeZinc, client

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
        lib.regions[STATE] = (WRITER_PID + 1, 8, 1)
        lib.regions[OUTCOMES] = (0, 7, 0)
        with self.assertRaises(KernelRestarted):
            client(lib, 0, 1).wait_for_change(0.001)


if __name__ == "__main__":
    unittest.main()
