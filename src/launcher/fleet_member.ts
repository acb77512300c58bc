/**
 * serve's membership of the fleet (src/fleet/README.md): the account lease, taken before anything
 * touches the venue or the state dir and renewed from then on (the runtime's start may outlast the
 * TTL), and the heartbeat entry, set once serve answers HTTP. A lease lost while serve starts halts
 * trading at `start`, before the serve loops run; every beat re-applies the halt while it is lost.
 *
 * The account a kernel trades (`accountIdentity`): for BINGX the REST origin (one spelling: host
 * lower case, no default port, no trailing dot) and the API key (the same key on the demo and the
 * live host are two accounts), hashed into the lease key, never kept;
 * for MOCK the namespace (each kernel simulates its own account, so the lease only keeps two mock
 * kernels of one namespace apart). The lease covers the whole account, not a symbol set: a kernel
 * may trade any contract an intent names and its recovery reads every position of the account.
 *
 * With DITA_V2_HAZELCAST=OFF there is no fleet and no lease: one log line at start says so. A cluster
 * unreachable at start leaves the lease pending (one log line); the first heartbeat that reaches the
 * cluster takes it, and trading halts should another kernel hold it by then.
 *
 * A BINGX kernel's entry carries its DITA_V2_BINGX_IP_SHARE (`ip_share`): `dita-v2 fleet` flags a
 * host running more BingX kernels than one of them declares (src/fleet/read.ts `ipShareFindings`).
 *
 * Entry points: `joinFleet(config, env, clock, log, ids)` (throws `LeaseRefused` for a second kernel),
 * then `membership.start(rt, httpUrl)`, `stopBeats()`, `leave()`, `status()`, `list`.
 */

import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Clock } from "../contracts/clock.ts";
import { VERSION } from "../contracts/version.ts";
import {
  AccountLease,
  accountKey,
  FleetAgent,
  FleetClient,
  type FleetListing,
  type FleetStatus,
  holderText,
  type KernelFields,
  renewalBudgetMsOf,
} from "../fleet/index.ts";
import { type BingxConfig, bingxConfigFromEnv } from "../venue/index.ts";
import { SHUTDOWN_BUDGET_MS } from "./_shutdown_plan.ts";
import { ConfigError, hazelcastOf, type RuntimeConfig } from "./config.ts";
import type { Runtime } from "./runtime.ts";
import { health } from "./status.ts";

export class LeaseRefused extends Error {
  override name = "LeaseRefused";
  readonly exitCode = 3;
}

/**
 * The shutdown budget within the lease: venue calls drain only while the account is certainly this
 * kernel's (past its lease's fence another kernel may hold it and trade), so with a short
 * DITA_V2_FLEET_TTL_MS the drain is cut short and what is left is reported (`inflight_left`).
 */
export function shutdownBudgetMs(leaseLeftMs: number | null): number {
  return leaseLeftMs === null ? SHUTDOWN_BUDGET_MS : Math.min(SHUTDOWN_BUDGET_MS, 2 * leaseLeftMs);
}

export interface FleetMembership {
  start(rt: Runtime, httpUrl: string): void;
  /** Ends the heartbeats (before the runtime shuts down: a beat reads kernel memory). */
  stopBeats(): Promise<void>;
  /** Removes the fleet entry and gives the lease back (after the runtime shut down). */
  leave(): Promise<void>;
  /** Ms the account is certainly still this kernel's (`FleetAgent.leaseLeftMs`); null: no lease held. */
  leaseLeftMs(): number | null;
  status(): FleetStatus | { enabled: false; why: string };
  /** The whole fleet (`GET /fleet`); absent when the cluster is off. */
  list?: () => Promise<FleetListing>;
}

type Env = Record<string, string | undefined>;

/** The parts hashed into the lease key of the account this configuration trades. */
export function accountIdentity(config: RuntimeConfig, env: Env, clock: Clock): string[] {
  if (config.venue === "MOCK") return ["mock", config.strategy];
  const c = bingxOf(env, clock);
  return ["bingx", originKey(c.baseUrl), c.apiKey];
}

/**
 * One spelling per origin (host case, the scheme's default port, a trailing dot): two spellings of
 * one origin are one account, and must not give two kernels two leases on it.
 */
function originKey(baseUrl: string): string {
  const u = new URL(baseUrl);
  return `${u.protocol}//${u.hostname.replace(/\.$/, "")}${u.port === "" ? "" : `:${u.port}`}`;
}

/** A BINGX kernel's DITA_V2_BINGX_IP_SHARE, for its fleet entry; undefined for MOCK. */
export function ipShareOf(config: RuntimeConfig, env: Env, clock: Clock): number | undefined {
  return config.venue === "MOCK" ? undefined : (bingxOf(env, clock).ipShare ?? 1);
}

