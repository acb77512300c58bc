/**
 * `dita-v2 smoke --symbol TRX-USDT [--pink] [--dry-run] [--strategy pink] [--venue-url URL] [--size N]`:
 * one whole trade (enter, exit, close, verify exchange truth) through the kernel and executor in
 * this process (src/launcher/smoke.ts has the steps). Live BingX (the demo account) needs
 * BINGX_SMOKE_LIVE=1 and keys; `--venue-url http://127.0.0.1:PORT` targets a bingx-sim instead.
 * `--dry-run` prints the exact environment (secrets masked; `--pink`'s Zinc prefix shown as per run,
 * `dita_v2_smoke_<strategy>_<pid>`: the real run's own pid) and the numbered steps, sends nothing.
 * `--pink` trades the way PINK does: decision → seam → Zinc ring (real shared memory under a
 * prefix of this process, removed afterwards) → kernel → venue, outcomes read back by the client.
 * The symbol may be spelled TRXUSDT: it is normalized to TRX-USDT in every mode, dry run included;
 * a bad symbol or a `--venue-url` that is no http(s) origin is refused (exit 2) in every mode too,
 * and so are an empty `--size` or `--wait-ms` (never the default instead), a `--wait-ms` above a
 * day (it is the runtime's DITA_V2_HUNG_ORDER_MS too) and a `--conf` that is empty or does not
 * exist (the precheck would read it as "not running" and pass). A BINGX_* value the venue cannot be
 * built from (a malformed key, secret or URL) is refused the same way, before any step: a
 * configuration it cannot read is no failed step.
 *
 * Exit codes: 0 the cycle passed · 1 a step failed (the JSON report says which) · 2 refused
 * (bad arguments, a malformed BINGX_* value, live not allowed) · 3 the supervisor precheck refused (dolphin:dita_v2 running).
 */

import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { normalizeSymbol } from "../contracts/index.ts";
import { maskDeep, maskSecrets } from "../contracts/secrets.ts";
import { isSimTarget, runSmoke, type SmokeOptions, smokeSteps, supervisorPrecheck } from "../launcher/smoke.ts";
import { SystemClock } from "../launcher/system_clock.ts";
import { DEFAULT_STRATEGY } from "../projection/names.ts";
import { assertLiveAllowed, bingxConfigFromEnv } from "../venue/index.ts";
import { CliFailure } from "./_fail.ts";
import { decimalFlag } from "./_flags.ts";

type Env = Record<string, string | undefined>;

const SIM_KEY = "sim-api-key";
const SIM_SECRET = "sim-secret-key";

/** The `--pink` run's Zinc prefix: per run (its own pid), so two smokes never share regions. */
const smokePrefix = (strategy: string, pid: string) => `dita_v2_smoke_${strategy}_${pid}`;

/** The exact environment the in-process runtime is assembled from. */
function smokeEnv(opts: SmokeOptions, env: Env, stateDir: string): Record<string, string> {
  const out: Record<string, string> = {
    DITA_V2_LAUNCHER_MODE: "once",
    DITA_V2_VENUE: "BINGX",
    DITA_V2_ZINC: "MEMORY",
    DITA_V2_CONTROL_PLANE: "MEMORY",
    DITA_V2_HAZELCAST: "OFF",
    DITA_V2_CLICKHOUSE: "OFF",
    DITA_V2_SLOTS: "1",
    DITA_V2_STRATEGY: opts.strategy,
    DITA_V2_STATE_DIR: stateDir,
    DITA_V2_HUNG_ORDER_MS: String(Math.max(1000, opts.waitMs)),
  };
  if (opts.pink) {
    out.DITA_V2_ZINC = "REAL";
    out.DITA_V2_ZINC_PREFIX = smokePrefix(opts.strategy, String(process.pid));
  }
  if (opts.venueUrl !== null) {
    const u = new URL(opts.venueUrl);
    out.BINGX_BASE_URL = u.origin;
    out.BINGX_WS_URL = `${u.protocol === "https:" ? "wss" : "ws"}://${u.host}/swap-market`;
  } else {
    if (env.BINGX_BASE_URL) out.BINGX_BASE_URL = env.BINGX_BASE_URL;
    if (env.BINGX_WS_URL) out.BINGX_WS_URL = env.BINGX_WS_URL;
  }
  const sim = isSimTarget(opts);
  out.BINGX_API_KEY = env.BINGX_API_KEY || (sim ? SIM_KEY : "");
  out.BINGX_API_SECRET = env.BINGX_API_SECRET || (sim ? SIM_SECRET : "");
  if (env.BINGX_SMOKE_LIVE) out.BINGX_SMOKE_LIVE = env.BINGX_SMOKE_LIVE;
  return out;
}

