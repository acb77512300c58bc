"""The decision-to-intent seam (docs/strategy-guide.md): a strategy decides, the seam translates.

``plan_decision`` is pure: one decision plus the kernel's slots and account in, kernel intents or
one SeamRefusal out. ``Seam.execute`` submits the plan through a DitaClient and returns one
SeamResult that surfaces everything the kernel and the venue said: refusals with codes and
messages, rate limits with their retry hint (the edge's RATE_LIMITED: nothing was sent, so no venue
answer is waited for, even with ``await_venue``; or, with ``await_venue``, the venue's), a kernel
restart. A refused step never stops a decision (CloseAll sends its other steps); a kernel gone does.
After a restart ``Seam.reconcile`` replaces the strategy's belief with the kernel's slots.

Rules (mapping tests: clients/python/tests/test_seam_plan.py, same as the TypeScript seam's; numbers:
test_seam_numbers.py; reconcile: test_seam_reconcile.py):
 0. Every number a decision gives (size, fraction, capital_fraction, reference_price, limit_price)
    must be a finite real number, an Open's leverage an integer, and every number the seam
    computes a size from (the account's equity, the result) finite: otherwise BAD_DECISION naming
    it, never an exception. These are judged before the slots (NO_FREE_SLOT, NO_SUCH_SLOT,
    NOT_OPEN), in the same order as the TypeScript seam (tests/unit/client_cross_agree.test.ts
    runs the same decisions through both).
 1. OPEN -> one ENTER in the decision's slot or the first IDLE/CLOSED slot (none: NO_FREE_SLOT).
    Size: ``size``, or ``capital_fraction * account equity * leverage / reference_price`` floored to
    the asset's step. The kernel's account is the only capital authority: a decision carries no
    capital of its own; an unseeded account refuses fraction sizing (ACCOUNT_NOT_SEEDED).
 2. SCALE_OUT -> one EXIT (SIGNAL) of ``size`` or ``fraction * position``, floored to the step; the
    slot must be POSITION_OPEN (NOT_OPEN); a size that floors to 0 is BELOW_STEP.
 3. TAKE_PROFIT / STOP_LOSS -> one EXIT (TP / SL) of ``size`` floored to the step (0: BELOW_STEP),
    default the whole position. In 2 and 3 a size of the whole position or more, or one leaving less
    than one step (dust no later exit could close), is exactly the position (the kernel refuses an
    exit above it). Tests: test_seam_partial_exits.py.
 4. CANCEL -> one CANCEL. In 2-4 a slot id that is not an integer (1.0, "1", None, True) is
    NO_SUCH_SLOT, as one outside the slots is.
 5. CLOSE_ALL -> ENTRY_WORKING: CANCEL; POSITION_OPEN: EXIT of the whole position (reason from the
    decision, default SIGNAL); EXIT_WORKING and STALE_STATE_RECONCILING are left alone (skipped).
    A reason that is not SIGNAL|TP|SL|MANUAL is BAD_DECISION before anything is planned (never the
    cancels pushed and the exits refused).
 6. ``Seam.execute(CloseAll, await_venue=True)`` first waits, for each cancel whose first venue
    answer did not end its order (a fill that raced the cancel: the entry still works), for its
    final answer (the order FILLED, CANCELLED or REJECTED, or a CANCEL_REJECT: a VENUE refusal),
    taking the fills on the way, until one deadline ``venue_timeout`` away on ``monotonic`` (none
    in time: ``venue_pending``, ``venue`` its last answer). It then re-reads the slots (the kernel
    mirrors a venue event's change before its VENUE outcome is published) and exits, whole and with the
    decision's reason, every slot it cancelled that now holds a position (an entry that had partly
    filled keeps that part after its cancel): a second step in the same result. ``remaining`` is
    every slot not IDLE or CLOSED at the seam's last read of the slots (after those exits were
    answered; without ``await_venue`` nothing is followed up and it is the state the close was
    planned on): a skipped EXIT_WORKING slot counts. ``remaining == []`` is flat; ``ok`` means
    only that nothing was refused. Other decisions leave ``remaining`` None (not judged).

A whole position (a default exit size, CloseAll, a ScaleOut of all of it) is exactly the units the
slot holds (``Slot.size_e8``), and a size the seam derives (a ScaleOut's part, a capital_fraction
open) is exactly its floored units: when no float is that size (above 2^53 units of 1e-8) it is
planned as a ``Decimal``, which the encoder takes as it is.

Sizes are computed and floored exactly in decimal (``floor_to_step``): each float is taken as its
shortest decimal spelling (0.29 is 0.29), the seam's products are exact and its quotient is
rounded down, the step is a whole number of 1e-8 units, and the result is the largest multiple
of the step not above the size, so float noise never costs a step (``floor_to_step`` counts a
float within 4 ulps of a whole 1e-8 unit as that unit).

With ``await_venue``, an intent whose venue answer did not come within ``venue_timeout`` has
``venue`` None and its slot in ``venue_pending``: no answer yet (the order may still fill), not a
refusal, so ``ok`` stays True. ``warnings`` (``WarningReport``) holds every WARNING or CRITICAL
diagnostic of an accepted step's KERNEL outcome (e.g. EXIT_LEGS_LOW, ``value`` the exit legs left)
and, with ``await_venue``, of its VENUE answers that are not refusals (the fills a CloseAll cancel
waits past too); a refused step's diagnostics are only its refusal, and ``ok`` ignores warnings. A
generated trade id is ``<prefix>-<ms in base 36>-<n>`` (n counts
this seam's ids from 1), the ms from ``now_ms`` or else the client's clock (``client.now_ms()``),
as the TypeScript seam: deterministic under an injected clock; a clock that answers no time is a
CLIENT INVALID_INTENT refusal (field NOW_MS), nothing pushed.

``Seam.execute`` pushes nothing to a kernel that is not running (its ring would keep the intents
for the next kernel to run on a dead kernel's state) or that restarted since the last
``reconcile``: a CLIENT refusal (KERNEL_NOT_RUNNING / KERNEL_RESTARTED) with ``restarted`` set.

``Seam.reconcile``: ``gone`` lists only the trades this seam opened that no slot holds any more; a
trade the kernel is still reconciling (STALE_STATE_RECONCILING, same trade id) is in
``reconciling``, stays in the belief, and is neither gone nor adopted once the kernel settles it.
"""

