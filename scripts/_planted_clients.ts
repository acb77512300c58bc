/** Planted bugs at the strategy side fixed on 2026-12-07: the clients, the seam and strategy-status. */

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
];
