"""The fake libzinc the client's unit tests share (not a test module: unittest discovers test*.py).

``FakeZinc`` has the C semantics of the calls DitaClient makes (ffi/zinc.h, ffi/README.md sections
6 and 7): one outcome lane (``head``, ``read``, ``records`` by position; ``zinc_outcome_poll``
copies what is unread and moves the read position), the state region's sequence, seqlock reads of
slot and account images (``busy_reads`` answers 1, "retry exhausted", that many times first;
``mirrors_per_state_read`` bumps the mirror count on every account read: a kernel that mirrors all
the time) and the region header of a live kernel. A test subclasses it or replaces a method to make
the race it needs exact, never timed. ``record`` builds one outcome record, ``client`` one
DitaClient on the fake, ``TickClock`` a monotonic clock that moves only when read.
"""

import ctypes
import os
import struct
import time

from dita_v2_client import DitaClient
from dita_v2_client.client import ClientInfo

HEAD = struct.Struct("<QQQQIHBBBBBB4x")  # an OutcomeRecord's bytes 0..48
DIAG = struct.Struct("<HBBB3xqd")  # one diagnostic, 24 bytes at 48, 72, 96
HEADER = struct.Struct("<IHHIIQIIIIQQQ")  # a region header's 64 bytes
WRITER_PID = os.getpid()  # the fake kernel's pid: a live process (submit checks it exists before it pushes)
NEW_WRITER_PID = os.getppid() or 1  # a kernel that adopted the regions after it: another live process (init if none)


def record(position, cid, *, origin=2, accepted=1, kind=4, slot_id=0xFFFF_FFFF, stage=0, event_kind=0, diag=None,
           message=b""):
    """One stable outcome record at lane ``position`` for intent ``cid``; ``diag`` = (code, field, value)."""
    rec = bytearray(256)
    HEAD.pack_into(rec, 0, 2 * (position + 1), cid, 1, 1, slot_id, kind, origin, accepted, stage, 1 if diag else 0,
                   event_kind, 0)
    if diag:
        code, field, value = diag
        DIAG.pack_into(rec, 48, code, 2, field, 0, -1, value)
    rec[120:120 + len(message)] = message
    return bytes(rec)


class TickClock:
    """A monotonic clock that advances ``step`` seconds each time it is read."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


class FakeZinc:
    def __init__(self, kernel_generation, *, slot_count=1):
        self.kernel_generation = kernel_generation
        self.writer_pid = WRITER_PID
        self.alive = 1
        self.head = self.read = 0
        self.records = {}
        self.seq = 0
        self.slot_images = [bytes(448)] * slot_count
        self.account_image = bytes(96)
        self.mirror_count = 1
        self.busy_reads = 0
        self.mirrors_per_state_read = 0
        self.reads = 0

    # the lane
    def zinc_outcome_lane_header(self, h, lane, out):
        ctypes.memmove(out, struct.pack("<QQ", self.head, self.read), 16)
        return 0

    def zinc_outcome_head(self, h, lane):
        return self.head

    def zinc_ring_push(self, h, ptr, size):
        return 0

    def zinc_outcome_poll(self, h, lane, out, most, lost_ref):
        n = 0
        while self.read < self.head and n < most:
            ctypes.memmove(ctypes.addressof(out) + n * 256, self.records[self.read], 256)
            self.read, n = self.read + 1, n + 1
        return n

    def zinc_outcome_wait(self, h, lane, last_head, spin_us, timeout_ms):
        if self.head == last_head:
            time.sleep(timeout_ms / 1000)
        return self.head

    # the state region
    def zinc_seq(self, h):
        return self.seq

    def zinc_wait(self, h, last, timeout_ms):
        if self.seq == last:
            time.sleep(timeout_ms / 1000)
        return self.seq

    def _seqlock(self, out, image):
        self.reads += 1
        if self.busy_reads > 0:
            self.busy_reads -= 1
            return 1
        ctypes.memmove(out, image, len(image))
        return 0

    def zinc_state_read_slot(self, h, i, out):
        return self._seqlock(out, self.slot_images[i])

    def zinc_state_read_account(self, h, out, pair):
        rc = self._seqlock(out, self.account_image)
        if rc == 0:
            self.mirror_count += self.mirrors_per_state_read
            pair[0], pair[1] = 0, self.mirror_count
        return rc

    # every region
    def zinc_header(self, h, out):
        ctypes.memmove(out, HEADER.pack(0, 0, 0, self.writer_pid, 0, self.seq, 0, len(self.slot_images), 0, 0, 0,
                                        self.kernel_generation, 0), HEADER.size)
        return 0

    def zinc_writer_alive(self, h):
        return self.alive

    def zinc_check(self, h, err, size):
        return 0

    def zinc_outcome_release(self, h, lane, generation):
        return 0

    def zinc_close(self, h):
        return 0


def client(lib, lane, generation, *, monotonic=None):
    """A DitaClient on ``lib`` holding ``lane`` at ``generation`` (the kernel is lib's); its deadlines on
    ``monotonic`` when given (a TickClock), else on the real monotonic clock."""
    info = ClientInfo("fake", "pink", lane, generation, len(lib.slot_images), WRITER_PID, lib.kernel_generation)
    kw = {} if monotonic is None else {"monotonic": monotonic}
    return DitaClient(lib, {"intents": 1, "state": 2, "outcomes": 3}, info, 0, time.time, **kw)
