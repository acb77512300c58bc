/**
 * `dita-v2 control [key=value ...]`: print the control snapshot of a running serve, or change
 * it (POST /control). Values: true/false for toggles, numbers for active_slot_limit and the risk
 * limits, names for mode, verbosity and trading_state.
 */

import { defineCommand } from "citty";
import { call, print, urlArg } from "./_client.ts";
import { CliFailure } from "./_fail.ts";

function parseValue(v: string): unknown {
  if (v === "true" || v === "false") return v === "true";
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

export const controlCommand = defineCommand({
  meta: {
    name: "control",
    description: "Show or change runtime control: dita-v2 control trading_state=REDUCING max_leverage=5",
  },
  args: { url: urlArg },
  async run({ args }) {
    const pairs = args._.filter((a) => a !== "control");
    if (pairs.length === 0) {
      const r = await call(args.url, "/control");
      print(r.body);
      return;
    }
    const change: Record<string, unknown> = {};
    for (const p of pairs) {
      const m = /^([a-z_]+)=(.+)$/.exec(p);
      if (!m) throw new CliFailure(`expected key=value, got '${p}'`, 2);
      change[m[1]!] = parseValue(m[2]!);
    }
    const r = await call(args.url, "/control", { method: "POST", body: change, auth: true });
    if (r.status !== 200)
      throw new CliFailure(
        `control refused (HTTP ${r.status}): ${(r.body as { error?: string }).error ?? JSON.stringify(r.body)}`,
        3,
      );
    print(r.body);
  },
});
