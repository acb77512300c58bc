"""The outcome of one intent as published in the client's lane (ffi/README.md section 7).

Origin EDGE (refused before the kernel; RATE_LIMITED, retryable with ``retry_after_ms``, while the
venue adapter would not send an order: nothing was sent, no VENUE outcome follows), KERNEL (the
kernel's answer) or VENUE (the venue's later answer to the order the intent made: ACK, fills,
CANCEL_ACK, CANCEL_REJECT, REJECT — a rate limit with the venue's retry hint). Every byte is validated (``accepted`` and ``retryable`` are 0 or 1); a diagnostic code or field a newer kernel adds decodes as ``CODE_<n>``
/ ``FIELD_<n>`` rather than failing. The name tables are kernel/ABI.md's (tests/test_abi_tables.py
parses the document and checks they are equal). A record that does not decode (a broken or
hostile writer) raises CorruptRegion; the client's poll decodes each record on its own, so one
such record costs no other outcome (client.py).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Optional

from .errors import CorruptRegion
from .records import ORDER_STATUSES, STAGES

OUTCOME_BYTES = 256
ORIGINS = ("EDGE", "KERNEL", "VENUE")
INPUT_KINDS = ("ENTER", "EXIT", "CANCEL", "MARK_PRICE", "TICK", "RECONCILE", "VENUE_EVENT", "SEED_CAPITAL",
               "MARK_STALE", "CONFIGURE", "FLATTEN")
EVENT_KINDS = ("ACK", "PARTIAL_FILL", "FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT")
SEVERITIES = ("INFO", "WARNING", "ERROR", "CRITICAL")
DIAGNOSTIC_CODES = (
    "INVALID_SLOT_ID", "SLOT_BUSY", "SLOT_LIMIT_REACHED", "INVALID_INTENT", "NO_ACTIVE_EXIT_ORDER",
    "INVALID_TRANSITION", "STALE_STATE_RECONCILE", "DUPLICATE_EVENT", "UNKNOWN_ORDER", "OVERFILL",
    "HUNG_ORDER", "VENUE_REJECTED", "RATE_LIMITED", "CANCEL_REJECTED", "STALE_EVENT", "RECONCILED",
    "KERNEL_FAULT", "CAPITAL_SEEDED", "INPUT_SOURCE_REFUSED", "ORPHAN_POSITION", "ZINC_REGION_CORRUPT",
    "TRADING_HALTED", "REDUCE_ONLY", "RISK_LIMIT", "DRAWDOWN_LIMIT", "VENUE_MISMATCH",
    "ORPHAN_ORDER", "EXIT_LEGS_LOW",
)
FIELDS = (
    "NONE", "SLOT_ID", "NOW_MS", "SIZE", "PRICE", "LEVERAGE", "SIDE", "ORDER_TYPE", "EXIT_REASON", "EVENT_KIND",
    "REJECT_REASON", "ASSET", "TRADE_ID", "VENUE_ORDER_ID", "CLIENT_ORDER_ID", "EVENT_ID", "FEE", "AMOUNT",
    "STALE_REASON", "CONFIG_KEY", "VALUE", "KIND", "ORDER_ROLE", "LAST_SIZE", "LAST_PRICE", "RETRY_AFTER", "IMAGE",
    "TRADING_STATE", "MAX_NOTIONAL_PER_TRADE", "MAX_GROSS_EXPOSURE", "MAX_ORDERS_PER_MINUTE", "MAX_LEVERAGE",
    "MAX_DRAWDOWN_RATIO", "SNAPSHOT",
)

_HEAD = struct.Struct("<QQQQIHBBBBBB4x")  # bytes 0..48
_DIAG = struct.Struct("<HBBB3xqd")  # 24 bytes each, at 48, 72, 96


@dataclass(slots=True)
class OutcomeDiagnostic:
    code: str
    severity: str
    field: str
    retryable: bool
    retry_after_ms: Optional[int]  # a rate limit's hint (the venue's, or the order-rate window's); None when none
    value: Optional[float]


@dataclass(slots=True)
class Outcome:
    client_intent_id: int
    lane_position: int
    origin: str
    accepted: bool
    now_ms: int
    input_kind: str
    slot_id: Optional[int]
    slot_version: int
    stage: Optional[str]  # the slot's stage right after the intent
    event_kind: Optional[str]  # origin VENUE only
    order_status: Optional[str]
    diagnostic_count: int  # all of the intent's diagnostics; at most three are carried
    diagnostics: tuple[OutcomeDiagnostic, ...]
    message: str  # the first diagnostic's message

    @property
    def code(self) -> Optional[str]:
        """The first diagnostic's code (None when there is none)."""
        return self.diagnostics[0].code if self.diagnostics else None


