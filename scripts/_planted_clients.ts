/** Planted bugs at the strategy side fixed on 2026-12-07: the clients, the seam, strategy-status and the order-rate 429. */

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
];
