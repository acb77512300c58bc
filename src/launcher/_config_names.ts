/**
 * The DITA_V2_* environment variables something in the product reads, and the refusal of every
 * other one (bad configuration fails at start, naming the variable): a misspelled name would otherwise be silently ignored (a risk limit left
 * off, say). `refuseUnknownVariables(env)` throws one `UnknownVariableError` line naming the first
 * unknown variable (in sorted order) and the closest known name: `<name> is not a DITAv2 variable
 * (did you mean DITA_V2_MAX_LEVERAGE?)` for a misspelled DITA_V2_MAX_LEVERAGE.
 * `loadConfig` calls it, so every command that loads the configuration refuses them.
 *
 * The list is every name read anywhere in the repository, by whom, not only the launcher's own: a
 * serve started by a deploy script or by the test runner inherits their variables too. The risk
 * limits' names come from RISK_LIMIT_RANGES, as _config_controls.ts reads them. The unit test
 * tests/unit/launcher_config_names.test.ts scans src/, clients/, scripts/, bench/, supervisor/,
 * deploy/ and .ci/ (and tests/' `env.` reads) and fails when a name read there is missing here.
 *
 * Entry points: `KNOWN_VARIABLES`, `refuseUnknownVariables(env)`, `closestKnown(name)`.
 */

import { RISK_LIMIT_RANGES } from "../contracts/control.ts";
import { ConfigError, UnknownVariableError } from "./_config_error.ts";

type Env = Record<string, string | undefined>;

const PREFIX = "DITA_V2_";

/** What loadConfig (config.ts, _config_controls.ts, _config_fleet.ts) reads, risk limits aside. */
const LAUNCHER = [
  "LAUNCHER_MODE",
  "VENUE",
  "ZINC",
  "CONTROL_PLANE",
  "HAZELCAST",
  "CLICKHOUSE",
  "PROJECTION_REQUIRED",
  "MODE",
  "VERBOSITY",
  "SLOTS",
  "ACTIVE_SLOT_LIMIT",
  "HUNG_ORDER_MS",
  "WARM_PATH_MS",
  "STALL_MS",
  "RING_WAIT",
  "JIT",
  "STRATEGY",
  "RECONCILE_ON_RESTART",
  "RECONCILE_INTERVAL_MS",
  "TRADING_STATE",
  "ZINC_PREFIX",
  "STATE_DIR",
  "JOURNAL_SEGMENT_MB",
  "JOURNAL_KEEP",
  "LOCAL_SPOOL_SEGMENT_MB",
  "LOCAL_SPOOL_KEEP",
  "HTTP_HOST",
  "HTTP_PORT",
  "OPERATOR_TOKEN",
  "HAZELCAST_ADDR",
  "HAZELCAST_CLUSTER",
  "HAZELCAST_USER",
  "HAZELCAST_PASSWORD",
  "CLICKHOUSE_URL",
  "CLICKHOUSE_DATABASE",
  "FLEET_TTL_MS",
  "MOCK_SEED",
  "MOCK_PRICES",
  "MOCK_BALANCE",
];

/** Read elsewhere, by whom. */
const ELSEWHERE = [
  "BINGX_RATE_MARGIN", // src/venue/bingx/config.ts
  "BINGX_IP_SHARE", // src/venue/bingx/config.ts
  "ZINC_LIB", // clients/typescript/_zinc.ts, clients/python/dita_v2_client/_zinc.py (`dita-v2 zinc-lib`)
  "EXE", // supervisor/supervisorctl.sh, deploy/supervisor/run-strategy.sh
  "ENV_DIR", // deploy/supervisor/run-strategy.sh (in supervisord's environment, so in serve's)
  "PROPERTY_RUNS", // tests/property/*.test.ts
  "TEST", // set by scripts/test.ts and scripts/planted_bugs.ts for the whole suite's processes
];

const RISK_LIMITS = Object.keys(RISK_LIMIT_RANGES).map((key) => key.toUpperCase());

export const KNOWN_VARIABLES: ReadonlySet<string> = new Set(
  [...LAUNCHER, ...RISK_LIMITS, ...ELSEWHERE].map((suffix) => `${PREFIX}${suffix}`),
);

/** Throws for the first (sorted) DITA_V2_* variable of `env` no part of the product reads, set or empty. */
export function refuseUnknownVariables(env: Env): void {
  const unknown = Object.keys(env)
    .filter((name) => name.startsWith(PREFIX) && !KNOWN_VARIABLES.has(name))
    .sort();
  const first = unknown[0];
  if (first !== undefined) throw new UnknownVariableError(first, closestKnown(first));
}

/** The known name with the fewest single-character edits from `name` (the first in sorted order on a tie). */
export function closestKnown(name: string): string {
  let best = "";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const known of [...KNOWN_VARIABLES].sort()) {
    const d = editDistance(name, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The variables that say which kernel this is: its state (journal, token), its shared-memory regions,
 * its namespace, its address. Set but blank (`DITA_V2_STATE_DIR=$DIR` with DIR unset), each would mean
 * its default, which is another kernel's: a fresh state beside the real journal, another strategy's
 * regions, a CLI's flatten sent to the local serve. Refused instead, as an empty `--url` is.
 */
export const IDENTITY_VARIABLES = [
  "DITA_V2_STATE_DIR",
  "DITA_V2_ZINC_PREFIX",
  "DITA_V2_STRATEGY",
  "DITA_V2_HTTP_HOST",
  "DITA_V2_HTTP_PORT",
] as const;

/** Throws for the first identity variable of `env` set to an empty or blank value. */
export function refuseBlankIdentity(env: Env): void {
  const blank = IDENTITY_VARIABLES.find((name) => env[name] !== undefined && env[name]!.trim() === "");
  if (blank !== undefined)
    throw ConfigError.sentence(
      blank,
      `${blank} is set but empty: it says which kernel this is, and empty would silently mean the default (another kernel's); unset it to take the default, or give a value`,
    );
}
