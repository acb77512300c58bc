"""DitaClient: a strategy process's connection to one DITAv2 kernel over Zinc shared memory.

Push STRATEGY intents into the ring and wait for each one's outcome in the client's own lane of
the outcomes region (ffi/README.md section 7); read slots, the account and the control snapshot;
wait for state changes.

Invariants: (1) ``submit`` returns the intent's EDGE or KERNEL outcome or raises one specific error
(RingFull: nothing was written; OutcomeTimeout / OutcomeLost: the intent may still take effect;
KernelRestarted / KernelNotRunning: reconcile from ``slots()``; KernelRestarted before anything is pushed
when a kernel restarted since connect or ``reconnect``, KernelNotRunning when its process is gone), never
waits past its timeout; an
intent with no outcome once a later intent's came (one client's outcomes keep its push order) is
OutcomeLost at once, never a wait for what will not come; (2) VENUE outcomes and outcomes of other
intents are kept (bounded) for ``outcomes_of`` / ``next_venue_outcome``, which raises IntentRefused at
once for an intent whose EDGE or KERNEL outcome came refused (it made no order); (3) records of another
generation of the lane are ignored; (4) reads are seqlock-stable, ``state()`` is one mirror call's
view; a kernel that keeps mirroring is retried for READ_BUSY_S, then StateBusy (contention, never
CorruptRegion); (5) each polled record is decoded on its own: one that does not decode is counted in
``corrupt_outcomes`` and raised as CorruptRegion to the next wait for the intent its id names (one
naming no intent of this client: by the wait that polled it, once the poll is filed), while every
other outcome of the same poll is delivered as usual; (6) one client may be used from several
threads (ctypes releases the GIL in every libzinc call): pushes are serialised (each thread's record
is the one that reaches the ring, ids are unique), and so are polls of the lane and the inbox (each
outcome is delivered once); no lock is held while a thread sleeps on the lane, and a wait sleeps
only while the lane holds nothing past what it polled itself (an outcome another thread polled for
it is taken at once); ``close`` waits for every push, poll and read inside libzinc (zinc_close
unmaps the region: a call still inside it would fault), then every call is ClientClosed; (7) a state
sequence or lane head word >= 2^63 (libzinc answers a negative int64) is CorruptRegion, never a
sequence; (8) a kernel restart is KernelRestarted to ``submit`` (nothing pushed) and to every wait
that has nothing to return, ``wait_for_change`` included (the new kernel's first mirror is a change),
until ``reconnect``; an outcome that had arrived before the restart is still returned (it is the
old kernel's real answer); (9) a client belongs to the process that connected it: in a forked child
(``multiprocessing`` on Linux) every call is ClientForked with nothing pushed or read, and ``close``
there releases nothing of the parent's.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import os
import struct
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Union

from . import _zinc
from .errors import (ClientClosed, ClientForked, CorruptRegion, ForeignNamespace, IntentRefused, InvalidIntent, KernelNotRunning,
                     KernelRestarted, LanesBusy, OutcomeLost, OutcomeTimeout, RegionMissing, RingFull, StateBusy)
from .intents import INTENT_BYTES, Intent, encode_intent
from .outcome import OUTCOME_BYTES, Outcome, decode_outcome_at
from .records import (ACCOUNT_BYTES, CONTROL_BYTES, SLOT_BYTES, Account, ControlSnapshot, Slot, decode_account,
                      decode_control, decode_slot)

POLL_MAX = 256
INBOX_MAX = 4096
CHUNK_MS = 50
BATCH_MAX = 1024
READ_BUSY_S = 0.5  # how long a read retries while the kernel keeps mirroring (then StateBusy)
READ_TRIES_MIN = 8  # a read tries at least this often, however the clock moved
_GENERATION = struct.Struct("<H")  # an outcome's lane generation: client_intent_id bits 32..47, at byte 12
_INTENT_ID = struct.Struct("<8xQ")  # an outcome's client_intent_id, at byte 8
_LANE_READ = struct.Struct("<8xQ")  # the lane header's read position (ffi/zinc.h zinc_outcome_lane)


@dataclass(slots=True)
class ClientInfo:
    prefix: str
    namespace: str
    lane: int
    generation: int
    slot_count: int
    writer_pid: int
    kernel_generation: int


@dataclass(frozen=True, slots=True)
class StateView:
    slots: tuple[Slot, ...]
    account: Account
    state_hash: int
    mirror_count: int


_process = [os.getpid()]  # this process's pid, renewed in a forked child before it runs on
os.register_at_fork(after_in_child=lambda: _process.__setitem__(0, os.getpid()))


class _Calls:
    """The libzinc calls in flight on a client's handles: ``with calls:`` around each (ClientClosed once
    closed; ClientForked in a process forked from the one that connected). ``close`` waits until none
    is: zinc_close unmaps the region, and a push, poll or read still inside it would fault the process.
    The waits are not counted: libzinc holds a reference for each, and wakes and drains them at close."""

    def __init__(self) -> None:
        self.open, self.count, self.lock, self.idle = True, 0, threading.Lock(), threading.Event()
        self.pid = _process[0]

    def refuse_if_forked(self) -> None:
        if self.pid != _process[0]:
            raise ClientForked(f"this client was connected by process {self.pid}, not this one ({_process[0]}, "
                               "forked from it): its lane and ids are that process's; nothing was pushed or read. "
                               "Connect a client of this process's own (DitaClient.connect in the child)")

    def __enter__(self) -> None:
        self.refuse_if_forked()  # before the lock: a fork copies a lock another thread held as held
        with self.lock:
            if not self.open:
                raise ClientClosed("the client is closed")
            self.count += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.count -= 1
            if self.count == 0 and not self.open:
                self.idle.set()

    def close(self) -> bool:
        """Refuses new calls and waits for those in flight; False when it was closed already."""
        with self.lock:
            if not self.open:
                return False
            self.open, busy = False, self.count > 0
        if busy:
            self.idle.wait()
        return True


def _live_kernel(lib: ctypes.CDLL, state_h: int) -> tuple[dict[str, int], bool]:
    """The state region's header and whether its writer (the kernel) is alive. Liveness is judged
    first: a kernel adopting the regions meanwhile bumped the generation before its pid names it
    (ffi/README.md section 8), so a writer seen alive is named by its own generation, never the one
    before it (``reconnect`` would keep that, and the next ``submit`` be KernelRestarted)."""
    writer_alive = lib.zinc_writer_alive(state_h) == 1
    state = _zinc.header(lib, state_h)
    return state, writer_alive and state["writer_pid"] != 0


class DitaClient:
    """Connect with ``DitaClient.connect(prefix=..., namespace=..., lib_path=...)``; close when done
    (or use it as a context manager): the lane is released for the next producer."""

    def __init__(self, lib: ctypes.CDLL, handles: dict[str, int], info: ClientInfo, spin_us: int,
                 clock: Callable[[], float], monotonic: Callable[[], float] = time.monotonic,
                 state_seq: Optional[int] = None) -> None:
        self._lib, self._h, self.info, self._spin_us, self._clock = lib, handles, info, spin_us, clock
        self._monotonic = monotonic  # every deadline (waits, read retries); wall-clock steps change none
        self._rec = bytearray(INTENT_BYTES * BATCH_MAX)
        self._rec_ptr = ctypes.addressof((ctypes.c_char * len(self._rec)).from_buffer(self._rec))
        self._poll = ctypes.create_string_buffer(POLL_MAX * OUTCOME_BYTES)
        self._polled = memoryview(self._poll).cast("B")
        self._lost = ctypes.c_uint64(0)
        self._lost_ref = ctypes.byref(self._lost)
        # Per intent id: its outcomes, or the CorruptRegion of a record of it that did not decode.
        self._inbox: OrderedDict[int, list[Union[Outcome, CorruptRegion]]] = OrderedDict()
        # Every outcome received per intent, taken or not (outcomes_of), for the last INBOX_MAX intents.
        self._history: OrderedDict[int, list[Outcome]] = OrderedDict()
        self.corrupt_outcomes = 0  # records of this client's lane that did not decode (a broken writer)
        self._sequence = 0
        self._answered = 0  # the sequence of the newest intent of this client whose EDGE/KERNEL outcome came
        self._lost_total = 0
        self._read_pos = self._lane_read()
        # never a negative answer (a word >= 2^63 is CorruptRegion); connect reads it before claiming a lane
        self._state_seen = _zinc.state_seq(lib, handles["state"], info.prefix) if state_seq is None else state_seq
        self._push_lock = threading.Lock()  # the record buffer, the id sequence and the ring push
        self._lane_lock = threading.Lock()  # the lane's polls (libzinc's read position), the poll buffer, the inbox
        self._calls = _Calls()  # the libzinc calls in flight, which close() waits for

    @classmethod
    def connect(cls, prefix: Optional[str] = None, *, namespace: Optional[str] = None, lib_path: Optional[str] = None,
                spin_us: int = 200, clock: Callable[[], float] = time.time,
                monotonic: Callable[[], float] = time.monotonic) -> "DitaClient":
        """Opens the four regions of ``prefix`` (default ``dita_v2_<namespace>``) and claims a lane.

        Raises RegionMissing, PermissionDenied, LayoutMismatch, KernelNotRunning (a stale region from
        a dead kernel), ForeignNamespace, LanesBusy or LibraryError, each naming the file or cause."""
        lib = _zinc.load(_zinc.resolve_lib_path(lib_path))
        prefix = prefix or f"dita_v2_{namespace or 'pink'}"
        handles: dict[str, int] = {}
        try:
            for kind in ("intents", "state", "outcomes"):
                handles[kind] = _zinc.open_region(lib, prefix, kind)
            try:  # a kernel whose control plane is in memory (DITA_V2_CONTROL_PLANE=MEMORY) has none
                handles["control"] = _zinc.open_region(lib, prefix, "control")
            except RegionMissing:
                pass
            state, alive = _live_kernel(lib, handles["state"])
            if not alive:
                raise KernelNotRunning(
                    f"/dev/shm/{prefix}.state: no kernel holds the regions (its last writer closed them)"
                    if state["writer_pid"] == 0 else
                    f"/dev/shm/{prefix}.state: writer pid {state['writer_pid']} is not running "
                    "(a stale region from a dead kernel)")
            ns_buf = ctypes.create_string_buffer(32)
            lib.zinc_outcome_namespace(handles["outcomes"], ns_buf)
            ns = ns_buf.raw.split(b"\0", 1)[0].decode("utf-8", "replace")
            if namespace is not None and ns and ns != namespace:
                raise ForeignNamespace(f"prefix '{prefix}' belongs to namespace '{ns}', not '{namespace}': "
                                       "refusing to trade another strategy's slots")
            seq = _zinc.state_seq(lib, handles["state"], prefix)  # a word >= 2^63: refused before a lane is claimed
            gen = ctypes.c_uint32(0)
            lane = lib.zinc_outcome_claim(handles["outcomes"], ctypes.byref(gen))
            if lane < 0:
                raise LanesBusy(f"/dev/shm/{prefix}.outcomes: every outcome lane is held by a live producer")
            info = ClientInfo(prefix, ns, lane, gen.value, state["record_count"], state["writer_pid"],
                              state["generation"])
            return cls(lib, handles, info, max(0, min(10_000, int(spin_us))), clock, monotonic, seq)
        except BaseException:
            for h in handles.values():
                lib.zinc_close(h)
            raise

    def __enter__(self) -> "DitaClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _live(self) -> None:
        self._calls.refuse_if_forked()
        if not self._calls.open:
            raise ClientClosed("the client is closed")

    def _next_id(self) -> int:
        self._sequence = (self._sequence + 1) & 0xFFFF_FFFF
        return (self.info.lane << 48) | (self.info.generation << 32) | self._sequence

    def now_ms(self) -> int:
        """The client's clock in ms, as stamped into each record (the seam's trade ids use it too);
        InvalidIntent NOW_MS when it answers no time."""
        return self._now_ms()

    def _now_ms(self) -> int:
        """The client's clock in ms for a record; InvalidIntent NOW_MS when it answers no time."""
        t = self._clock()
        try:
            return int(t * 1000)
        except (TypeError, ValueError, OverflowError):
            raise InvalidIntent("NOW_MS", f"the client's clock answered {t!r}, not a time in seconds") from None

    def push(self, intent: Intent) -> int:
        """Pushes one intent without waiting; returns its client_intent_id. RingFull: nothing written."""
        rc = 0
        with self._calls, self._push_lock:
            now = self._now_ms()
            cid = self._next_id()
            encode_intent(intent, now, cid, self._rec)
            for _ in range(3):
                rc = self._lib.zinc_ring_push(self._h["intents"], self._rec_ptr, INTENT_BYTES)
                if rc == 0:
                    return cid
                if rc not in (-5, -7):  # ABANDONED / CONTENDED: nothing delivered, push again
                    break
        if rc == 1:
            self._check_region("intents")  # a truncated ring reads as full: that is CorruptRegion, not a retry
            raise RingFull(f"/dev/shm/{self.info.prefix}.intents is full: nothing was written; retry")
        raise CorruptRegion(f"/dev/shm/{self.info.prefix}.intents: push failed ({_zinc_error(rc)})")

    def push_many(self, intents: Iterable[Intent]) -> list[int]:
        """Pushes up to 1024 intents with one notify; returns the ids of those that went in (in
        order; fewer than given when the ring filled: push the rest again). More than 1024 is a
        ValueError with nothing pushed (split the batch), raised at the 1025th: an endless iterable
        is not read on. RingFull when none went in; a batch contention kept out entirely
        (ABANDONED / CONTENDED, nothing delivered) is pushed again, as ``push``. A closed client is
        ClientClosed before anything is read, whatever the batch."""
        self._live()
        batch = list(itertools.islice(intents, BATCH_MAX + 1))
        if len(batch) > BATCH_MAX:
            raise ValueError(f"push_many takes at most {BATCH_MAX} intents, got more: nothing was pushed")
        ids = []
        self._check_region("intents")
        with self._calls, self._push_lock:
            now = self._now_ms()
            for i, intent in enumerate(batch):
                ids.append(self._next_id())
                encode_intent(intent, now, ids[-1], self._rec, i * INTENT_BYTES)
            for _ in range(3):
                n = self._lib.zinc_ring_push_batch(self._h["intents"], self._rec_ptr, len(batch))
                if n not in (-5, -7):  # ABANDONED / CONTENDED before the first record: nothing delivered, push again
                    break
        if n == 0 and batch:
            self._check_region("intents")
            raise RingFull(f"/dev/shm/{self.info.prefix}.intents is full: nothing was written; retry")
        if n < 0:
            raise CorruptRegion(f"/dev/shm/{self.info.prefix}.intents: push failed ({_zinc_error(n)})")
        return ids[:n]

    def submit(self, intent: Intent, timeout: float = 1.0) -> Outcome:
        """Pushes ``intent`` and returns its EDGE or KERNEL outcome (see the invariants above)."""
        _check_timeout(timeout)  # a bad timeout pushes nothing
        self._check_before_push()  # nor does a kernel that restarted since connect or reconnect, or is dead
        self._check_region("intents")  # nor a ring cut short (its lost bytes read as zeros: a push would vanish)
        return self.outcome(self.push(intent), timeout)

    def outcome(self, cid: int, timeout: float = 1.0) -> Outcome:
        """The EDGE or KERNEL outcome of an intent ``push`` returned the id of."""
        return self._await(cid, timeout, False)

    def next_venue_outcome(self, cid: int, timeout: float = 5.0) -> Outcome:
        """The next VENUE outcome of an intent (ACK, fill, CANCEL_ACK, CANCEL_REJECT, REJECT)."""
        return self._await(cid, timeout, True)

    def outcomes_of(self, cid: int) -> list[Outcome]:
        """Every outcome received so far for an intent, including those ``outcome`` and
        ``next_venue_outcome`` already returned (kept for the last 4096 intents)."""
        with self._calls, self._lane_lock:
            self._drain()
            return list(self._history.get(cid, ()))

    def _take(self, cid: int, venue: bool) -> Optional[Outcome]:
        """The intent's first outcome of the kind waited for, taken out of the inbox; raises (once)
        the CorruptRegion of a record of the intent that did not decode."""
        found = self._inbox.get(cid)
        if not found:
            return None
        for i, o in enumerate(found):
            if isinstance(o, CorruptRegion) or (o.origin == "VENUE") == venue:
                del found[i]
                if not found:
                    del self._inbox[cid]
                if isinstance(o, CorruptRegion):
                    raise o
                return o
        return None

    def _await(self, cid: int, timeout: float, venue: bool) -> Outcome:
        deadline = self._monotonic() + _check_timeout(timeout)
        lost_before = self._lost_total
        lib, h, lane = self._lib, self._h["outcomes"], self.info.lane
        woke = False
        while True:
            with self._calls, self._lane_lock:
                hit = self._take(cid, venue)  # already received (pipelined submits)
                if hit is not None:
                    return hit
                if self._drain() == 0 and woke:
                    self._read_pos = self._lane_read()  # woken, nothing to read: our count drifted (hostile write)
                hit = self._take(cid, venue)
                if hit is not None:
                    return hit
                if venue:
                    self._refused(cid)  # IntentRefused: a refused intent made no order to hear about
                passed = not venue and self._passed(cid)
                # What this wait polled up to: another thread's poll may take the lane (and this
                # intent's outcome into the inbox) before the sleep below, which must then not sleep.
                polled = self._read_pos
            if passed:  # a later intent's outcome came first: this one's never will
                self._check_kernel(cid)
                raise OutcomeLost(cid, f"intent {cid} has no outcome and a later intent's came: its own was written "
                                       f"over in lane {lane} unread, dropped (over {INBOX_MAX} intents unread) or "
                                       "taken already: read its slot")
            left = deadline - self._monotonic()
            if left <= 0:
                self._check_kernel(cid)
                if self._lost_total > lost_before:
                    raise OutcomeLost(cid, f"{self._lost_total - lost_before} outcomes of lane {lane} were written "
                                           f"over unread; intent {cid} had none within {timeout} s: read its slot")
                raise OutcomeTimeout(cid, f"no outcome for intent {cid} within {timeout} s (it may still be applied)")
            chunk = _chunk_ms(left)
            # Waits for the lane's head to pass what this wait polled, not for the head it last saw:
            # an outcome published (or polled by another thread) after the poll above is past it.
            head = lib.zinc_outcome_wait(h, lane, polled, self._spin_us, chunk)
            with self._calls:  # closed meanwhile: ClientClosed, not the closed handle's error code
                woke = _zinc.lane_head(lib, h, lane, self.info.prefix, head) != polled  # never a negative head
            if not woke:
                self._check_kernel(cid)

    def _refused(self, cid: int) -> None:
        """Raises IntentRefused when the intent's EDGE or KERNEL outcome came (taken or not) and is not
        accepted: it made no order, so no VENUE outcome will come. The outcome stays where it is (untaken
        for ``outcome``). The caller holds ``_lane_lock``."""
        o = next((x for x in self._history.get(cid, ()) if x.origin != "VENUE"), None)
        if o is None or o.accepted:
            return
        d = o.diagnostics[0] if o.diagnostics else None
        text = f": {o.message}" if o.message else ""
        hint = "" if d is None or d.retry_after_ms is None else f"; retry after {d.retry_after_ms} ms"
        why = f"{o.origin}, no diagnostic" if d is None else f"{o.origin} {d.code}{text}{hint}"
        raise IntentRefused(o, f"intent {cid} was refused ({why}): it made no order, so no VENUE outcome will come")

    def _passed(self, cid: int) -> bool:
        """Whether the EDGE/KERNEL outcome of a later intent of this lane and generation came: the
        ring and the lane keep one client's order, so this intent's came before it (32-bit wrap)."""
        return cid >> 32 == self._id_high() and 0 < (self._answered - cid) & 0xFFFF_FFFF < 1 << 31

    def _id_high(self) -> int:
        """The lane and generation bits of this client's intent ids (bits 32..63)."""
        return (self.info.lane << 16) | self.info.generation

    def _lane_read(self) -> int:
        """The lane's read position from its header (what every poll so far consumed)."""
        buf = ctypes.create_string_buffer(64)
        if self._lib.zinc_outcome_lane_header(self._h["outcomes"], self.info.lane, buf) != 0:
            raise CorruptRegion(f"/dev/shm/{self.info.prefix}.outcomes: lane {self.info.lane} header unreadable")
        return _LANE_READ.unpack_from(buf.raw, 0)[0]

    def _drain(self) -> int:
        """Polls the lane into the inbox; returns the records consumed (read or lost). Records of
        another generation of the lane are skipped; each record is decoded on its own (_decode);
        one that does not decode and names no intent of this client is raised here, after the poll's
        other records were filed. The caller holds ``_lane_lock``."""
        self._live()
        lib, h, lane, gen = self._lib, self._h["outcomes"], self.info.lane, self.info.generation
        buf, lost, high = self._polled, self._lost, self._id_high()
        consumed, foreign = 0, None
        for _ in range(64):
            lost.value = 0
            n = lib.zinc_outcome_poll(h, lane, self._poll, POLL_MAX, self._lost_ref)
            if n < 0:
                why = "head: sequence word >= 2^63: corrupt region" if n == -6 else "is no longer ours"
                raise CorruptRegion(f"/dev/shm/{self.info.prefix}.outcomes: lane {lane} {why} ({n})")
            self._lost_total += lost.value
            # The poll moved the lane's read position past every record it copied or skipped.
            self._read_pos += n + lost.value
            consumed += n + lost.value
            for at in range(0, n * OUTCOME_BYTES, OUTCOME_BYTES):
                if _GENERATION.unpack_from(buf, at + 12)[0] != gen:
                    continue  # an outcome for an earlier owner of this lane
                cid, o = self._decode(buf, at)
                if isinstance(o, CorruptRegion) and cid >> 32 != high:
                    foreign = foreign or o  # names no intent of this client: no wait is for it, this one raises it
                    continue
                if isinstance(o, Outcome) and o.origin != "VENUE" and cid >> 32 == high:
                    self._answered = cid & 0xFFFF_FFFF
                self._inbox.setdefault(cid, []).append(o)
                if len(self._inbox) > INBOX_MAX:
                    self._inbox.popitem(last=False)
                if isinstance(o, Outcome):
                    self._history.setdefault(cid, []).append(o)
                    if len(self._history) > INBOX_MAX:
                        self._history.popitem(last=False)
            if n < POLL_MAX:
                break
        if foreign is not None:  # raised once the poll's other records are filed: none is dropped with it
            raise foreign
        return consumed

    def _decode(self, buf: memoryview, at: int) -> tuple[int, Union[Outcome, CorruptRegion]]:
        """The polled record at ``at`` and its intent id; a record that does not decode is counted
        and kept as the CorruptRegion its intent's next wait raises (the other records are unaffected)."""
        try:
            o = decode_outcome_at(buf, at)
            return o.client_intent_id, o
        except CorruptRegion as e:
            self.corrupt_outcomes += 1
            cid = _INTENT_ID.unpack_from(buf, at)[0]
            where = f"/dev/shm/{self.info.prefix}.outcomes: lane {self.info.lane}"
            if cid >> 32 != self._id_high():
                return cid, CorruptRegion(f"{where}: an outcome naming intent {cid}, not one of this client's, does "
                                          f"not decode ({e})")
            return cid, CorruptRegion(f"{where}: an outcome of intent {cid} does not decode ({e}); the lane's other "
                                      "outcomes are delivered")

    def check_kernel(self) -> None:
        """Raises KernelRestarted when a kernel adopted the regions since connect (or ``reconnect``),
        KernelNotRunning when none holds them; the ring of a dead kernel keeps what is pushed."""
        self._live()
        self._check_kernel(None)

    def _check_before_push(self) -> None:
        """What ``submit`` checks before it pushes: KernelRestarted when a kernel adopted the regions since
        connect (or ``reconnect``); KernelNotRunning when the kernel closed them or its process is gone
        (signal 0: about a µs, where ``check_kernel``'s start-time check reads /proc), since a dead
        kernel's ring keeps what is pushed for the next kernel to run, long after the caller was told."""
        with self._calls:
            state = _zinc.header(self._lib, self._h["state"])
        self._raise_if_restarted(None, state)
        if state["writer_pid"] == 0 or not _process_exists(state["writer_pid"]):
            raise KernelNotRunning(f"the kernel of '{self.info.prefix}' (pid {self.info.writer_pid}) is not running: "
                                   "nothing was pushed; wait for a kernel, then reconnect()")

    def _raise_if_restarted(self, cid: Optional[int], state: dict[str, int]) -> None:
        if state["generation"] != self.info.kernel_generation:
            raise KernelRestarted(cid, f"the kernel of '{self.info.prefix}' restarted (pid {self.info.writer_pid} "
                                       f"-> {state['writer_pid']}); reconcile from slots()")

    def _check_kernel(self, cid: Optional[int]) -> None:
        with self._calls:
            state, alive = _live_kernel(self._lib, self._h["state"])
        self._raise_if_restarted(cid, state)
        if not alive:
            raise KernelNotRunning(f"the kernel of '{self.info.prefix}' (pid {self.info.writer_pid}) is not running; "
                                   "no outcome will come until one adopts the regions")

    def reconnect(self) -> ClientInfo:
        """After KernelRestarted: accepts the kernel that now holds the regions (the lane is kept)."""
        with self._calls:
            state, alive = _live_kernel(self._lib, self._h["state"])
        if not alive:
            raise KernelNotRunning(f"no kernel holds '{self.info.prefix}' yet (last writer pid {state['writer_pid']})")
        self.info.kernel_generation, self.info.writer_pid = state["generation"], state["writer_pid"]
        return self.info

    def _busy(self, deadline: float, tries: int) -> bool:
        """Whether a read retried ``tries`` times may try again (READ_TRIES_MIN, then until the deadline)."""
        if tries < READ_TRIES_MIN:
            return True
        if tries % 64 == 0:
            time.sleep(0)  # let the kernel's mirror finish rather than spin against it
        return self._monotonic() < deadline

    def _check_region(self, kind: str) -> None:
        """CorruptRegion naming the file when a region no longer matches its layout (libzinc's zinc_check:
        the header, and at most every 50 ms the file's size and path): a file truncated within its last
        page faults no access, its lost bytes just read as zeros (an IDLE slot, a full ring)."""
        with self._calls:
            rc = self._lib.zinc_check(self._h[kind], None, 0)
            if rc == 0:
                return
            err = ctypes.create_string_buffer(256)  # a bad file is checked again at every call: the reason
            rc = self._lib.zinc_check(self._h[kind], err, 256)
        raise CorruptRegion(err.value.decode("utf-8", "replace") or f"{kind} region: {_zinc_error(rc)}")

    def _read(self, fn: Callable[[ctypes.Array], int], size: int, what: str) -> bytes:
        """One seqlock-stable copy; a kernel mirroring all the while is retried for READ_BUSY_S, then StateBusy.
        The caller checked the region first (``_check_region``: once per call of the public read)."""
        out = ctypes.create_string_buffer(size)
        deadline, tries = self._monotonic() + READ_BUSY_S, 0
        while True:
            with self._calls:
                rc = fn(out)
            if rc == 0:
                return out.raw
            if rc == -9:
                raise KernelNotRunning(f"{what} was torn by a kernel that died mid-write")
            if rc != 1:
                raise CorruptRegion(f"{what}: {_zinc_error(rc)}")
            tries += 1
            if not self._busy(deadline, tries):
                raise StateBusy(f"{what}: the kernel mirrored throughout {tries} seqlock reads ({READ_BUSY_S} s); "
                                "no torn bytes, retry")

    def slot(self, index: int) -> Slot:
        self._live()
        if not isinstance(index, int) or not 0 <= index < self.info.slot_count:
            raise IndexError(f"slot {index} is outside 0..{self.info.slot_count - 1}")
        self._check_region("state")
        return self._slot(index)

    def _slot(self, index: int) -> Slot:
        img = self._read(lambda o: self._lib.zinc_state_read_slot(self._h["state"], index, o), SLOT_BYTES,
                         f"slot {index}")
        return decode_slot(img, index)

    def slots(self) -> list[Slot]:
        self._live()
        self._check_region("state")
        return [self._slot(i) for i in range(self.info.slot_count)]

    def _account(self) -> tuple[Account, int, int]:
        self._live()
        self._check_region("state")
        pair = (ctypes.c_uint64 * 2)()
        img = self._read(lambda o: self._lib.zinc_state_read_account(self._h["state"], o, pair), ACCOUNT_BYTES,
                         "account")
        return decode_account(img), pair[0], pair[1]

    def account(self) -> Account:
        """The account image, read under its seqlock (one consistent copy)."""
        return self._account()[0]

    def state(self) -> StateView:
        """Slots and account from one mirror call (re-read while the kernel mirrored in between, for
        READ_BUSY_S: then StateBusy, the kernel mirrored during every attempt)."""
        deadline, tries = self._monotonic() + READ_BUSY_S, 0
        while True:
            _, _, before = self._account()
            slots = tuple(self.slots())
            account, state_hash, after = self._account()
            if after == before:
                return StateView(slots, account, state_hash, after)
            tries += 1
            if not self._busy(deadline, tries):
                raise StateBusy(f"the kernel mirrored during each of {tries} reads of the state ({READ_BUSY_S} s): "
                                "no consistent view yet, retry")

    def control(self) -> Optional[ControlSnapshot]:
        """The control snapshot; None before the first one, or when the kernel keeps its control
        plane in memory (DITA_V2_CONTROL_PLANE=MEMORY): no control region, or one another kernel
        process wrote (its writer pid is not the state region's: left from an earlier run)."""
        self._live()
        if "control" not in self._h:
            return None
        with self._calls:
            state, ctl = (_zinc.header(self._lib, self._h[k]) for k in ("state", "control"))
        if ctl["writer_pid"] != state["writer_pid"]:
            return None
        self._check_region("control")
        img = self._read(lambda o: self._lib.zinc_control_read(self._h["control"], 0, o, CONTROL_BYTES),
                         CONTROL_BYTES, "control")
        return decode_control(img)

    def ring_depth(self) -> int:
        """Intents pushed and not yet drained by the kernel."""
        out = (ctypes.c_uint64 * 4)()
        with self._calls:
            self._lib.zinc_ring_stats(self._h["intents"], out)
        return out[1] - out[0]

    def wait_for_change(self, timeout: float) -> Optional[int]:
        """The new state sequence once the kernel mirrored a change since the last one seen (every
        wait pending at a change answers it, in any thread), or None at the timeout. A change made
        by a kernel that restarted since connect (or ``reconnect``) is KernelRestarted."""
        deadline = self._monotonic() + _check_timeout(timeout)
        seen = self._state_seen
        while True:
            with self._calls:
                seq = _zinc.state_seq(self._lib, self._h["state"], self.info.prefix)
                generation = _zinc.header(self._lib, self._h["state"])["generation"]
            if seq != seen:
                # a kernel that adopts the regions mirrors as it starts: that change is the restart
                if generation != self.info.kernel_generation:
                    self._check_kernel(None)
                self._state_seen = seq
                return seq
            self._check_kernel(None)
            left = deadline - self._monotonic()
            if left <= 0:
                return None
            self._lib.zinc_wait(self._h["state"], seq, _chunk_ms(left))

    def close(self) -> None:
        """Releases the lane and the regions once no other thread's call is inside libzinc (a wait
        returns ClientClosed). Idempotent. In a forked child it only closes the child's copy: the lane
        and the regions stay the connecting process's (nothing is released, nothing waited for)."""
        if self._calls.pid != _process[0]:
            self._calls.open = False
            return
        if not self._calls.close():
            return
        self._lib.zinc_outcome_release(self._h["outcomes"], self.info.lane, self.info.generation)
        for h in self._h.values():
            self._lib.zinc_close(h)


def _process_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists (signal 0); one of another user's exists too (EPERM). A header's
    pid past 2^31 - 1 (only hostile bytes write one) is no process's."""
    if not 0 < pid <= 0x7FFF_FFFF:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_timeout(timeout: float) -> float:
    """A wait's timeout in seconds; ValueError naming it when it is not a real number or NaN (a wait
    with no deadline). math.inf waits until the outcome or the change comes; 0 or less polls once."""
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = math.nan
    if math.isnan(seconds):
        raise ValueError(f"timeout must be a number of seconds, got {timeout!r}")
    return seconds


def _chunk_ms(left: float) -> int:
    """The next wait's length in ms: what is left of the timeout (at least 1), at most CHUNK_MS (also for inf)."""
    return CHUNK_MS if left >= CHUNK_MS / 1000 else max(1, int(left * 1000))


def _zinc_error(rc: int) -> str:
    """A libzinc error code as text; -11 (ZINC_E_TRUNCATED) says what happened and what to do."""
    if rc == -11:
        return "zinc error -11: the region file shrank under its mapping (truncated by another process); reopen it"
    return f"zinc error {rc}"