_STAGE: tuple[Optional[str], ...] = (None, *STAGES)
_EVENT_KIND: tuple[Optional[str], ...] = (None, *EVENT_KINDS)
_ORDER_STATUS: tuple[Optional[str], ...] = (None, *ORDER_STATUSES)


def _name(values: tuple[Optional[str], ...], v: int, what: str) -> Optional[str]:
    """values[v]; values[0] is None for an optional enum (0 = none) or the enum's 0th name."""
    if v >= len(values):
        raise CorruptRegion(f"outcome {what} = {v} is outside the {what} enum")
    return values[v]


def decode_outcome(rec: bytes) -> Outcome:
    if len(rec) != OUTCOME_BYTES:
        raise CorruptRegion(f"outcome record is {len(rec)} bytes")
    return decode_outcome_at(rec, 0)


def decode_outcome_at(buf: bytes | bytearray | memoryview, at: int) -> Outcome:
    """The outcome record at ``buf[at:at+256]`` (a poll buffer holds several; nothing is copied first)."""
    (lock, cid, now_ms, slot_version, slot_id, kind, origin, accepted, stage, count, event_kind,
     order_status) = _HEAD.unpack_from(buf, at)
    if lock == 0 or lock & 1:
        raise CorruptRegion(f"outcome lock {lock} is not a stable position")
    if not 1 <= origin <= 3:
        raise CorruptRegion(f"outcome origin = {origin} is outside 1..3")
    diags = [_diagnostic(buf, at + 48 + i * 24) for i in range(min(3, count))]
    message = ""
    if buf[at + 120]:
        try:
            message = bytes(buf[at + 120:at + 240]).split(b"\0", 1)[0].decode("utf-8")
        except UnicodeDecodeError as e:
            raise CorruptRegion("outcome message is not UTF-8") from e
    return Outcome(
        cid,
        lock // 2 - 1,
        ORIGINS[origin - 1],
        _flag(accepted, "accepted"),
        now_ms,
        INPUT_KINDS[kind - 1] if 1 <= kind <= len(INPUT_KINDS) else f"KIND_{kind}",
        None if slot_id == 0xFFFF_FFFF else slot_id,
        slot_version,
        _name(_STAGE, stage, "stage"),
        _name(_EVENT_KIND, event_kind, "event_kind"),
        _name(_ORDER_STATUS, order_status, "order_status"),
        count,
        tuple(diags),
        message,
    )


def _diagnostic(buf: bytes | bytearray | memoryview, at: int) -> OutcomeDiagnostic:
    code, severity, field, retryable, after, value = _DIAG.unpack_from(buf, at)
    return OutcomeDiagnostic(
        code=DIAGNOSTIC_CODES[code - 1] if 1 <= code <= len(DIAGNOSTIC_CODES) else f"CODE_{code}",
        severity=_severity(severity),
        field=FIELDS[field] if field < len(FIELDS) else f"FIELD_{field}",
        retryable=_flag(retryable, "diagnostic retryable"),
        retry_after_ms=after if after >= 0 else None,
        value=None if math.isnan(value) else value,
    )


def _flag(v: int, what: str) -> bool:
    """A boolean byte: 0 or 1; anything else is a broken writer, never read as false."""
    if v > 1:
        raise CorruptRegion(f"outcome {what} = {v} is not 0 or 1")
    return v == 1


def _severity(v: int) -> str:
    if not 1 <= v <= len(SEVERITIES):
        raise CorruptRegion(f"outcome severity = {v} is outside 1..{len(SEVERITIES)}")
    return SEVERITIES[v - 1]
