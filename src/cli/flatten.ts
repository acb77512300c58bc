/**
 * `dita-v2 flatten [--timeout-ms N]`: the emergency exit of a running serve (POST /flatten):
 * trading HALTED, working orders cancelled, positions exited at market, answered per slot once
 * the venue confirmed. Exit 0 when the venue is flat, 5 when something is still open (the report
 * says what and why), 3 when the serve refused the request, 2 for a `--timeout-ms` outside
 * 1000..240000 (refused before anything is sent) or an unreachable serve, 4 without a token, 1 when
 * the answer was lost after the request went out (it may have been applied: see `status`).
 */

import { defineCommand } from "citty";
import { FLATTEN_TIMEOUT_MS, type FlattenReport } from "../contracts/flatten.ts";
import { call, print, urlArg } from "./_client.ts";
import { CliFailure } from "./_fail.ts";
import { integerFlag } from "./_flags.ts";

export const flattenCommand = defineCommand({
  meta: { name: "flatten", description: "HALT trading, cancel working orders, exit every position at market" },
  args: {
    url: urlArg,
    "timeout-ms": {
      type: "string",
      description: `how long to wait for the venue to confirm (${FLATTEN_TIMEOUT_MS.min}..${FLATTEN_TIMEOUT_MS.max})`,
      default: String(FLATTEN_TIMEOUT_MS.fallback),
    },
  },
  async run({ args }) {
    const timeoutMs = integerFlag("timeout-ms", args["timeout-ms"], FLATTEN_TIMEOUT_MS.min, FLATTEN_TIMEOUT_MS.max);
    const r = await call(args.url, "/flatten", {
      method: "POST",
      body: { timeout_ms: timeoutMs },
      auth: true,
      timeoutMs: timeoutMs + 15_000,
    });
    if (r.status !== 200) {
      const why = (r.body as { error?: string }).error ?? JSON.stringify(r.body);
      throw new CliFailure(`flatten refused (HTTP ${r.status}): ${why}`, 3);
    }
    print(r.body);
    if (!(r.body as FlattenReport).complete) process.exitCode = 5;
  },
});
