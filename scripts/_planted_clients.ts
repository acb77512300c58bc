/** Planted bugs at the strategy side fixed on 2026-12-07: the clients, the seam, strategy-status and the order-rate 429; late landings. */

import { p } from "./_planted_plant.ts";
import type { Plant } from "./_planted_sample.ts";

export const CLIENT_PLANTS: readonly Plant[] = [
  p(
    "submit-after-restart-pushes",
    "zinc",
    "clients/typescript/client.ts",
    "    if (this.open) checkRestart(this.lib, this.h.state, this.info, null); // nor a restart not reconnect()ed\n",
    "\n",
    "a strategy's submit after a kernel restart goes into the new kernel on a view it has not reconciled",
  ),
  p(
    "seam-string-slot-id",
    "zinc",
    "clients/typescript/seam_plan.ts",
    "const s = Number.isInteger(slotId) ? ctx.slots[slotId] : undefined;",
    "const s = ctx.slots[slotId];",
    "a slot id read as text plans an exit or cancel for a slot the strategy did not name",
  ),
  p(
    "status-hides-halted",
    "control",
    "src/cli/_status_text.ts",
    "c.trading_state} ",
    "c.mode} ",
    "strategy-status shows a HALTED kernel as normal: an operator trusts a desk that refuses every entry",
  ),
  p(
    "client-control-state-unread",
    "zinc",
    "clients/typescript/records.ts",
    'tradingState: pick(TRADING_STATES, bytes[27]!, "control trading_state", false),',
    'tradingState: "ACTIVE",',
    "a strategy reads ACTIVE from a HALTED kernel and keeps sending entries it will be refused",
  ),
  p(
    "client-generation-before-liveness",
    "zinc",
    "clients/typescript/_kernel.ts",
    "  const writerAlive = lib.zinc_writer_alive(state) === 1;\n  const header = readHeader(lib, state);\n",
    "  const header = readHeader(lib, state);\n  const writerAlive = lib.zinc_writer_alive(state) === 1;\n",
    "a client reconnecting while a kernel adopts the regions keeps the dead kernel's generation: its next submit is refused as a restart on a healthy kernel",
  ),
  p(
    "python-push-many-drops-past-batch",
    "zinc",
    "clients/python/dita_v2_client/client.py",
    "batch = list(itertools.islice(intents, BATCH_MAX + 1))",
    "batch = list(itertools.islice(intents, BATCH_MAX))",
    "a Python strategy's push_many of more than 1024 intents pushes the first 1024 and silently drops the rest",
  ),
  p(
    "intents-order-rate-422",
    "control",
    "src/http/intents_route.ts",
    '(first?.code === "RISK_LIMIT" && first.details.retryable)',
    "false",
    "an ENTER refused by the desk's own order rate answers 422 like a refusal that never clears: an HTTP strategy gives up instead of retrying after the hint",
  ),
  p(
    "overfill-slot-left-stale",
    "reconcile",
    "src/launcher/runtime.ts",
    '      if (d.code === "OVERFILL" && d.slot_id !== null && this.recovery) void reconcileStale(d.slot_id, this.hungQuery);\n',
    "",
    "an order taken as ended that fills late sends its slot stale, and with reconciliation off it stays stale for ever: the venue holds a position the slot does not",
  ),
  p(
    "late-fill-not-passed",
    "reconcile",
    "src/launcher/_late_fills.ts",
    "    this.d.executor.onVenueEvent(eventFromOrderState(state));\n",
    "",
    "a late fill whose stream event was lost is never passed to the kernel: the position this process's own order made is an orphan",
  ),
  p(
    "stale-slot-ignores-earlier-late-fill",
    "reconcile",
    "src/launcher/live_reconcile.ts",
    "return withLateFill(slotClaim(s, state?.filled_size_cumulative), this.late.lateFill(s, view.ended));",
    "return slotClaim(s, state?.filled_size_cumulative);",
    "a slot that moved on to a new trade does not claim what its earlier entry filled late: it reconciles to half the venue's position and the rest is an orphan",
  ),
];
