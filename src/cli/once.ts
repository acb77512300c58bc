/**
 * `dita-v2 once`: assemble the runtime from the environment, reconcile with the venue, print one
 * JSON status document (control, slots, account, state_hash, venue, projection) and exit 0.
 */

import { defineCommand } from "citty";
import { runOnce } from "../launcher/index.ts";

export const onceCommand = defineCommand({
  meta: { name: "once", description: "Assemble, reconcile, print one JSON status document, exit" },
  async run() {
    const status = await runOnce(process.env);
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  },
});
