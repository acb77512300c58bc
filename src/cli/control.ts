/**
 * `dita-v2 control [key=value ...]`: print the control snapshot of a running serve, or change
 * it (POST /control). Values: true/false for toggles, numbers for active_slot_limit and the risk
 * limits (written as the CLI's numeric options are: `0.02`, `2e-2`; serve judges the range), names
 * for mode, verbosity and trading_state. A pair that is not key=value, or a key
 * given twice (`trading_state=HALTED trading_state=ACTIVE`), is refused naming it (exit 2) and
 * nothing is sent. Exit codes: 0 the snapshot (read) or the change applied · 1 the read was not
 * answered with a snapshot (token refused, serve still starting) · 2 bad pairs or unreachable ·
 * 3 the change refused · 4 no token for a change · 1 a change whose answer was lost after sending
 * (it may have been applied).
 */

import { defineCommand } from "citty";
import { call, print, urlArg } from "./_client.ts";
import { CliFailure } from "./_fail.ts";
import { DECIMAL } from "./_flags.ts";

/** A value as JSON: true/false, a number written as the CLI's options write one (`0.02`, `2e-2`, `-1`), else the text. */
function parseValue(v: string): unknown {
  if (v === "true" || v === "false") return v === "true";
  if (DECIMAL.test(v) && Number.isFinite(Number(v))) return Number(v);
  return v;
}

/** The change the pairs spell, or a CliFailure naming the first bad pair or repeated key. */
export function parseChange(pairs: readonly string[]): Record<string, unknown> {
  // No prototype: `__proto__=1` is a key like any other (serve names it unknown), not dropped.
  const change: Record<string, unknown> = Object.create(null);
  for (const p of pairs) {
    const m = /^([a-z_]+)=(.+)$/.exec(p);
    if (!m) throw new CliFailure(`expected key=value, got '${p.slice(0, 60)}'`, 2);
    const key = m[1]!;
    if (Object.hasOwn(change, key)) throw new CliFailure(`control key '${key}' is given more than once`, 2);
    change[key] = parseValue(m[2]!);
  }
  return change;
}

/** `key=value ...`: any number of pairs (`_flags.ts` lets a variadic positional take them all). */
const changesArg = {
  type: "positional",
  required: false,
  description: "key=value pairs to change (none: print the snapshot)",
  variadic: true,
} as const;

export const controlCommand = defineCommand({
  meta: {
    name: "control",
    description: "Show or change runtime control: dita-v2 control trading_state=REDUCING max_leverage=5",
  },
  args: { changes: changesArg, url: urlArg },
  async run({ args }) {
    const pairs = args._;
    if (pairs.length === 0) {
      const r = await call(args.url, "/control");
      // A 401 or a 503 "starting" body is not a snapshot: a script reading trading_state must not get exit 0.
      if (r.status !== 200) throw new CliFailure(`control answered HTTP ${r.status}: ${JSON.stringify(r.body)}`);
      print(r.body);
      return;
    }
    const change = parseChange(pairs);
    const r = await call(args.url, "/control", { method: "POST", body: change, auth: true });
    if (r.status !== 200)
      throw new CliFailure(
        `control refused (HTTP ${r.status}): ${(r.body as { error?: string }).error ?? JSON.stringify(r.body)}`,
        3,
      );
    print(r.body);
  },
});