/** `--venue-url` as an http(s) origin, or a refusal naming it (exit 2, dry run or not). */
function venueUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!/^https?:\/\/[^\s/]+\/?$/.test(raw) || !URL.canParse(raw))
    throw new CliFailure(`--venue-url must be an http(s) origin, got '${raw.slice(0, 80)}'`, 2);
  return raw;
}

/** null when the smoke may run; otherwise the one line explaining why not (exit 2). */
function smokeGuard(opts: SmokeOptions, env: Env): string | null {
  if (isSimTarget(opts)) return null;
  try {
    assertLiveAllowed(env);
    return null;
  } catch (e) {
    return `refusing a live smoke: ${(e as Error).message.replace(/^Condition failed: /, "")} (or point it at a sim with --venue-url http://127.0.0.1:PORT)`;
  }
}

/** The one line of a BINGX_* value the run's venue cannot be built from (a malformed key or URL), or null. */
function venueConfigRefusal(env: Env): string | null {
  const parsed = bingxConfigFromEnv(env, new SystemClock());
  return parsed.ok ? null : parsed.error;
}

/** The environment as the dry run shows it: secrets masked; the per-run prefix as such (not the dry run's pid). */
function shownEnv(opts: SmokeOptions, env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  if (out.DITA_V2_ZINC_PREFIX !== undefined)
    out.DITA_V2_ZINC_PREFIX = `${smokePrefix(opts.strategy, "<pid>")} (per run: <pid> is the running smoke's own process id; its regions are removed afterwards)`;
  if (out.BINGX_API_KEY) out.BINGX_API_KEY = `****${out.BINGX_API_KEY.slice(-4)} (${out.BINGX_API_KEY.length} chars)`;
  if (out.BINGX_API_SECRET) out.BINGX_API_SECRET = `******** (${out.BINGX_API_SECRET.length} chars)`;
  return out;
}

function dryRunText(opts: SmokeOptions, env: Record<string, string>, refusal: string | null): string {
  const target = isSimTarget(opts) ? "bingx-sim" : "BingX live (demo account)";
  return [
    "dita-v2 smoke --dry-run: nothing is sent",
    `target: ${target} ${env.BINGX_BASE_URL ?? "https://open-api-vst.bingx.com (default)"}`,
    `symbol ${opts.symbol}, ${opts.pink ? "the PINK path (decision -> seam -> Zinc ring -> kernel -> venue), " : ""}size ${opts.size ?? "the smallest the contract rules accept"}, strategy ${opts.strategy}, wait ${opts.waitMs} ms per step`,
    ...(refusal ? [`would refuse: ${refusal}`] : []),
    "environment:",
    ...Object.entries(shownEnv(opts, env)).map(([k, v]) => `  ${k}=${v}`),
    "steps:",
    ...smokeSteps(opts.pink).map(([name, what], i) => `  ${i + 1}. ${name}: ${what.replaceAll("SYMBOL", opts.symbol)}`),
    "",
  ].join("\n");
}

function positive(name: string, raw: string | undefined, integer = false): number | null {
  if (raw === undefined) return null;
  if (raw.trim() === "")
    throw new CliFailure(`--${name} is empty: give a positive number, or leave --${name} out for the default`, 2);
  const n = decimalFlag(name, raw);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new CliFailure(`--${name} must be a positive number, got '${raw}'`, 2);
  return n;
}

