"""The four STRATEGY intents and their 320-byte InputRecord encoding (kernel/ABI.md).

Every unused byte is zero; ``now_ms`` comes from the caller's clock; the client_intent_id sits at
bytes 304..312. The encoder refuses only what the record cannot carry (an unknown type or enum
name, a ``now_ms`` that is not a u64 of ms (NOW_MS), a price beyond a double, a string longer
than its field, a size that is not a finite number with at most 8 decimals within the kernel's
bound of 10^9 units (QTY_MAX_E8 = 10^17), a slot id or leverage outside its integer width) with
InvalidIntent naming the field. A size is converted exactly: a float by its shortest decimal
spelling (``repr``), so 0.29 is 29000000 and 2000000.000000001 is refused for its ninth decimal,
never rounded; a ``Decimal`` size is taken as it is (what the seam
gives for a size a float cannot carry exactly, above 2^53 units of 1e-8);
values (size > 0, leverage 1..125, a known asset, the slot's stage) are the kernel's to judge,
and its answer comes back as an outcome. A price of -0.0 is 0 (market) and is written as +0.0.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional, Union

from .errors import InvalidIntent

INTENT_BYTES = 320
SLOT_ANY = 0xFFFF_FFFF
QTY_MAX_E8 = 10**17  # kernel/ABI.md: valid quantities are 1..=QTY_MAX_E8 counts of 1e-8
# The whole record in one pass (pack_into writes every pad byte as zero): kind, reserved, slot_id,
# now_ms, qty_e8 (0..24); price (32); leverage, side, order_type, exit_reason (80..85); asset (112,
# 24 bytes, NUL-padded); trade_id (136, 32 bytes); client_intent_id (304).
_RECORD = struct.Struct("<HHIQq8xd40xHBBB27x24s32s136xQ8x")
assert _RECORD.size == INTENT_BYTES
_SIDES = {"LONG": 1, "SHORT": 2}
_REASONS = {"SIGNAL": 1, "TP": 2, "SL": 3, "MANUAL": 4}


@dataclass(frozen=True, slots=True)
class Enter:
    slot_id: int
    trade_id: str
    asset: str
    side: str
    size: Union[float, Decimal]
    leverage: int
    price: Optional[float] = None  # limit price; None or 0 = market
    type: str = "ENTER"


@dataclass(frozen=True, slots=True)
class Exit:
    slot_id: int
    size: Union[float, Decimal]
    reason: str = "SIGNAL"
    price: Optional[float] = None
    type: str = "EXIT"


@dataclass(frozen=True, slots=True)
class Cancel:
    slot_id: int
    type: str = "CANCEL"


@dataclass(frozen=True, slots=True)
class MarkPrice:
    asset: str
    price: float
    type: str = "MARK_PRICE"


Intent = Union[Enter, Exit, Cancel, MarkPrice]


def _slot(v: object) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < SLOT_ANY:
        raise InvalidIntent("SLOT_ID", f"slot_id must be an integer 0..4294967294, got {v!r}")
    return v


def _qty(v: object) -> int:
    if isinstance(v, Decimal) and v.is_finite():
        exact = v  # an exact size (a position above 2^53 units the seam exits whole)
    elif isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InvalidIntent("SIZE", f"size must be a finite number, got {v!r}")
    else:
        exact = Decimal(v) if isinstance(v, int) else Decimal(repr(float(v)))
    if abs(exact) > QTY_MAX_E8 // 10**8:
        raise InvalidIntent("SIZE", f"size {v!r} is out of range: the kernel carries at most 1e9 units (QTY_MAX_E8)")
    scaled = exact.scaleb(8)
    if scaled != scaled.to_integral_value():
        raise InvalidIntent("SIZE", f"size {v!r} has more than 8 decimals (the record carries counts of 1e-8); "
                                    "floor it to the asset's step first (floor_to_step)")
    return int(scaled)


def _price(v: object) -> float:
    """A price as the record carries it; -0.0 is 0 (market), written as +0.0: the kernel judges a
    MARKET order's price by its bits."""
    if v is None:
        return 0.0
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InvalidIntent("PRICE", f"price must be a number or None, got {type(v).__name__}")
    try:
        price = float(v)
    except OverflowError:
        raise InvalidIntent("PRICE", f"price {v!r} is beyond a double") from None
    return price if price != 0 else 0.0


def _now(v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 1 << 64:
        raise InvalidIntent("NOW_MS", f"now_ms (the client's clock, in ms) must be an integer 0..2^64-1, got {v!r}")
    return v


def _text(width: int, v: object, field: str) -> bytes:
    if not isinstance(v, str):
        raise InvalidIntent(field, f"{field.lower()} must be a string, got {type(v).__name__}")
    # A NUL is the field's padding ("T1\0" would be read back as "T1"); a lone surrogate has no UTF-8.
    if "\0" in v:
        raise InvalidIntent(field, f"{field.lower()} {v!r} holds a NUL byte, which the field cannot carry")
    try:
        raw = v.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidIntent(field, f"{field.lower()} {v!r} holds a lone surrogate (not valid UTF-8)") from None
    if len(raw) > width:
        raise InvalidIntent(field, f"{field.lower()} {v!r} is {len(raw)} bytes; the field holds {width}")
    return raw


def _named(table: dict[str, int], v: object, field: str) -> int:
    if not isinstance(v, str) or v not in table:
        raise InvalidIntent(field, f"{field.lower()} must be one of {'|'.join(table)}, got {v!r}")
    return table[v]


def encode_intent(intent: Intent, now_ms: int, client_intent_id: int, out: bytearray, at: int = 0) -> None:
    """Writes one clean record at ``out[at:at+320]`` (nothing is written when the intent is refused)."""
    now_ms = _now(now_ms)
    kind = getattr(intent, "type", None)
    if isinstance(intent, MarkPrice) and kind == "MARK_PRICE":
        _RECORD.pack_into(out, at, 4, 0, SLOT_ANY, now_ms, 0, _price(intent.price), 0, 0, 0, 0,
                          _text(24, intent.asset, "ASSET"), b"", client_intent_id)
    elif isinstance(intent, Enter) and kind == "ENTER":
        price = _price(intent.price)
        if isinstance(intent.leverage, bool) or not isinstance(intent.leverage, int) or not 0 <= intent.leverage <= 0xFFFF:
            raise InvalidIntent("LEVERAGE", f"leverage must be an integer, got {intent.leverage!r}")
        _RECORD.pack_into(out, at, 1, 0, _slot(intent.slot_id), now_ms, _qty(intent.size), price, intent.leverage,
                          _named(_SIDES, intent.side, "SIDE"), 1 if price == 0 else 2, 0,
                          _text(24, intent.asset, "ASSET"), _text(32, intent.trade_id, "TRADE_ID"), client_intent_id)
    elif isinstance(intent, Exit) and kind == "EXIT":
        price = _price(intent.price)
        _RECORD.pack_into(out, at, 2, 0, _slot(intent.slot_id), now_ms, _qty(intent.size), price, 0, 0,
                          1 if price == 0 else 2, _named(_REASONS, intent.reason, "EXIT_REASON"), b"", b"",
                          client_intent_id)
    elif isinstance(intent, Cancel) and kind == "CANCEL":
        _RECORD.pack_into(out, at, 3, 0, _slot(intent.slot_id), now_ms, 0, 0.0, 0, 0, 0, 0, b"", b"", client_intent_id)
    else:
        raise InvalidIntent("KIND", f"an intent must be Enter, Exit, Cancel or MarkPrice, got {type(intent).__name__}")
