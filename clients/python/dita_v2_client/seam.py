"""The decision-to-intent seam (docs/strategy-guide.md): a strategy decides, the seam translates.

``plan_decision`` is pure: one decision plus the kernel's slots and account in, kernel intents or
one SeamRefusal out. ``Seam.execute`` submits the plan through a DitaClient and returns one
SeamResult that surfaces everything the kernel and the venue said: refusals with codes and
messages, rate limits with the venue's retry hint (with ``await_venue``), a kernel restart. After a
restart ``Seam.reconcile`` replaces the strategy's belief with the kernel's slots.

Rules (mapping tests: clients/python/tests/test_seam_plan.py, same as the TypeScript seam's):
 1. OPEN -> one ENTER in the decision's slot or the first IDLE/CLOSED slot (none: NO_FREE_SLOT).
    Size: ``size``, or ``capital_fraction * account equity * leverage / reference_price`` floored to
    the asset's step. The kernel's account is the only capital authority: a decision carries no
    capital of its own; an unseeded account refuses fraction sizing (ACCOUNT_NOT_SEEDED).
 2. SCALE_OUT -> one EXIT (SIGNAL) of ``size`` or ``fraction * position`` floored to the step; the
    slot must be POSITION_OPEN (NOT_OPEN); a size that floors to 0 is BELOW_STEP.
 3. TAKE_PROFIT / STOP_LOSS -> one EXIT (TP / SL), default the whole position.
 4. CANCEL -> one CANCEL.
 5. CLOSE_ALL -> ENTRY_WORKING: CANCEL; POSITION_OPEN: EXIT of the whole position (reason from the
    decision, default SIGNAL); EXIT_WORKING and STALE_STATE_RECONCILING are left alone (skipped).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence, Union

from .errors import (DitaClientError, KernelNotRunning, KernelRestarted, OutcomeLost, OutcomeTimeout, RingFull)
from .intents import Cancel, Enter, Exit, Intent
from .outcome import Outcome
from .records import Account, Slot


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


def floor_to_step(size: float, step: Optional[float]) -> float:
    s = step if step and step > 0 else 1e-8
    return round(int(size / s + 1e-9) * s, 8)


def _refuse(code: str, message: str, slot_id: Optional[int] = None) -> Plan:
    return Plan(refusal=SeamRefusal(code, message, slot_id))


def _slot(slots: Sequence[Slot], slot_id: int) -> Union[Slot, Plan]:
    if not 0 <= slot_id < len(slots):
        return _refuse("NO_SUCH_SLOT", f"slot {slot_id} does not exist (0..{len(slots) - 1})", slot_id)
    return slots[slot_id]


def _exit(slots: Sequence[Slot], slot_id: int, size: Optional[float], reason: str,
          price: Optional[float] = None) -> Plan:
    s = _slot(slots, slot_id)
    if isinstance(s, Plan):
        return s
    if s.stage != "POSITION_OPEN":
        return _refuse("NOT_OPEN", f"slot {slot_id} is {s.stage}, not POSITION_OPEN", slot_id)
    return Plan([Exit(slot_id, size if size is not None else s.size, reason, price)])


def _open(d: Open, slots: Sequence[Slot], account: Account, steps: Mapping[str, float],
          next_trade_id: Callable[[], str]) -> Plan:
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
        size = floor_to_step(account.equity * d.capital_fraction * d.leverage / d.reference_price, steps.get(d.asset))
        if size <= 0:
            return _refuse("BELOW_STEP", f"{d.capital_fraction} of equity {account.equity} is below one step of {d.asset}")
    return Plan([Enter(free, d.trade_id or next_trade_id(), d.asset, d.side, size, d.leverage, d.limit_price)])


def plan_decision(d: Decision, slots: Sequence[Slot], account: Account, steps: Mapping[str, float],
                  next_trade_id: Callable[[], str]) -> Plan:
    """Translates one decision against the kernel's slots and account (pure; see the rules above)."""
    if isinstance(d, Open):
        return _open(d, slots, account, steps, next_trade_id)
    if isinstance(d, ScaleOut):
        s = _slot(slots, d.slot_id)
        if isinstance(s, Plan):
            return s
        if s.stage != "POSITION_OPEN":
            return _refuse("NOT_OPEN", f"slot {d.slot_id} is {s.stage}, not POSITION_OPEN", d.slot_id)
        if (d.size is None) == (d.fraction is None):
            return _refuse("BAD_DECISION", "ScaleOut needs exactly one of size or fraction", d.slot_id)
        size = d.size if d.size is not None else floor_to_step(s.size * d.fraction, steps.get(s.asset))
        if size <= 0:
            return _refuse("BELOW_STEP", f"{d.fraction} of {s.size} {s.asset} is below one step", d.slot_id)
        return _exit(slots, d.slot_id, min(size, s.size), "SIGNAL", d.limit_price)
    if isinstance(d, TakeProfit):
        return _exit(slots, d.slot_id, d.size, "TP", d.limit_price)
    if isinstance(d, StopLoss):
        return _exit(slots, d.slot_id, d.size, "SL")
    if isinstance(d, CancelOrder):
        s = _slot(slots, d.slot_id)
        return s if isinstance(s, Plan) else Plan([Cancel(d.slot_id)])
    if isinstance(d, CloseAll):
        out = Plan()
        for s in slots:
            if s.stage == "ENTRY_WORKING":
                out.intents.append(Cancel(s.slot_id))
            elif s.stage == "POSITION_OPEN":
                out.intents.append(Exit(s.slot_id, s.size, d.reason))
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
    rate_limited: bool = False
    retry_after_ms: Optional[int] = None  # the longest retry hint among the refusals
    restarted: bool = False  # the kernel restarted or stopped: call reconcile() before deciding again


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    open: tuple[Slot, ...]
    reconciling: tuple[int, ...]
    gone: tuple[tuple[int, str], ...]  # trades this seam opened that no slot holds any more
    adopted: tuple[Slot, ...]  # trades the kernel holds that this seam did not open
    account: Account