/** `--wait-ms` is also DITA_V2_HUNG_ORDER_MS, which the config takes up to a day. */
const WAIT_MS_MAX = 86_400_000;

function waitMs(raw: string | undefined): number {
  const n = positive("wait-ms", raw, true) ?? 20_000;
  if (n > WAIT_MS_MAX) throw new CliFailure(`--wait-ms must be an integer 1..${WAIT_MS_MAX}, got '${raw}'`, 2);
  return n;
}

const DEFAULT_CONF = "supervisor/dolphin-supervisord.conf";

/** A `--conf` given must exist: one that does not reads as "not running" and the precheck passes. */
function supervisorConf(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_CONF;
  if (raw.trim() === "" || !existsSync(raw))
    throw new CliFailure(
      `--conf must name the supervisord config of the precheck, got '${raw.slice(0, 80)}' (no such file)`,
      2,
    );
  return raw;
}

export const smokeCommand = defineCommand({
  meta: {
    name: "smoke",
    description: "One live cycle (enter, exit, close, verify exchange truth) on BingX's demo account or a bingx-sim",
  },
  args: {
    symbol: { type: "string", required: true, description: "contract, e.g. TRX-USDT (TRXUSDT is normalized to it)" },
    pink: {
      type: "boolean",
      default: false,
      description: "trade the way PINK does: decision -> seam -> Zinc ring -> kernel -> venue, outcomes read back",
    },
    "dry-run": { type: "boolean", default: false, description: "print the exact environment and steps; send nothing" },
    strategy: { type: "string", default: DEFAULT_STRATEGY, description: "strategy namespace" },
    "venue-url": {
      type: "string",
      description: "a bingx-sim origin, e.g. http://127.0.0.1:PORT (no live keys needed)",
    },
    size: { type: "string", description: "order size (default: the smallest valid size)" },
    conf: { type: "string", description: `supervisord config for the precheck (default ${DEFAULT_CONF})` },
    "wait-ms": { type: "string", default: "20000", description: "longest wait for a fill or a close" },
  },
  async run({ args }) {
    const symbol = normalizeSymbol(args.symbol);
    if (!symbol.ok) throw new CliFailure(`--${symbol.message}`, 2);
    const opts: SmokeOptions = {
      symbol: symbol.symbol,
      pink: args.pink,
      strategy: args.strategy,
      venueUrl: venueUrl(args["venue-url"]),
      size: positive("size", args.size),
      conf: supervisorConf(args.conf),
      waitMs: waitMs(args["wait-ms"]),
    };
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(opts.strategy))
      throw new CliFailure(`--strategy must be [a-z][a-z0-9_]{0,31}, got '${opts.strategy}'`, 2);
    const env = smokeEnv(opts, process.env, join(process.env.DITA_V2_STATE_DIR || ".dita-v2", "smoke"));
    const refusal = smokeGuard(opts, process.env) ?? venueConfigRefusal(env);
    if (args["dry-run"]) {
      process.stdout.write(maskSecrets(dryRunText(opts, env, refusal)));
      return;
    }
    if (refusal) throw new CliFailure(refusal, 2);
    const precheck = supervisorPrecheck(opts);
    if (!precheck.ok) throw new CliFailure(`precheck: ${precheck.detail}`, 3);
    const report = await runSmoke(opts, env, precheck, (line) => console.error(`[smoke] ${maskSecrets(line)}`)).finally(
      () => {
        const prefix = env.DITA_V2_ZINC_PREFIX;
        if (prefix !== undefined)
          for (const kind of ["intents", "state", "outcomes"]) rmSync(`/dev/shm/${prefix}.${kind}`, { force: true });
      },
    );
    process.stdout.write(`${JSON.stringify(maskDeep(report), null, 2)}\n`);
    if (!report.ok)
      console.error(maskSecrets(`dita-v2 smoke: step '${report.failed?.step}' failed: ${report.failed?.message}`));
    process.exitCode = report.ok ? 0 : 1;
  },
});
