"""dita_v2_client: connect a strategy to a DITAv2 kernel over Zinc shared memory.

Standard library only, plus libzinc through ctypes (``dita-v2 zinc-lib`` writes it out of the
executable). Guide: docs/strategy-guide.md in the DITAv2 repository; layout: ffi/README.md.

    from dita_v2_client import DitaClient, Enter
    with DitaClient.connect(namespace="pink", lib_path="/path/libzinc.so") as c:
        outcome = c.submit(Enter(0, "T1", "BTC-USDT", "LONG", 0.01, 5), timeout=1.0)
"""

from .client import ClientInfo, DitaClient, StateView
from .errors import (ClientClosed, ClientForked, CorruptRegion, DitaClientError, ForeignNamespace, IntentRefused, InvalidIntent,
                     KernelNotRunning, KernelRestarted, LanesBusy, LayoutMismatch, LibraryError, OutcomeLost,
                     OutcomeTimeout, PermissionDenied, RegionMissing, RingFull, StateBusy)
from .intents import INTENT_BYTES, Cancel, Enter, Exit, Intent, MarkPrice, encode_intent
from .outcome import Outcome, OutcomeDiagnostic, decode_outcome
from .records import Account, ControlSnapshot, Order, Slot, decode_account, decode_control, decode_slot
from .seam import (CancelOrder, CloseAll, Decision, Open, Plan, ReconcileReport, RefusalReport, ScaleOut, Seam,
                   SeamRefusal, SeamResult, StopLoss, TakeProfit, WarningReport, floor_to_step, open_long, open_short,
                   plan_decision)

__all__ = [
    "Account", "Cancel", "CancelOrder", "ClientClosed", "ClientForked", "ClientInfo", "CloseAll", "ControlSnapshot", "CorruptRegion",
    "Decision", "DitaClient", "DitaClientError", "Enter", "Exit", "ForeignNamespace", "INTENT_BYTES", "Intent",
    "IntentRefused", "InvalidIntent", "KernelNotRunning", "KernelRestarted", "LanesBusy", "LayoutMismatch",
    "LibraryError", "MarkPrice", "Open", "Order", "Outcome", "OutcomeDiagnostic", "OutcomeLost", "OutcomeTimeout",
    "PermissionDenied", "Plan", "ReconcileReport", "RefusalReport", "RegionMissing", "RingFull", "ScaleOut", "Seam",
    "SeamRefusal", "SeamResult", "Slot", "StateBusy", "StateView", "StopLoss", "TakeProfit", "WarningReport",
    "decode_account", "decode_control", "decode_outcome", "decode_slot", "encode_intent", "floor_to_step", "open_long",
    "open_short", "plan_decision",
]