_LIVE = ("ENTRY_WORKING", "POSITION_OPEN", "EXIT_WORKING")


def _report(o: Outcome) -> RefusalReport:
    d = o.diagnostics[0] if o.diagnostics else None
    return RefusalReport(o.origin, d.code if d else (o.event_kind or "REFUSED"), o.message, o.slot_id,
                         d.retryable if d else False, d.retry_after_ms if d else None)


class Seam:
    def __init__(self, client, *, steps: Optional[Mapping[str, float]] = None, trade_id_prefix: str = "seam",
                 timeout: float = 2.0, venue_timeout: float = 5.0) -> None:
        self.client = client
        self.belief: dict[int, str] = {}  # slot -> trade id this seam opened (the kernel wins on reconcile)
        self._steps = dict(steps or {})
        self._prefix, self._timeout, self._venue_timeout = trade_id_prefix, timeout, venue_timeout
        self._counter = itertools.count(1)

    def _trade_id(self) -> str:
        return f"{self._prefix}-{int(time.time() * 1000):x}-{next(self._counter)}"

    def execute(self, decision: Decision, *, await_venue: bool = False) -> SeamResult:
        view = self.client.state()
        plan = plan_decision(decision, view.slots, view.account, self._steps, self._trade_id)
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
            if isinstance(step.intent, Enter):
                self.belief[step.intent.slot_id] = step.intent.trade_id
            if await_venue:
                try:
                    step.venue = self.client.next_venue_outcome(step.client_intent_id, self._venue_timeout)
                except OutcomeTimeout:
                    step.venue = None
                if step.venue is not None and step.venue.event_kind in ("REJECT", "CANCEL_REJECT"):
                    result.refusals.append(_report(step.venue))
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

    def reconcile(self) -> ReconcileReport:
        """Accepts the kernel that holds the regions now and replaces the belief with its slots."""
        self.client.reconnect()
        view = self.client.state()
        live = tuple(s for s in view.slots if s.stage in _LIVE)
        gone = tuple((slot, trade) for slot, trade in self.belief.items()
                     if slot >= len(view.slots) or view.slots[slot].trade_id != trade
                     or view.slots[slot].stage not in _LIVE)
        adopted = tuple(s for s in live if self.belief.get(s.slot_id) != s.trade_id)
        self.belief = {s.slot_id: s.trade_id for s in live}
        return ReconcileReport(live, tuple(s.slot_id for s in view.slots if s.stage == "STALE_STATE_RECONCILING"),
                               gone, adopted, view.account)
