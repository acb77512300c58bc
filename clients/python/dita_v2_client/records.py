"""What a strategy reads: slot, order, account and control images decoded into dataclasses.

Layouts: kernel/ABI.md (SlotImage 448 bytes, OrderImage 144, AccountImage 96) and ffi/README.md
section 6 (ControlSnapshot 64). Every byte comes from shared memory and is validated: an enum
outside its range (the control snapshot's trading state too), a boolean byte other than 0 or 1, or a
risk limit outside its range raises CorruptRegion naming the field, never a wrong value. Sizes are floats
in base units (the kernel's i64 counts of 1e-8, correctly rounded); above 2^53 units (about 9e7
base units) a float cannot hold every size, so a slot also keeps its exact units in ``size_e8``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Optional

from .errors import CorruptRegion

STAGES = ("IDLE", "ENTRY_WORKING", "POSITION_OPEN", "EXIT_WORKING", "CLOSED", "STALE_STATE_RECONCILING")
SIDES = ("LONG", "SHORT")
EXIT_REASONS = ("SIGNAL", "TP", "SL", "MANUAL")
ORDER_STATUSES = ("PENDING_SUBMIT", "ACKED", "PARTIALLY_FILLED", "FILLED", "CANCEL_REQUESTED", "CANCELLED", "REJECTED")
STALE_REASONS = ("RESTART", "DIVERGENCE", "OPERATOR", "OVERFILL", "FOREIGN_ORDER")
MODES = ("NORMAL", "DEBUG")
VERBOSITIES = ("QUIET", "VERBOSE", "TRACE")
BACKENDS = ("MOCK", "BINGX")
TRADING_STATES = ("ACTIVE", "REDUCING", "HALTED")
# The risk limits at bytes 32..62 with their ranges (0 = off), as src/contracts/control.ts RISK_LIMIT_RANGES.
RISK_LIMIT_MAX = {"max_notional_per_trade": 1e15, "max_gross_exposure": 1e15, "max_drawdown_ratio": 1.0,
                  "max_orders_per_minute": 1200, "max_leverage": 125}

SLOT_BYTES, ACCOUNT_BYTES, CONTROL_BYTES = 448, 96, 64
QTY_SCALE = 100_000_000

_SLOT = struct.Struct("<IBBBBQQqdHBBB3xdddd")  # bytes 0..80
_ORDER = struct.Struct("<8BqqdddQQ32s40sB7x")  # 144 bytes
_ACCOUNT = struct.Struct("<ddddddddQQB15x")
_CONTROL = struct.Struct("<QQI8B4xdddIH2x")  # 64 bytes; 28..32 and 62..64 reserved, not read


def _enum(values: tuple[str, ...], v: int, what: str, optional: bool = False) -> Optional[str]:
    if v == 0 and optional:
        return None
    if not 1 <= v <= len(values):
        raise CorruptRegion(f"{what} = {v} is outside 1..{len(values)}")
    return values[v - 1]


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.split(b"\0", 1)[0].decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorruptRegion(f"{what} is not UTF-8") from e


@dataclass(frozen=True, slots=True)
class Order:
    role: str
    side: str
    type: str
    status: str
    leg: int
    intended_size: float
    filled_size: float
    avg_fill_price: float
    limit_price: Optional[float]
    fee: float
    hung: bool
    venue_order_id: str
    client_order_id: str
    created_at_ms: int
    last_update_ms: int


@dataclass(frozen=True, slots=True)
class Slot:
    slot_id: int
    stage: str
    trade_id: str
    asset: str
    side: Optional[str]
    size: float
    entry_price: float
    leverage: int
    is_open: bool
    leg: int
    realized_pnl: float
    unrealized_pnl: float
    mark_price: float
    fees: float
    exit_reason: Optional[str]
    stale_reason: Optional[str]
    entry_order: Optional[Order]
    exit_order: Optional[Order]
    version: int
    updated_at_ms: int
    size_e8: Optional[int] = None  # the position exactly, in 1e-8 units (None: a Slot built by hand)


@dataclass(frozen=True, slots=True)
class Account:
    capital: float
    peak_capital: float
    drawdown: float
    drawdown_ratio: float
    fees_paid: float
    realized_pnl_total: float
    unrealized_pnl: float
    equity: float
    trade_seq: int
    version: int
    seeded: bool


@dataclass(frozen=True, slots=True)
class ControlSnapshot:
    version: int
    updated_at_ms: int
    active_slot_limit: int
    mode: str
    verbosity: str
    backend: str
    debug_clickhouse_enabled: bool
    trace_transitions: bool
    mirror_to_hazelcast: bool
    reconcile_on_restart: bool
    trading_state: str  # ACTIVE; REDUCING: exits and cancels only; HALTED: cancels only
    max_notional_per_trade: float  # the risk limits; 0 = off
    max_gross_exposure: float
    max_drawdown_ratio: float
    max_orders_per_minute: int
    max_leverage: int


def _flag(v: int, what: str) -> bool:
    """A boolean byte: 0 or 1, anything else hostile bytes (never a wrong boolean)."""
    if v > 1:
        raise CorruptRegion(f"{what} = {v} is not 0 or 1")
    return v == 1


def _order(img: bytes, at: int) -> Optional[Order]:
    (present, side, status, otype, role, leg_lo, hung, _rr, intended, filled, avg, limit, fee,
     last_update, created, venue_id, client_id, leg_hi) = _ORDER.unpack_from(img, at)
    if present == 0:
        return None
    return Order(
        role=_enum(("ENTRY", "EXIT"), role, "order role"),
        side=_enum(("BUY", "SELL"), side, "order side"),
        type=_enum(("MARKET", "LIMIT"), otype, "order type"),
        status=_enum(ORDER_STATUSES, status, "order status"),
        leg=leg_lo + 256 * leg_hi,
        intended_size=intended / QTY_SCALE,
        filled_size=filled / QTY_SCALE,
        avg_fill_price=avg,
        limit_price=None if limit == 0 else limit,
        fee=fee,
        hung=_flag(hung, "order hung"),
        venue_order_id=_text(venue_id, "venue_order_id"),
        client_order_id=_text(client_id, "client_order_id"),
        created_at_ms=created,
        last_update_ms=last_update,
    )


def decode_slot(img: bytes, index: int) -> Slot:
    """One 448-byte slot image; an all-zero image (never written) is slot ``index``, IDLE."""
    if len(img) != SLOT_BYTES:
        raise CorruptRegion(f"slot image is {len(img)} bytes")
    (slot_id, stage, side, exit_reason, stale_reason, version, updated, size_e8, entry_price, leverage,
     is_open, leg_lo, leg_hi, realized, unrealized, mark, fees) = _SLOT.unpack_from(img, 0)
    blank = stage == 0 and slot_id == 0 and version == 0
    if not blank and slot_id != index:
        raise CorruptRegion(f"slot {index} image says slot_id {slot_id}")
    return Slot(
        slot_id=index,
        stage="IDLE" if blank else _enum(STAGES, stage, f"slot {index} stage"),
        trade_id=_text(img[392:424], f"slot {index} trade_id"),
        asset=_text(img[368:392], f"slot {index} asset"),
        side=_enum(SIDES, side, f"slot {index} side", True),
        size=size_e8 / QTY_SCALE,
        entry_price=entry_price,
        leverage=leverage,
        is_open=_flag(is_open, f"slot {index} is_open"),
        leg=leg_lo + 256 * leg_hi,
        realized_pnl=realized,
        unrealized_pnl=unrealized,
        mark_price=mark,
        fees=fees,
        exit_reason=_enum(EXIT_REASONS, exit_reason, f"slot {index} exit_reason", True),
        stale_reason=_enum(STALE_REASONS, stale_reason, f"slot {index} stale_reason", True),
        entry_order=_order(img, 80),
        exit_order=_order(img, 224),
        version=version,
        updated_at_ms=updated,
        size_e8=size_e8,
    )


def decode_account(img: bytes) -> Account:
    v = _ACCOUNT.unpack_from(img, 0)
    return Account(*v[:10], seeded=_flag(v[10], "account seeded"))


def decode_control(img: bytes) -> Optional[ControlSnapshot]:
    """The 64-byte control snapshot, None before the first one. The reserved bytes (28..32, 62..64)
    are not read (a newer kernel may use them for switches this client does not know); a trading
    state outside 1..3 or a risk limit outside its range (a NaN too) is CorruptRegion naming it."""
    if not any(img):
        return None
    version, updated, limit, mode, verbosity, backend, *rest = _CONTROL.unpack_from(img, 0)
    flags, trading_state, limits = rest[:4], rest[4], dict(zip(RISK_LIMIT_MAX, rest[5:]))
    for name, f in zip(("debug_clickhouse_enabled", "trace_transitions", "mirror_to_hazelcast",
                        "reconcile_on_restart"), flags):
        if f > 1:
            raise CorruptRegion(f"control {name} = {f} is not 0 or 1")
    for name, v in limits.items():
        if not 0 <= v <= RISK_LIMIT_MAX[name]:  # a NaN fails both comparisons
            raise CorruptRegion(f"control {name} = {v} is outside 0..{RISK_LIMIT_MAX[name]:g}")
    return ControlSnapshot(
        version=version,
        updated_at_ms=updated,
        active_slot_limit=limit,
        mode=_enum(MODES, mode, "control mode"),
        verbosity=_enum(VERBOSITIES, verbosity, "control verbosity"),
        backend=_enum(BACKENDS, backend, "control backend"),
        debug_clickhouse_enabled=flags[0] == 1,
        trace_transitions=flags[1] == 1,
        mirror_to_hazelcast=flags[2] == 1,
        reconcile_on_restart=flags[3] == 1,
        trading_state=_enum(TRADING_STATES, trading_state, "control trading_state"),
        **limits,
    )
