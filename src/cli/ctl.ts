/**
 * `dita-v2 ctl start|stop|restart|status|tail`: operate `dolphin:dita_v2` under supervisord with
 * script-friendly exit codes (src/launcher/supervisor.ts lists them). An unknown action, or
 * `--stderr` with an action other than tail (it would do nothing), exits 2.
 */

import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import { supervisorCtl } from "../launcher/supervisor.ts";
import { CliFailure } from "./_fail.ts";

export const ctlCommand = defineCommand({
  meta: { name: "ctl", description: "Operate dolphin:dita_v2 under supervisord: start|stop|restart|status|tail" },
  args: {
    action: { type: "positional", description: "start | stop | restart | status | tail", required: true },
    conf: { type: "string", description: "supervisord config", default: "supervisor/dolphin-supervisord.conf" },
    stderr: { type: "boolean", description: "tail stderr instead of stdout", default: false },
  },
  async run({ args }) {
    if (!["start", "stop", "restart", "status", "tail"].includes(args.action)) {
      throw new CliFailure(`unknown ctl action '${args.action}': use start|stop|restart|status|tail`, 2);
    }
    if (args.stderr && args.action !== "tail") throw new CliFailure("--stderr goes with 'ctl tail' only", 2);
    if (!existsSync(args.conf)) throw new CliFailure(`supervisord config not found: ${args.conf} (use --conf)`, 4);
    const r = await supervisorCtl(args.action, args.conf, process.env, (ms) => Bun.sleep(ms), args.stderr);
    if (r.out) console.log(r.out);
    process.exitCode = r.code;
  },
});