from __future__ import annotations

import itertools
import math
import time
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence, Union

from .client import _check_timeout
from .errors import (DitaClientError, InvalidIntent, KernelNotRunning, KernelRestarted, OutcomeLost, OutcomeTimeout,
                     RingFull, StateBusy)
from .intents import Cancel, Enter, Exit, Intent
from .outcome import Outcome
from .records import EXIT_REASONS, Account, Slot


@dataclass(frozen=True, slots=True)
class Open:
    side: str
    asset: str
    leverage: int
    size: Optional[float] = None
    capital_fraction: Optional[float] = None
    reference_price: Optional[float] = None
    limit_price: Optional[float] = None
    slot_id: Optional[int] = None
    trade_id: Optional[str] = None


def open_long(asset: str, leverage: int, **kw: object) -> Open:
    return Open("LONG", asset, leverage, **kw)  # type: ignore[arg-type]


def open_short(asset: str, leverage: int, **kw: object) -> Open:
    return Open("SHORT", asset, leverage, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ScaleOut:
    slot_id: int
    fraction: Optional[float] = None
    size: Optional[float] = None
    limit_price: Optional[float] = None


@dataclass(frozen=True, slots=True)
class TakeProfit:
    slot_id: int
    size: Optional[float] = None
    limit_price: Optional[float] = None


@dataclass(frozen=True, slots=True)
class StopLoss:
    slot_id: int
    size: Optional[float] = None


@dataclass(frozen=True, slots=True)
class CancelOrder:
    slot_id: int


@dataclass(frozen=True, slots=True)
class CloseAll:
    reason: str = "SIGNAL"


Decision = Union[Open, ScaleOut, TakeProfit, StopLoss, CancelOrder, CloseAll]


@dataclass(frozen=True, slots=True)
class SeamRefusal:
    code: str  # NO_FREE_SLOT NOT_OPEN BELOW_STEP ACCOUNT_NOT_SEEDED BAD_DECISION NO_SUCH_SLOT
    message: str
    slot_id: Optional[int] = None


@dataclass(slots=True)
class Plan:
    intents: list[Intent] = field(default_factory=list)
    refusal: Optional[SeamRefusal] = None
    skipped: list[tuple[int, str]] = field(default_factory=list)


_UNITS = 100_000_000  # 1e-8 units per base unit (kernel/ABI.md qty_e8)
# Exact for products of a few floats' decimal spellings; a quotient is rounded down, never up.
_EXACT = Context(prec=80, rounding=ROUND_FLOOR, Emax=999_999, Emin=-999_999)


def _is_number(v: object) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def _decimal(v: Union[int, float]) -> Decimal:
    """``v`` exactly as spelled: an int as is, a float by its shortest decimal spelling (0.29 is 0.29)."""
    return Decimal(v) if isinstance(v, int) else Decimal(repr(float(v)))


def _step_units(step: Optional[float]) -> int:
    """The step in whole 1e-8 units (rounded, halves up, as the TypeScript seam; at least 1); no
    step or one <= 0 is 1 unit."""
    if step is None:
        return 1
    if not _is_number(step):
        raise ValueError(f"step {step!r} is not a finite number")
    return max(1, int((_decimal(step) * _UNITS).to_integral_value(ROUND_HALF_UP))) if step > 0 else 1


def _floor_e8(size: Decimal, step: Optional[float]) -> int:
    """The largest multiple of the step not above the exact ``size``, in 1e-8 units."""
    step_units = _step_units(step)
    return int(_EXACT.scaleb(size, 8).to_integral_value(ROUND_FLOOR)) // step_units * step_units


def _floor(size: Decimal, step: Optional[float]) -> Union[float, Decimal]:
    """The largest multiple of the step not above the exact ``size``, as an intent's size of exactly
    those units (a ``Decimal`` when no float is: above 2^53 units of 1e-8)."""
    units = _floor_e8(size, step)
    try:
        return _size_of(units)
    except OverflowError:
        raise ValueError(f"a size of {units} units of 1e-8 is beyond a float") from None


def _floor_units(units: int, step: Optional[float]) -> float:
    step_units = _step_units(step)
    try:
        return units // step_units * step_units / _UNITS
    except OverflowError:
        raise ValueError(f"a size of {units} units of 1e-8 is beyond a float") from None


def _size_of(units: int) -> Union[float, Decimal]:
    """``units`` of 1e-8 as an intent's size: the float when it encodes back to exactly these units,
    else the exact Decimal (above 2^53 units a float cannot hold every size)."""
    size = units / _UNITS
    return size if Decimal(repr(size)).scaleb(8) == units else Decimal(units).scaleb(-8)


def _held(s: Slot) -> Decimal:
    """The slot's position exactly: its units when decoded from the kernel, else its size's decimal."""
    return Decimal(s.size_e8).scaleb(-8) if s.size_e8 is not None else _decimal(s.size)


def _whole(s: Slot) -> Union[float, Decimal]:
    """The whole position as an exit's size, exactly the units the slot holds."""
    return s.size if s.size_e8 is None else _size_of(s.size_e8)


def _float_units(size: Union[int, float]) -> int:
    """``size`` in whole 1e-8 units, rounded down; a float within 4 ulps of a whole unit is that
    unit (0.005 * 0.7 = 0.0034999999999999996 is 0.0035: float noise, not a smaller size)."""
    exact = _decimal(size) * _UNITS
    nearest = int(exact.to_integral_value(ROUND_HALF_EVEN))
    if isinstance(size, float) and abs(size - nearest / _UNITS) <= 4 * math.ulp(size):
        return nearest
    return int(exact.to_integral_value(ROUND_FLOOR))


def floor_to_step(size: float, step: Optional[float]) -> float:
    """The largest multiple of ``step`` (in whole 1e-8 units, default and minimum 1e-8) not above
    ``size``, exact in decimal: 0.29 stays 0.29, 8234.532 with step 0.0001 stays 8234.532, and a
    float within float noise (4 ulps) of a whole 1e-8 unit counts as that unit. ValueError for a
    size or step that is not a finite number."""
    if not _is_number(size):
        raise ValueError(f"size {size!r} is not a finite number")
    return _floor_units(_float_units(size), step)


def _units_of(size: Optional[Union[int, float]]) -> Optional[int]:
    """A decision's exit size in whole 1e-8 units (``_float_units``); None: none given (the whole position)."""
    return None if size is None else _float_units(size)


def _refuse(code: str, message: str, slot_id: Optional[int] = None) -> Plan:
    return Plan(refusal=SeamRefusal(code, message, slot_id))


def _not_finite(d: object, names: Sequence[str]) -> Optional[Plan]:
    """BAD_DECISION naming the first of the decision's numbers that is given and not a finite real."""
    for name in names:
        v = getattr(d, name)
        if v is not None and not _is_number(v):
            return _refuse("BAD_DECISION", f"{type(d).__name__}.{name} must be a finite number, got {v!r}",
                           getattr(d, "slot_id", None))
    return None


def _floored(raw: Decimal, step: Optional[float], what: str,
             slot_id: Optional[int] = None) -> Union[float, Decimal, Plan]:
    """The exact ``raw`` floored to ``step``, or BAD_DECISION when it (or the step) is not a finite number."""
    try:
        return _floor(raw, step)
    except ValueError as e:
        return _refuse("BAD_DECISION", f"{what} cannot be sized: {e}", slot_id)


def _slot(slots: Sequence[Slot], slot_id: int) -> Union[Slot, Plan]:
    if isinstance(slot_id, bool) or not isinstance(slot_id, int) or not 0 <= slot_id < len(slots):
        return _refuse("NO_SUCH_SLOT", f"slot {slot_id} does not exist (0..{len(slots) - 1})", slot_id)
    return slots[slot_id]


def _exit(slots: Sequence[Slot], slot_id: int, units: Optional[int], reason: str, price: Optional[float] = None,
          steps: Optional[Mapping[str, float]] = None, what: str = "") -> Plan:
    """An exit of ``units`` of 1e-8 (unfloored; None: the whole position) from an open slot, floored to
    the step: nothing left is BELOW_STEP; all of it or more, or a part leaving less than one step (dust
    no later exit could close), is exactly the units held (the kernel refuses an exit above them)."""
    s = _slot(slots, slot_id)
    if isinstance(s, Plan):
        return s
    if s.stage != "POSITION_OPEN":
        return _refuse("NOT_OPEN", f"slot {slot_id} is {s.stage}, not POSITION_OPEN", slot_id)
    if units is None:
        return Plan([Exit(slot_id, _whole(s), reason, price)])
    step = (steps or {}).get(s.asset)
    try:
        step_units = _step_units(step)
        part = units // step_units * step_units
        size = _size_of(part)
    except (ValueError, OverflowError) as e:
        return _refuse("BAD_DECISION", f"{what} of {s.size} {s.asset} cannot be sized: {e}", slot_id)
    if part <= 0:
        return _refuse("BELOW_STEP", f"{what} of {s.size} {s.asset} is below one step ({step or 1e-8})", slot_id)
    held = s.size_e8 if s.size_e8 is not None else _float_units(s.size)
    return Plan([Exit(slot_id, _whole(s) if held - part < step_units else size, reason, price)])


def _open(d: Open, slots: Sequence[Slot], account: Account, steps: Mapping[str, float],
          next_trade_id: Callable[[], str]) -> Plan:
    bad = _not_finite(d, ("size", "capital_fraction", "reference_price", "limit_price"))
    if bad is not None:
        return bad
    if isinstance(d.leverage, bool) or not isinstance(d.leverage, int):
        return _refuse("BAD_DECISION", f"Open.leverage must be an integer, got {d.leverage!r}")
    if d.capital_fraction is not None and not _is_number(account.equity):
        return _refuse("BAD_DECISION", f"the kernel's account equity is {account.equity}: no size can be computed")
    free = d.slot_id if d.slot_id is not None else next(
        (s.slot_id for s in slots if s.stage in ("IDLE", "CLOSED")), None)
    if free is None:
        return _refuse("NO_FREE_SLOT", "every slot holds a trade")
    if (d.size is None) == (d.capital_fraction is None):
        return _refuse("BAD_DECISION", "Open needs exactly one of size or capital_fraction")
    size = d.size
    if size is None:
        if not account.seeded:
            return _refuse("ACCOUNT_NOT_SEEDED", "the kernel's account is not seeded yet: no equity to size from")
        if not d.reference_price or d.reference_price <= 0:
            return _refuse("BAD_DECISION", "capital_fraction sizing needs a reference_price > 0")
        raw = _EXACT.divide(_EXACT.multiply(_EXACT.multiply(_decimal(account.equity), _decimal(d.capital_fraction)),
                                            Decimal(d.leverage)), _decimal(d.reference_price))
        size = _floored(raw, steps.get(d.asset),
                        f"{d.capital_fraction} x equity {account.equity} x {d.leverage} / {d.reference_price}")
        if isinstance(size, Plan):
            return size
        if size <= 0:
            return _refuse("BELOW_STEP", f"{d.capital_fraction} of equity {account.equity} is below one step of {d.asset}")
    return Plan([Enter(free, d.trade_id or next_trade_id(), d.asset, d.side, size, d.leverage, d.limit_price)])


def plan_decision(d: Decision, slots: Sequence[Slot], account: Account, steps: Mapping[str, float],
                  next_trade_id: Callable[[], str]) -> Plan:
    """Translates one decision against the kernel's slots and account (pure; see the rules above)."""
    if isinstance(d, Open):
        return _open(d, slots, account, steps, next_trade_id)
    if isinstance(d, ScaleOut):
        bad = _not_finite(d, ("size", "fraction", "limit_price"))
        if bad is not None:
            return bad
        s = _slot(slots, d.slot_id)
        if isinstance(s, Plan):
            return s
        if s.stage != "POSITION_OPEN":
            return _refuse("NOT_OPEN", f"slot {d.slot_id} is {s.stage}, not POSITION_OPEN", d.slot_id)
        if (d.size is None) == (d.fraction is None):
            return _refuse("BAD_DECISION", "ScaleOut needs exactly one of size or fraction", d.slot_id)
        if d.fraction is None:
            return _exit(slots, d.slot_id, _float_units(d.size), "SIGNAL", d.limit_price, steps, str(d.size))
        raw = _EXACT.scaleb(_EXACT.multiply(_held(s), _decimal(d.fraction)), 8).to_integral_value(ROUND_FLOOR)
        return _exit(slots, d.slot_id, int(raw), "SIGNAL", d.limit_price, steps, str(d.fraction))
    if isinstance(d, TakeProfit):
        return _not_finite(d, ("size", "limit_price")) or _exit(slots, d.slot_id, _units_of(d.size), "TP",
                                                                d.limit_price, steps, str(d.size))
    if isinstance(d, StopLoss):
        return _not_finite(d, ("size",)) or _exit(slots, d.slot_id, _units_of(d.size), "SL", None, steps, str(d.size))
    if isinstance(d, CancelOrder):
        s = _slot(slots, d.slot_id)
        return s if isinstance(s, Plan) else Plan([Cancel(d.slot_id)])
    if isinstance(d, CloseAll):
        if not isinstance(d.reason, str) or d.reason not in EXIT_REASONS:  # refused before any cancel is planned
            return _refuse("BAD_DECISION", f"CloseAll.reason must be one of {'|'.join(EXIT_REASONS)}, got {d.reason!r}")
        out = Plan()
        for s in slots:
            if s.stage == "ENTRY_WORKING":
                out.intents.append(Cancel(s.slot_id))
            elif s.stage == "POSITION_OPEN":
                out.intents.append(Exit(s.slot_id, _whole(s), d.reason))
            elif s.stage in ("EXIT_WORKING", "STALE_STATE_RECONCILING"):
                out.skipped.append((s.slot_id, s.stage))
        return out
    return _refuse("BAD_DECISION", f"not a decision: {type(d).__name__}")


@dataclass(frozen=True, slots=True)
class RefusalReport:
    origin: str  # SEAM EDGE KERNEL VENUE CLIENT
    code: str
    message: str
    slot_id: Optional[int] = None
    retryable: bool = False
    retry_after_ms: Optional[int] = None


@dataclass(frozen=True, slots=True)
class WarningReport:
    """A WARNING or CRITICAL diagnostic of an accepted step (never of a refusal); ``message`` is the
    outcome's for its first diagnostic (a record carries only that one's), else the code."""
    origin: str  # KERNEL VENUE (EDGE: never, an edge outcome is a refusal)
    code: str
    severity: str  # WARNING CRITICAL
    message: str
    slot_id: Optional[int] = None
    value: Optional[float] = None


@dataclass(slots=True)
class Step:
    intent: Intent
    client_intent_id: Optional[int] = None
    outcome: Optional[Outcome] = None
    venue: Optional[Outcome] = None


@dataclass(slots=True)
class SeamResult:
    decision: Decision
    ok: bool = False
    steps: list[Step] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    refusals: list[RefusalReport] = field(default_factory=list)
    # accepted steps' WARNING / CRITICAL diagnostics (KERNEL; await_venue: VENUE answers that are no refusal)
    warnings: list[WarningReport] = field(default_factory=list)
    rate_limited: bool = False
    retry_after_ms: Optional[int] = None  # the longest retry hint among the refusals
    restarted: bool = False  # the kernel restarted or stopped: call reconcile() before deciding again
    # CloseAll: (slot, stage) of every slot not flat at the seam's last read (rule 6); None: not judged
    remaining: Optional[list[tuple[int, str]]] = None
    venue_pending: list[int] = field(default_factory=list)  # await_venue: slots whose venue did not answer in time


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    open: tuple[Slot, ...]
    reconciling: tuple[int, ...]
    gone: tuple[tuple[int, str], ...]  # trades this seam opened that no slot holds any more (not reconciling)
    adopted: tuple[Slot, ...]  # trades the kernel holds that this seam did not open
    account: Account


_FINAL_EVENTS = ("FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT")  # no more answers follow for the order
_FINISHED = ("FILLED", "CANCELLED", "REJECTED")
_LIVE = ("ENTRY_WORKING", "POSITION_OPEN", "EXIT_WORKING")
_FLAT = ("IDLE", "CLOSED")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_RECONCILING = "STALE_STATE_RECONCILING"


def _report(o: Outcome) -> RefusalReport:
    d = o.diagnostics[0] if o.diagnostics else None
    return RefusalReport(o.origin, d.code if d else (o.event_kind or "REFUSED"), o.message, o.slot_id,
                         d.retryable if d else False, d.retry_after_ms if d else None)


_VENUE_REFUSALS = ("REJECT", "CANCEL_REJECT")  # a venue answer that refuses: a VENUE refusal, never a warning


def _warnings(o: Outcome) -> list[WarningReport]:
    """The WARNING and CRITICAL diagnostics of an accepted step's outcome or of a venue answer, as the
    seam's warnings; none for a venue answer that refuses (its diagnostics are its refusal)."""
    if o.event_kind in _VENUE_REFUSALS:
        return []
    return [WarningReport(o.origin, d.code, d.severity, o.message if i == 0 else d.code, o.slot_id, d.value)
            for i, d in enumerate(o.diagnostics) if d.severity in ("WARNING", "CRITICAL")]


def _final(o: Outcome) -> bool:
    """Whether no more venue answers follow: the order ended, or its cancel was refused."""
    return o.event_kind in _FINAL_EVENTS or o.order_status in _FINISHED


def _base36(n: int) -> str:
    """``n`` >= 0 in base 36, lower case (JavaScript's ``n.toString(36)``)."""
    out = ""
    while True:
        n, d = divmod(n, 36)
        out = _DIGITS[d] + out
        if n == 0:
            return out


def _client_refusal(e: DitaClientError, result: SeamResult) -> None:
    result.restarted = result.restarted or isinstance(e, (KernelRestarted, KernelNotRunning))
    result.refusals.append(RefusalReport("CLIENT", e.code, str(e), retryable=isinstance(e, StateBusy)))


class Seam:
    def __init__(self, client, *, steps: Optional[Mapping[str, float]] = None, trade_id_prefix: str = "seam",
                 timeout: float = 2.0, venue_timeout: float = 5.0,
                 now_ms: Optional[Callable[[], float]] = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.belief: dict[int, str] = {}  # slot -> trade id this seam opened (the kernel wins on reconcile)
        self._steps = dict(steps or {})
        # a NaN timeout is a ValueError here, before anything is pushed (not after an intent went out)
        self._timeout, self._venue_timeout = _check_timeout(timeout), _check_timeout(venue_timeout)
        self._prefix = trade_id_prefix
        self._now_ms = now_ms  # the clock of generated trade ids (ms); None: the client's
        self._monotonic = monotonic  # the clock (s) of CloseAll's wait for its cancels' final answers
        self._counter = itertools.count(1)

    def _trade_id(self) -> str:
        ms = self._now_ms() if self._now_ms is not None else self.client.now_ms()
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not math.isfinite(ms) or ms < 0:
            raise InvalidIntent("NOW_MS", f"now_ms (the clock of the seam's trade ids) must be a finite number >= 0, "
                                          f"got {ms!r}")
        return f"{self._prefix}-{_base36(int(ms))}-{next(self._counter)}"

    def execute(self, decision: Decision, *, await_venue: bool = False) -> SeamResult:
        try:
            self.client.check_kernel()  # a dead kernel's ring would keep the intents for the next one to run
            view = self.client.state()
        except DitaClientError as e:  # nothing planned or pushed: the result says why
            result = SeamResult(decision, restarted=isinstance(e, (KernelRestarted, KernelNotRunning)))
            result.refusals.append(RefusalReport("CLIENT", e.code, str(e), retryable=isinstance(e, StateBusy)))
            return result
        try:
            plan = plan_decision(decision, view.slots, view.account, self._steps, self._trade_id)
        except DitaClientError as e:  # the trade ids' clock answered no time: nothing pushed
            result = SeamResult(decision)
            _client_refusal(e, result)
            return result
        result = SeamResult(decision, skipped=plan.skipped)
        if plan.refusal is not None:
            r = plan.refusal
            result.refusals.append(RefusalReport("SEAM", r.code, r.message, r.slot_id))
            return result
        for intent in plan.intents:
            step = Step(intent)
            result.steps.append(step)
            if not self._run(step, result, await_venue):
                break
        if isinstance(decision, CloseAll):
            self._close_rest(decision.reason, view.slots, result, await_venue)
        result.rate_limited = any(r.code == "RATE_LIMITED" for r in result.refusals)
        hints = [r.retry_after_ms for r in result.refusals if r.retry_after_ms is not None]
        result.retry_after_ms = max(hints) if hints else None
        result.ok = not result.refusals and not result.restarted
        return result

    def _run(self, step: Step, result: SeamResult, await_venue: bool) -> bool:
        try:
            step.client_intent_id = self.client.push(step.intent)
            step.outcome = self.client.outcome(step.client_intent_id, self._timeout)
            if not step.outcome.accepted:
                result.refusals.append(_report(step.outcome))
                return True
            result.warnings.extend(_warnings(step.outcome))
            if isinstance(step.intent, Enter):
                self.belief[step.intent.slot_id] = step.intent.trade_id
            if await_venue:
                try:
                    step.venue = self.client.next_venue_outcome(step.client_intent_id, self._venue_timeout)
                except OutcomeTimeout:  # no answer yet, not a refusal: the order may still fill
                    step.venue = None
                    if step.intent.slot_id not in result.venue_pending:
                        result.venue_pending.append(step.intent.slot_id)
                if step.venue is not None and step.venue.event_kind in _VENUE_REFUSALS:
                    result.refusals.append(_report(step.venue))
                if step.venue is not None:
                    result.warnings.extend(_warnings(step.venue))
            return True
        except (KernelRestarted, KernelNotRunning) as e:
            result.restarted = True
            result.refusals.append(RefusalReport("CLIENT", e.code, str(e)))
            return False
        except (RingFull, OutcomeTimeout, OutcomeLost) as e:
            result.refusals.append(RefusalReport("CLIENT", e.code, str(e), retryable=isinstance(e, RingFull)))
            return True
        except DitaClientError as e:
            result.refusals.append(RefusalReport("CLIENT", e.code, str(e)))
            return True

    def _close_rest(self, reason: str, slots: Sequence[Slot], result: SeamResult, await_venue: bool) -> None:
        """CloseAll's second step (rule 6): with ``await_venue``, exits what the cancelled entries
        left open; then ``remaining`` from the last read of the slots."""
        if await_venue:
            if not result.restarted:
                self._settle_cancels(result)
            cancelled = {s.intent.slot_id for s in result.steps
                         if isinstance(s.intent, Cancel) and s.outcome is not None and s.outcome.accepted}
            now = self._reread(result)
            if now is not None:
                slots = now
                left = [s for s in slots if s.slot_id in cancelled and s.stage == "POSITION_OPEN"]
                for s in left:
                    step = Step(Exit(s.slot_id, _whole(s), reason))
                    result.steps.append(step)
                    if not self._run(step, result, True):
                        break
                if left:
                    slots = self._reread(result) or slots
        result.remaining = [(s.slot_id, s.stage) for s in slots if s.stage not in _FLAT]

    def _settle_cancels(self, result: SeamResult) -> None:
        """Each accepted Cancel whose venue answer so far did not end its order (a fill raced the
        cancel) waits, until one deadline ``venue_timeout`` away, for its final answer, taking the
        fills on the way (``venue`` is its last answer; each such cancel looks at least once, past
        the deadline too; an answer that is no refusal adds its warnings); none in time: its slot is
        ``venue_pending``. A CANCEL_REJECT or REJECT that comes is a VENUE refusal; a client error a
        CLIENT one (a kernel gone stops the waits)."""
        deadline = self._monotonic() + self._venue_timeout
        for step in result.steps:
            if result.restarted:
                return
            if not isinstance(step.intent, Cancel) or step.venue is None or _final(step.venue):
                continue
            venue: Optional[Outcome] = step.venue
            looked = False
            try:
                while venue is not None and not _final(venue):
                    left = deadline - self._monotonic()
                    if looked and not left > 0:
                        venue = None  # the deadline passed with the order still working
                        break
                    looked = True
                    venue = step.venue = self.client.next_venue_outcome(step.client_intent_id,
                                                                        left if left > 0 else 0.0)
                    result.warnings.extend(_warnings(venue))
            except OutcomeTimeout:
                venue = None
            except DitaClientError as e:
                _client_refusal(e, result)
                continue
            if venue is None:
                if step.intent.slot_id not in result.venue_pending:
                    result.venue_pending.append(step.intent.slot_id)
            elif venue.event_kind in _VENUE_REFUSALS:
                result.refusals.append(_report(venue))

    def _reread(self, result: SeamResult) -> Optional[Sequence[Slot]]:
        """The kernel's slots now; None (the failure a CLIENT refusal) when they cannot be read."""
        if result.restarted:
            return None
        try:
            return self.client.state().slots
        except DitaClientError as e:
            _client_refusal(e, result)
            return None

    def reconcile(self) -> ReconcileReport:
        """Accepts the kernel that holds the regions now and replaces the belief with its slots."""
        self.client.reconnect()
        view = self.client.state()
        live = tuple(s for s in view.slots if s.stage in _LIVE)
        # A trade of this seam the kernel is still reconciling keeps its slot and trade id: it is
        # not gone (re-entering on it would double the exposure) and the belief keeps it.
        held = {s.slot_id: s.trade_id for s in view.slots
                if s.stage in _LIVE or (s.stage == _RECONCILING and self.belief.get(s.slot_id) == s.trade_id)}
        gone = tuple((slot, trade) for slot, trade in self.belief.items() if held.get(slot) != trade)
        adopted = tuple(s for s in live if self.belief.get(s.slot_id) != s.trade_id)
        self.belief = held
        return ReconcileReport(live, tuple(s.slot_id for s in view.slots if s.stage == _RECONCILING),
                               gone, adopted, view.account)
