/**
 * The `dita-v2` command tree (citty). Each command lives in its own file and is imported only
 * when it runs, so `dita-v2 once` does not pay for loading the HTTP server, Hazelcast or
 * ClickHouse clients it does not use.
 */

import { defineCommand } from "citty";
import { VERSION } from "../contracts/version.ts";

export { VERSION };

export const root = defineCommand({
  meta: {
    name: "dita-v2",
    version: VERSION,
    description: "DITAv2 execution kernel: state machine, Zinc, venues, projection",
  },
  subCommands: {
    serve: () => import("./serve.ts").then((m) => m.serveCommand),
    once: () => import("./once.ts").then((m) => m.onceCommand),
    status: () => import("./status.ts").then((m) => m.statusCommand),
    healthcheck: () => import("./status.ts").then((m) => m.healthcheckCommand),
    intent: () => import("./intent.ts").then((m) => m.intentCommand),
    control: () => import("./control.ts").then((m) => m.controlCommand),
    flatten: () => import("./flatten.ts").then((m) => m.flattenCommand),
    replay: () => import("./replay.ts").then((m) => m.replayCommand),
    fsm: () => import("./fsm.ts").then((m) => m.fsmCommand),
    ctl: () => import("./ctl.ts").then((m) => m.ctlCommand),
    sim: () => import("./sim.ts").then((m) => m.simCommand),
    chaos: () => import("./chaos.ts").then((m) => m.chaosCommand),
    fleet: () => import("./fleet.ts").then((m) => m.fleetCommand),
    "verify-isolation": () => import("./verify_isolation.ts").then((m) => m.verifyIsolationCommand),
    smoke: () => import("./smoke.ts").then((m) => m.smokeCommand),
    "strategy-status": () => import("./strategy_status.ts").then((m) => m.strategyStatusCommand),
    "zinc-lib": () => import("./zinc_lib.ts").then((m) => m.zincLibCommand),
    spool: () => import("./spool.ts").then((m) => m.spoolCommand),
  },
});
