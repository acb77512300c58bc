"""A control region an earlier run left behind is not the running kernel's: found by an audit, a
kernel restarted with its control plane in memory (DITA_V2_CONTROL_PLANE=MEMORY) left the old
``<prefix>.control`` file in place, and ``control()`` answered that file's snapshot (ACTIVE) while
the running kernel was HALTED. The control region counts only when its writer pid is the state
region's; otherwise ``control()`` is None. (TypeScript: tests/unit/control_region_stale.test.ts.)"""

import ctypes
import unittest

from dita_v2_client.records import CONTROL_BYTES
from fake_zinc import HEADER, NEW_WRITER_PID, WRITER_PID, FakeZinc
from fake_zinc import client as fake_client

STATE, CONTROL = 2, 4


class WithControl(FakeZinc):
    def __init__(self, control_writer_pid):
        super().__init__(7)
        self.control_writer_pid = control_writer_pid
        self.control_reads = 0

    def zinc_header(self, h, out):
        pid = self.control_writer_pid if h == CONTROL else self.writer_pid
        ctypes.memmove(out, HEADER.pack(0, 0, 0, pid, 0, self.seq, 0, 1, 0, 0, 0, self.kernel_generation, 0),
                       HEADER.size)
        return 0

    def zinc_control_read(self, h, block, out, size):
        self.control_reads += 1
        ctypes.memmove(out, bytes(CONTROL_BYTES), CONTROL_BYTES)
        return 0


def client(lib):
    c = fake_client(lib, 0, 1)
    c._h["control"] = CONTROL
    return c


class ControlStale(unittest.TestCase):
    def test_a_control_region_another_kernel_process_wrote_is_none_and_not_read(self):
        for left_by in (NEW_WRITER_PID, 0):  # an earlier run's kernel, alive elsewhere or closed
            lib = WithControl(left_by)
            self.assertIsNone(client(lib).control(), f"control region of writer pid {left_by}")
            self.assertEqual(lib.control_reads, 0)

    def test_the_running_kernels_own_control_region_is_read(self):
        lib = WithControl(WRITER_PID)
        client(lib).control()
        self.assertEqual(lib.control_reads, 1)


if __name__ == "__main__":
    unittest.main()