function bingxOf(env: Env, clock: Clock): BingxConfig {
  const parsed = bingxConfigFromEnv(env, clock);
  if (!parsed.ok) throw new ConfigError(parsed.error.split(" ")[0] ?? "BINGX", parsed.error);
  return parsed.config;
}

export async function joinFleet(
  config: RuntimeConfig,
  env: Env,
  clock: Clock,
  log: (line: string) => void,
  ids: { run: string; epochMs: number },
): Promise<FleetMembership> {
  if (config.hazelcast === "OFF") {
    const why =
      "DITA_V2_HAZELCAST=OFF: no fleet heartbeat and no account lease (the guard against a second kernel on this account needs the cluster)";
    log(`fleet: ${why}`);
    const status = () => ({ enabled: false as const, why });
    return { start() {}, stopBeats: async () => {}, leave: async () => {}, leaseLeftMs: () => null, status };
  }
  const ttl = config.fleet_ttl_ms;
  // Every call bounded by a sixth of the TTL (500 ms..5 s; a lease renewal as a whole by the same,
  // src/fleet/_lease_keeper.ts); the start's first connect by 2 s.
  const client = new FleetClient(hazelcastOf(config), Math.min(5_000, Math.max(500, renewalBudgetMsOf(ttl))), 2_000);
  const me = {
    namespace: config.strategy,
    host: hostname(),
    pid: process.pid,
    run: ids.run,
    epoch: ids.epochMs,
    venue: config.venue,
    acquired_at_ms: clock.nowMs(),
  };
  const lease = new AccountLease(client, accountKey(accountIdentity(config, env, clock)), me, ttl);
  const ipShare = ipShareOf(config, env, clock);
  const account = `${config.venue} account ${lease.key.slice(0, 16)}`;
  let state: "held" | "pending" = "held";
  const sentAtMs = Number(clock.monoNs() / 1_000_000n); // monotonic: the fence ignores wall-clock steps
  try {
    const d = await lease.acquire();
    if (d.kind === "held") {
      await client.close();
      throw new LeaseRefused(
        `account lease: ${account} is held by ${holderText(d.holder)}; a second kernel on one account would fight over its positions. Stop that kernel, or if it died wait up to ${ttl / 1000} s for its lease to expire`,
      );
    }
    log(
      d.kind === "takeover"
        ? `account lease: ${account} taken over from ${holderText(d.previous)} (that process is gone)`
        : `account lease: ${account} taken (ttl ${ttl} ms)`,
    );
  } catch (e) {
    if (e instanceof LeaseRefused) throw e;
    state = "pending";
    log(
      `account lease: cluster unreachable at start (${(e as Error).message}); starting without the lease: the first heartbeat that reaches the cluster takes it, and trading halts if another kernel holds it`,
    );
  }
  // The beats (lease renewals only, until start) begin now: the runtime's start may outlast the TTL.
  let rt: Runtime | null = null;
  const agent = new FleetAgent({
    client,
    namespace: config.strategy,
    host: me.host,
    pid: me.pid,
    ttlMs: ttl,
    clock,
    log,
    lease: { lease, state, sentAtMs },
    onLeaseLost: () => {
      if (rt === null) throw new Error("serve is still starting: halted once it runs");
      rt.applyControl({ trading_state: "HALTED" });
    },
    halted: () => rt !== null && rt.b.control.snapshot().trading_state === "HALTED",
  });
  agent.start();
  return {
    start(runtime, httpUrl) {
      rt = runtime;
      agent.enforceLease(); // a lease lost while serve started halts trading before its loops run
      agent.report(() => kernelFields(runtime, httpUrl, ipShare));
    },
    stopBeats: async () => agent.stopBeats(),
    leave: async () => agent.leave(),
    leaseLeftMs: () => agent.leaseLeftMs(),
    status: () => agent.status(),
    list: () => agent.list(),
  };
}

function kernelFields(rt: Runtime, httpUrl: string, ipShare: number | undefined): KernelFields {
  const c = rt.b.config;
  let inUse = 0;
  for (const s of rt.b.kernel.slots()) if (s.stage !== "IDLE" && s.stage !== "CLOSED") inUse++;
  return {
    version: VERSION,
    run: rt.b.run,
    health: health(rt),
    trading_state: rt.b.control.snapshot().trading_state,
    slots_in_use: inUse,
    slot_count: rt.b.kernel.slotCount,
    last_input_ms: rt.metrics.lastInputMs,
    projection_backlog: rt.b.projection.stats().backlog_records,
    started_at_ms: rt.startedAtMs,
    venue: c.venue,
    identity: {
      http_url: httpUrl,
      state_dir: resolve(c.state_dir),
      zinc_prefix: c.zinc === "REAL" || c.control_plane === "REAL_ZINC" ? c.zinc_prefix : null,
      clickhouse_database: c.clickhouse === "REAL" ? c.clickhouse_database : null,
      hazelcast_cluster: c.hazelcast_cluster,
    },
    ...(ipShare === undefined ? {} : { ip_share: ipShare }),
  };
}
