/**
 * Environment → validated runtime configuration (docs/architecture.md §9). Every variable has a safe
 * default (mock venue, in-memory planes, no servers, loopback HTTP); a bad value fails at start
 * with one `ConfigError` line naming the variable, the accepted values and what was given (masked:
 * a rejected URL never shows its password).
 *
 * A DITA_V2_* variable that no part of the product reads is refused the same way, with the closest
 * known name (_config_names.ts): a misspelled limit must not start with the limit off. Without
 * DITA_V2_OPERATOR_TOKEN, a `<state dir>/operator.token` that is there but does not hold a token
 * is refused here too, before anything is opened (token.ts). Both hold for every command that
 * loads the configuration.
 *
 * Credentials are registered for masking here, before anything can print them
 * (contracts/secrets.ts): the ClickHouse URL's password, DITA_V2_HAZELCAST_PASSWORD, BINGX_API_KEY
 * and BINGX_API_SECRET (whatever the venue: they are in the environment). DITA_V2_BINGX_RATE_MARGIN
 * and DITA_V2_BINGX_IP_SHARE are checked whatever the venue too (the adapter reads them).
 *
 * Entry point: `loadConfig(env)`.
 */

import type { RiskLimits } from "../contracts/control.ts";
import type { TradingState } from "../contracts/enums.ts";
import { maskSecrets, registerSecret } from "../contracts/secrets.ts";
import { DEFAULT_STRATEGY, STRATEGY_RE } from "../projection/names.ts";
import { bingxTuningError } from "../venue/index.ts";
import { startControlsFromEnv } from "./_config_controls.ts";
import { clickhouseUrl, httpHost } from "./_config_endpoints.ts";

export { httpOrigin } from "./_config_endpoints.ts";

import { ConfigError } from "./_config_error.ts";
import { fleetTtlMs, hazelcastAddr } from "./_config_fleet.ts";
import { refuseBlankIdentity, refuseUnknownVariables } from "./_config_names.ts";
import type { JitTiers } from "./jit_tiers.ts";
import { TOKEN_RE, TOKEN_RULE, tokenFileProblem } from "./token.ts";

/** A pass every millisecond keeps the order path's code cached (bench/clients.ts: latency and CPU). */
const WARM_PATH_MS_DEFAULT = 1;

export { ConfigError };

export interface RuntimeConfig {
  launcher_mode: "once" | "serve";
  venue: "MOCK" | "BINGX";
  zinc: "MEMORY" | "REAL";
  control_plane: "MEMORY" | "REAL_ZINC";
  hazelcast: "OFF" | "REAL";
  clickhouse: "OFF" | "REAL";
  projection_required: boolean;
  mode: "NORMAL" | "DEBUG";
  verbosity: "QUIET" | "VERBOSE" | "TRACE";
  slots: number;
  active_slot_limit: number;
  hung_order_ms: number;
  /** The path warmer's period in ms (0 = off): launcher/_path_warmer.ts. */
  warm_path_ms: number;
  /** The stall watch's bound (ms; 0 = off): serve's event loop turning no more for this long ends the process (`_stall_watch.ts`). */
  stall_ms: number;
  /** How the kernel loop waits for intents: the adaptive spin, then the futex; or SPIN (a 20 µs spin every turn, a core busy). */
  ring_wait: "ADAPTIVE" | "SPIN";
  /** serve's JavaScriptCore tier thresholds: EAGER (the order path optimized early) or DEFAULT: launcher/jit_tiers.ts. */
  jit: JitTiers;
  strategy: string;
  reconcile_on_restart: boolean;
  /** Live reconciliation period (0 = off). */
  reconcile_interval_ms: number;
  trading_state: TradingState;
  limits: RiskLimits;
  zinc_prefix: string;
  state_dir: string;
  /** The journal rotates into a new segment (with a snapshot) at this size. */
  journal_segment_mb: number;
  /** Snapshots kept, with the segments from the oldest of them on. */
  journal_keep: number;
  /** The local default sink seals its file at this size (projection/_local_seal.ts). */
  local_spool_segment_mb: number;
  /** Sealed local spool files kept. */
  local_spool_keep: number;
  http_host: string;
  http_port: number;
  operator_token: string | null;
  /** DITA_V2_HAZELCAST_ADDR: one member or a comma-separated list (canonical `host:port,host:port`). */
  hazelcast_addr: string;
  hazelcast_cluster: string;
  /** DITA_V2_HAZELCAST_USER / DITA_V2_HAZELCAST_PASSWORD, both or neither. */
  hazelcast_credentials: { user: string; password: string } | null;
  clickhouse_url: string;
  clickhouse_database: string;
  /** DITA_V2_FLEET_TTL_MS: the fleet entry's and the account lease's time to live. */
  fleet_ttl_ms: number;
  mock_seed: number;
  mock_prices: Record<string, number>;
  mock_balance: number;
}

type Env = Record<string, string | undefined>;

