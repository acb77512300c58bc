/** The `dita-v2` command tree (citty). Each command lives in its own file. */

import { defineCommand } from "citty";
import { controlCommand } from "./control.ts";
import { ctlCommand } from "./ctl.ts";
import { fsmCommand } from "./fsm.ts";
import { onceCommand } from "./once.ts";
import { intentCommand } from "./intent.ts";
import { replayCommand } from "./replay.ts";
import { serveCommand } from "./serve.ts";
import { simCommand } from "./sim.ts";
import { healthcheckCommand, statusCommand } from "./status.ts";
import { verifyIsolationCommand } from "./verify_isolation.ts";

import { VERSION } from "./version.ts";

export { VERSION };

export const root = defineCommand({
  meta: { name: "dita-v2", version: VERSION, description: "DITAv2 execution kernel: state machine, Zinc, venues, projection" },
  subCommands: {
    serve: serveCommand,
    once: onceCommand,
    status: statusCommand,
    healthcheck: healthcheckCommand,
    intent: intentCommand,
    control: controlCommand,
    replay: replayCommand,
    fsm: fsmCommand,
    ctl: ctlCommand,
    sim: simCommand,
    "verify-isolation": verifyIsolationCommand,
  },
});
