"""The outcome of one intent as published in the client's lane (ffi/README.md section 7).

Origin EDGE (refused before the kernel), KERNEL (the kernel's answer) or VENUE (the venue's later
answer to the order the intent made: ACK, fills, CANCEL_ACK, CANCEL_REJECT, REJECT — a rate limit
with the venue's retry hint). Every byte is validated; unknown diagnostic codes (a newer kernel)
decode as ``CODE_<n>`` rather than failing.
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
INPUT_KINDS = ("ENTER", "EXIT", "CANCEL", "MARK_PRICE", "TICK", "RECONCILE", "VENUE_EVENT")
EVENT_KINDS = ("ACK", "PARTIAL_FILL", "FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT")
SEVERITIES = ("INFO", "WARNING", "ERROR", "CRITICAL")
DIAGNOSTIC_CODES = (
    "INVALID_SLOT_ID", "SLOT_BUSY", "SLOT_LIMIT_REACHED", "INVALID_INTENT", "NO_ACTIVE_EXIT_ORDER",
    "INVALID_TRANSITION", "STALE_STATE_RECONCILE", "DUPLICATE_EVENT", "UNKNOWN_ORDER", "OVERFILL",
    "HUNG_ORDER", "VENUE_REJECTED", "RATE_LIMITED", "CANCEL_REJECTED", "STALE_EVENT", "RECONCILED",
    "KERNEL_FAULT", "CAPITAL_SEEDED", "INPUT_SOURCE_REFUSED", "ORPHAN_POSITION", "ZINC_REGION_CORRUPT",
)
FIELDS = (
    "NONE", "SLOT_ID", "NOW_MS", "SIZE", "PRICE", "LEVERAGE", "SIDE", "ORDER_TYPE", "EXIT_REASON", "EVENT_KIND",
    "REJECT_REASON", "ASSET", "TRADE_ID", "VENUE_ORDER_ID", "CLIENT_ORDER_ID", "EVENT_ID", "FEE", "AMOUNT",
    "STALE_REASON", "CONFIG_KEY", "VALUE", "KIND", "ORDER_ROLE", "LAST_SIZE", "LAST_PRICE", "RETRY_AFTER", "IMAGE",
)

_HEAD = struct.Struct("<QQQQIHBBBBBB4x")  # bytes 0..48
_DIAG = struct.Struct("<HBBB3xqd")  # 24 bytes each, at 48, 72, 96


@dataclass(frozen=True, slots=True)
class OutcomeDiagnostic:
    code: str
    severity: str
    field: str
    retryable: bool
    retry_after_ms: Optional[int]  # the venue's hint for a rate limit; None when it gave none
    value: Optional[float]


@dataclass(frozen=True, slots=True)
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


def _name(values: tuple[str, ...], v: int, what: str, optional: bool) -> Optional[str]:
    if v == 0 and optional:
        return None
    if not 1 <= v <= len(values):
        raise CorruptRegion(f"outcome {what} = {v} is outside 1..{len(values)}")
    return values[v - 1]


def decode_outcome(rec: bytes) -> Outcome:
    if len(rec) != OUTCOME_BYTES:
        raise CorruptRegion(f"outcome record is {len(rec)} bytes")
    (lock, cid, now_ms, slot_version, slot_id, kind, origin, accepted, stage, count, event_kind,
     order_status) = _HEAD.unpack_from(rec, 0)
    if lock == 0 or lock & 1:
        raise CorruptRegion(f"outcome lock {lock} is not a stable position")
    diags = []
    for i in range(min(3, count)):
        code, severity, field, retryable, after, value = _DIAG.unpack_from(rec, 48 + i * 24)
        if field >= len(FIELDS):
            raise CorruptRegion(f"outcome diagnostic field {field} is unknown")
        diags.append(OutcomeDiagnostic(
            code=DIAGNOSTIC_CODES[code - 1] if 1 <= code <= len(DIAGNOSTIC_CODES) else f"CODE_{code}",
            severity=_name(SEVERITIES, severity, "severity", False),
            field=FIELDS[field],
            retryable=retryable == 1,
            retry_after_ms=after if after >= 0 else None,
            value=None if math.isnan(value) else value,
        ))
    try:
        message = rec[120:240].split(b"\0", 1)[0].decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorruptRegion("outcome message is not UTF-8") from e
    return Outcome(
        client_intent_id=cid,
        lane_position=lock // 2 - 1,
        origin=_name(ORIGINS, origin, "origin", False),
        accepted=accepted == 1,
        now_ms=now_ms,
        input_kind=INPUT_KINDS[kind - 1] if 1 <= kind <= len(INPUT_KINDS) else f"KIND_{kind}",
        slot_id=None if slot_id == 0xFFFF_FFFF else slot_id,
        slot_version=slot_version,
        stage=_name(STAGES, stage, "stage", True),
        event_kind=_name(EVENT_KINDS, event_kind, "event_kind", True),
        order_status=_name(ORDER_STATUSES, order_status, "order_status", True),
        diagnostic_count=count,
        diagnostics=tuple(diags),
        message=message,
    )