function pick<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, fold = true): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = fold ? raw.trim().toUpperCase() : raw.trim();
  const hit = allowed.find((a) => (fold ? a.toUpperCase() : a) === v);
  if (hit === undefined) throw new ConfigError(name, `must be one of ${allowed.join("|")}, got '${raw}'`);
  return hit;
}

function int(env: Env, name: string, lo: number, hi: number, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer ${lo}..${hi}, got '${raw}'`);
  const n = Number(raw.trim());
  if (n < lo || n > hi) throw new ConfigError(name, `must be an integer ${lo}..${hi}, got '${raw}'`);
  return n;
}

/** DITA_V2_STALL_MS: 0 (off) or 1000..600000 ms; below a second a long GC pause would count as a stall. */
function stallMs(env: Env): number {
  const ms = int(env, "DITA_V2_STALL_MS", 0, 600_000, 10_000);
  if (ms > 0 && ms < 1000)
    throw new ConfigError(
      "DITA_V2_STALL_MS",
      `must be 0 (off) or an integer 1000..600000, got '${env.DITA_V2_STALL_MS}'`,
    );
  return ms;
}

function matching(env: Env, name: string, re: RegExp, what: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!re.test(raw)) throw new ConfigError(name, `must be ${what}, got '${maskSecrets(raw)}'`);
  return raw;
}

function prices(env: Env): Record<string, number> {
  const raw = env.DITA_V2_MOCK_PRICES;
  if (raw === undefined || raw === "") return { "BTC-USDT": 65000, "ETH-USDT": 3500, "TRX-USDT": 0.25 };
  const out: Record<string, number> = {};
  for (const part of raw.split(",")) {
    const m = /^([A-Z0-9]+-[A-Z0-9]+)=(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!m || !(Number(m[2]) > 0))
      throw new ConfigError("DITA_V2_MOCK_PRICES", `must look like 'BTC-USDT=65000,ETH-USDT=3500', got '${raw}'`);
    const [, asset, digits] = m as unknown as [string, string, string];
    if (Object.hasOwn(out, asset)) throw new ConfigError("DITA_V2_MOCK_PRICES", `${asset} is given twice`);
    if (!Number.isFinite(Number(digits)))
      throw new ConfigError("DITA_V2_MOCK_PRICES", `price for ${asset} is too large, got '${digits.slice(0, 24)}...'`);
    out[asset] = Number(digits);
  }
  return out;
}

function balance(env: Env): number {
  const raw = env.DITA_V2_MOCK_BALANCE;
  if (raw === undefined || raw === "") return 10_000;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0) || n > 1e12)
    throw new ConfigError("DITA_V2_MOCK_BALANCE", `must be a positive number, got '${raw}'`);
  return n;
}

function hazelcastCredentials(env: Env): { user: string; password: string } | null {
  const user = env.DITA_V2_HAZELCAST_USER ?? "";
  const password = env.DITA_V2_HAZELCAST_PASSWORD ?? "";
  if (password !== "" && password.trim() === "")
    throw new ConfigError("DITA_V2_HAZELCAST_PASSWORD", "must not be only whitespace (value not shown)");
  registerSecret(password);
  if (user === "" && password === "") return null;
  if (user === "" || password === "")
    throw new ConfigError(
      user === "" ? "DITA_V2_HAZELCAST_USER" : "DITA_V2_HAZELCAST_PASSWORD",
      "DITA_V2_HAZELCAST_USER and DITA_V2_HAZELCAST_PASSWORD go together (value not shown)",
    );
  if (!/^[\x21-\x7e]{1,256}$/.test(user))
    throw new ConfigError("DITA_V2_HAZELCAST_USER", "must be 1..256 printable characters without spaces");
  if (!/^[\x20-\x7e]{1,256}$/.test(password))
    throw new ConfigError("DITA_V2_HAZELCAST_PASSWORD", "must be 1..256 printable characters (value not shown)");
  return { user, password };
}

/** DITA_V2_OPERATOR_TOKEN, checked; without it, the token file is checked when it is there (null). */
function operatorToken(env: Env, stateDir: string): string | null {
  const token = env.DITA_V2_OPERATOR_TOKEN;
  if (token === undefined || token === "") {
    const problem = tokenFileProblem(stateDir);
    if (problem !== null) throw problem;
    return null;
  }
  if (!TOKEN_RE.test(token)) throw new ConfigError("DITA_V2_OPERATOR_TOKEN", `must be ${TOKEN_RULE} (value not shown)`);
  return token;
}

export function loadConfig(env: Env): RuntimeConfig {
  registerSecret(env.BINGX_API_KEY?.trim());
  registerSecret(env.BINGX_API_SECRET?.trim());
  refuseUnknownVariables(env);
  refuseBlankIdentity(env);
  const slots = int(env, "DITA_V2_SLOTS", 1, 256, 8);
  const strategy = matching(
    env,
    "DITA_V2_STRATEGY",
    STRATEGY_RE,
    `lowercase ${STRATEGY_RE.source.slice(1, -1)}`,
    DEFAULT_STRATEGY,
  );
  const stateDir = matching(env, "DITA_V2_STATE_DIR", /^[^\0]{1,4096}$/, "a path", ".dita-v2");
  const token = operatorToken(env, stateDir);
  const controls = startControlsFromEnv(env);
  const tuning = bingxTuningError(env); // whatever the venue: MOCK must not start on what BINGX refuses
  if (tuning !== null) throw ConfigError.sentence(tuning.variable, tuning.sentence);
  return {
    launcher_mode: pick(env, "DITA_V2_LAUNCHER_MODE", ["once", "serve"] as const, "serve"),
    venue: pick(env, "DITA_V2_VENUE", ["MOCK", "BINGX"] as const, "MOCK"),
    zinc: pick(env, "DITA_V2_ZINC", ["MEMORY", "REAL"] as const, "MEMORY"),
    control_plane: pick(env, "DITA_V2_CONTROL_PLANE", ["MEMORY", "REAL_ZINC"] as const, "MEMORY"),
    hazelcast: pick(env, "DITA_V2_HAZELCAST", ["OFF", "REAL"] as const, "OFF"),
    clickhouse: pick(env, "DITA_V2_CLICKHOUSE", ["OFF", "REAL"] as const, "OFF"),
    projection_required: pick(env, "DITA_V2_PROJECTION_REQUIRED", ["1", "0"] as const, "0") === "1",
    mode: pick(env, "DITA_V2_MODE", ["NORMAL", "DEBUG"] as const, "NORMAL"),
    verbosity: pick(env, "DITA_V2_VERBOSITY", ["QUIET", "VERBOSE", "TRACE"] as const, "QUIET"),
    slots,
    active_slot_limit: int(env, "DITA_V2_ACTIVE_SLOT_LIMIT", 1, slots, slots),
    hung_order_ms: int(env, "DITA_V2_HUNG_ORDER_MS", 1, 86_400_000, 30_000),
    warm_path_ms: int(env, "DITA_V2_WARM_PATH_MS", 0, 1000, WARM_PATH_MS_DEFAULT),
    stall_ms: stallMs(env),
    ring_wait: pick(env, "DITA_V2_RING_WAIT", ["ADAPTIVE", "SPIN"] as const, "ADAPTIVE"),
    jit: pick(env, "DITA_V2_JIT", ["EAGER", "DEFAULT"] as const, "EAGER"),
    strategy,
    reconcile_on_restart: pick(env, "DITA_V2_RECONCILE_ON_RESTART", ["1", "0"] as const, "1") === "1",
    reconcile_interval_ms: controls.reconcile_interval_ms,
    trading_state: controls.trading_state,
    limits: controls.limits,
    zinc_prefix: matching(
      env,
      "DITA_V2_ZINC_PREFIX",
      /^(?!\.)[A-Za-z0-9_.-]{1,64}$/, // libzinc refuses a leading '.' (a hidden /dev/shm file)
      "1..64 of [A-Za-z0-9_.-], not starting with '.'",
      `dita_v2_${strategy}`,
    ),
    state_dir: stateDir,
    journal_segment_mb: int(env, "DITA_V2_JOURNAL_SEGMENT_MB", 1, 4096, 64),
    journal_keep: int(env, "DITA_V2_JOURNAL_KEEP", 2, 10_000, 8),
    local_spool_segment_mb: int(env, "DITA_V2_LOCAL_SPOOL_SEGMENT_MB", 1, 256, 64),
    local_spool_keep: int(env, "DITA_V2_LOCAL_SPOOL_KEEP", 1, 100_000, 8),
    http_host: httpHost(env),
    http_port: int(env, "DITA_V2_HTTP_PORT", 0, 65535, 7878),
    operator_token: token,
    hazelcast_addr: hazelcastAddr(env),
    hazelcast_cluster: matching(env, "DITA_V2_HAZELCAST_CLUSTER", /^[A-Za-z0-9_.-]{1,64}$/, "a cluster name", "dev"),
    hazelcast_credentials: hazelcastCredentials(env),
    clickhouse_url: clickhouseUrl(env),
    clickhouse_database: matching(
      env,
      "DITA_V2_CLICKHOUSE_DATABASE",
      /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
      "a database name",
      "default",
    ),
    fleet_ttl_ms: fleetTtlMs(env),
    mock_seed: int(env, "DITA_V2_MOCK_SEED", 0, 2 ** 31 - 1, 1),
    mock_prices: prices(env),
    mock_balance: balance(env),
  };
}

/** The Hazelcast settings of the projection, the belief reader and the fleet. */
export function hazelcastOf(config: RuntimeConfig): {
  addr: string;
  cluster: string;
  user?: string;
  password?: string;
} {
  const c = config.hazelcast_credentials;
  return {
    addr: config.hazelcast_addr,
    cluster: config.hazelcast_cluster,
    ...(c !== null ? { user: c.user, password: c.password } : {}),
  };
}
