/** `dita-v2 serve`: the supervised long-running mode (HTTP + Zinc ring + venue + projection). */

import { defineCommand } from "citty";
import { runServe } from "../launcher/index.ts";

export const serveCommand = defineCommand({
  meta: {
    name: "serve",
    description: "Run the kernel service: HTTP API, Zinc intents, venue, projection (until SIGTERM)",
  },
  async run() {
    process.exit(await runServe(process.env));
  },
});
