"""Every way the client can fail, each its own exception class with a stable ``code``.

A strategy can react to the case (retry on RingFull, reconcile on KernelRestarted, ...) and an
operator reads one line naming the file or the intent. The client raises nothing else for bad
input, bad regions or a kernel that went away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .outcome import Outcome


class DitaClientError(Exception):
    """Base class; ``code`` is stable and matches the TypeScript client's."""

    code = "CLIENT"


class LibraryError(DitaClientError):
    """libzinc could not be found or loaded (``dita-v2 zinc-lib`` writes it out of the executable)."""

    code = "LIBRARY"


class RegionMissing(DitaClientError):
    """A region file of the prefix does not exist: no kernel serves it with real Zinc."""

    code = "REGION_MISSING"


class PermissionDenied(DitaClientError):
    """The regions are mode 0600: the client must run as the kernel's user."""

    code = "PERMISSION"


class LayoutMismatch(DitaClientError):
    """The file is not a region of this layout (magic, version, kind, size)."""

    code = "LAYOUT"


class KernelNotRunning(DitaClientError):
    """The regions exist but their writer is dead or gone (a stale region from a dead kernel)."""

    code = "KERNEL_NOT_RUNNING"


class ForeignNamespace(DitaClientError):
    """The prefix belongs to another strategy namespace than the client's."""

    code = "FOREIGN_NAMESPACE"


class LanesBusy(DitaClientError):
    """Every outcome lane is held by a live producer."""

    code = "LANES_BUSY"


class InvalidIntent(DitaClientError):
    """The intent cannot be encoded; ``field`` names the field (kernel/ABI.md Field)."""

    code = "INVALID_INTENT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class RingFull(DitaClientError):
    """The intents ring is full: nothing was written; retry after the kernel drains."""

    code = "RING_FULL"


class OutcomeTimeout(DitaClientError):
    """No outcome within the timeout; the intent may still be applied."""

    code = "TIMEOUT"

    def __init__(self, client_intent_id: int, message: str) -> None:
        super().__init__(message)
        self.client_intent_id = client_intent_id


class OutcomeLost(DitaClientError):
    """Outcomes were written over before they were read and this intent's never came."""

    code = "OUTCOME_LOST"

    def __init__(self, client_intent_id: int, message: str) -> None:
        super().__init__(message)
        self.client_intent_id = client_intent_id


class IntentRefused(DitaClientError):
    """A wait for a VENUE outcome of an intent whose EDGE or KERNEL outcome (``outcome``) was a
    refusal: it made no order, so no VENUE outcome will come (raised at once, not after the timeout)."""

    code = "INTENT_REFUSED"

    def __init__(self, outcome: Outcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.client_intent_id = outcome.client_intent_id


class KernelRestarted(DitaClientError):
    """A kernel restarted (adopted the regions) while the client waited: reconcile from slots()."""

    code = "KERNEL_RESTARTED"

    def __init__(self, client_intent_id: int | None, message: str) -> None:
        super().__init__(message)
        self.client_intent_id = client_intent_id


class CorruptRegion(DitaClientError):
    """Bytes read from shared memory do not decode (a hostile or broken writer)."""

    code = "CORRUPT"


class StateBusy(DitaClientError):
    """The kernel mirrored its state throughout a read's time bound (``READ_BUSY_S``), so no
    consistent copy was taken: contention on a healthy kernel, not corrupt bytes. Retry."""

    code = "STATE_BUSY"


class ClientClosed(DitaClientError):
    code = "CLOSED"


class ClientForked(DitaClientError):
    """A client used in a process forked from the one that connected it (``multiprocessing``'s
    default on Linux): the copy holds the parent's lane and id sequence, so its intents would take
    the parent's ids and their outcomes reach the wrong caller. Nothing is pushed or read; connect
    a client of the child's own in the child. (Python only: a TypeScript process cannot fork.)"""

    code = "FORKED"
