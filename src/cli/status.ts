/** `dita-v2 status` and `dita-v2 healthcheck`: read a running serve over HTTP. */

import { defineCommand } from "citty";
import { call, print, urlArg } from "./_client.ts";
import { CliFailure } from "./_fail.ts";

export const statusCommand = defineCommand({
  meta: { name: "status", description: "Print the status document of a running serve (GET /status)" },
  args: { url: urlArg },
  async run({ args }) {
    const r = await call(args.url, "/status");
    if (r.status !== 200) throw new CliFailure(`status answered HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    print(r.body);
  },
});

export const healthcheckCommand = defineCommand({
  meta: {
    name: "healthcheck",
    description: "Exit 0 when serve can trade, 1 when it answers unhealthy, 2 when unreachable",
  },
  args: { url: urlArg },
  async run({ args }) {
    const r = await call(args.url, "/health");
    const body = r.body as { status?: string; reasons?: string[] };
    console.log(r.status === 200 ? "healthy" : `unhealthy: ${(body.reasons ?? [String(r.status)]).join("; ")}`);
    process.exitCode = r.status === 200 ? 0 : 1;
  },
});
