/**
 * The fleet entry: what one kernel says about itself in map `DITA_V2_FLEET` (key = its namespace),
 * parsed back into a typed value whenever it is read, and the verdict a reader draws from it.
 *
 * Timing: a kernel sets its entry every `heartbeat_ms` (a third of `ttl_ms`) with a time to live of
 * `ttl_ms`, so a kernel that dies disappears by itself within `ttl_ms`. A reader calls an entry
 * **stale** once its heartbeat is older than two intervals (one heartbeat missed, the entry not yet
 * expired), and **unhealthy** when the kernel says so (`health.ok` false) or lost its account lease.
 * Ages compare the writer's clock with the reader's: hosts keep their clocks in sync (NTP), as the
 * projection's epochs already assume; a heartbeat more than one interval in the future breaks that
 * assumption and is stale too (its age cannot be judged). A stored entry must match `FleetEntrySchema`
 * (src/contracts/fleet_schema.ts, what `GET /openapi.json` publishes) to be read.
 *
 * Entry points: `parseFleetEntry(key, raw)`, `kernelVerdict(entry, nowMs)`, `FLEET_MAP`, `heartbeatMsOf`,
 * `renewalBudgetMsOf`.
 */

import { Value } from "@sinclair/typebox/value";
import { FleetEntrySchema } from "../contracts/index.ts";
import { STRATEGY_RE } from "../projection/index.ts";

export const FLEET_MAP = "DITA_V2_FLEET";
export const LEASE_MAP = "DITA_V2_ACCOUNT_LEASES";

/** The heartbeat interval for a time to live: a third of it (two beats may be lost before expiry). */
export function heartbeatMsOf(ttlMs: number): number {
  return Math.floor(ttlMs / 3);
}

/**
 * The bound on one lease renewal, and the margin of the kernel's local fence: a sixth of the time to
 * live (a renewal answers well before the lease could expire; two may fail before the kernel halts).
 */
export function renewalBudgetMsOf(ttlMs: number): number {
  return Math.floor(ttlMs / 6);
}

export type LeaseState = "held" | "pending" | "lost" | "off";
const LEASE_STATES: readonly LeaseState[] = ["held", "pending", "lost", "off"];

/** Where a kernel lives and what it owns: two namespaces must never share these (checklist item 8). */
export interface KernelIdentity {
  http_url: string;
  state_dir: string;
  zinc_prefix: string | null;
  clickhouse_database: string | null;
  hazelcast_cluster: string;
}

export interface FleetEntry {
  namespace: string;
  host: string;
  pid: number;
  version: string;
  run: string;
  health: { ok: boolean; reasons: string[] };
  trading_state: string;
  slots_in_use: number;
  slot_count: number;
  /** The last kernel input other than the once-a-second TICK (null: none yet). */
  last_input_ms: number | null;
  projection_backlog: number;
  started_at_ms: number;
  heartbeat_at_ms: number;
  heartbeat_ms: number;
  ttl_ms: number;
  venue: string;
  /** The first 16 hex digits of the account lease key (a hash; never the API key), null without a lease. */
  account: string | null;
  lease: LeaseState;
  identity: KernelIdentity;
  /**
   * BINGX kernels: DITA_V2_BINGX_IP_SHARE, how many BingX clients the kernel budgets BingX's per-IP
   * limits for (1..64). Absent for MOCK and in entries written before it existed: read as 1.
   */
  ip_share?: number;
}

export type KernelState = "ok" | "stale" | "unhealthy";

export interface KernelVerdict {
  state: KernelState;
  /** ms since the kernel's last heartbeat, by the reader's clock. */
  age_ms: number;
  why: string;
}

export function kernelVerdict(e: FleetEntry, nowMs: number): KernelVerdict {
  const age = nowMs - e.heartbeat_at_ms;
  if (age > 2 * e.heartbeat_ms)
    return { state: "stale", age_ms: age, why: `no heartbeat for ${age} ms (every ${e.heartbeat_ms} ms expected)` };
  // A heartbeat stamped more than an interval ahead of this clock: the writer's clock runs ahead, so
  // its age is unknown, and a kernel that stopped beating would look fresh until its entry expired.
  if (-age > e.heartbeat_ms)
    return {
      state: "stale",
      age_ms: age,
      why: `heartbeat ${-age} ms in the future: this host's clock and the kernel's disagree (NTP), its age is unknown`,
    };
  if (e.lease === "lost") return { state: "unhealthy", age_ms: age, why: "account lease lost to another kernel" };
  if (!e.health.ok) return { state: "unhealthy", age_ms: age, why: e.health.reasons.join("; ") };
  return { state: "ok", age_ms: age, why: "" };
}

type Parsed = { ok: true; entry: FleetEntry } | { ok: false; error: string };

/** One stored value → a FleetEntry, or one line saying what is wrong with it (never throws). */
export function parseFleetEntry(key: string, raw: unknown): Parsed {
  let v: unknown = raw;
  // A raw read gives a HazelcastJsonValue (its text is the stored JSON), a default read a plain object.
  if (typeof raw === "string" || (typeof raw === "object" && raw !== null && !Array.isArray(raw) && !isPlain(raw))) {
    try {
      v = JSON.parse(String(raw));
    } catch {
      return { ok: false, error: `${FLEET_MAP}[${key}]: not JSON` };
    }
  }
  const bad = (why: string): Parsed => ({ ok: false, error: `${FLEET_MAP}[${key}]: ${why}` });
  if (typeof v !== "object" || v === null || Array.isArray(v)) return bad("not a JSON object");
  const o = v as Record<string, unknown>;
  if (o.namespace !== key || !STRATEGY_RE.test(key)) return bad(`namespace ${JSON.stringify(o.namespace)}`);
  for (const f of ["host", "version", "run", "trading_state", "venue"] as const)
    if (typeof o[f] !== "string") return bad(`${f} is not a string`);
  for (const f of FLEET_INTS)
    if (!Number.isSafeInteger(o[f]) || (o[f] as number) < 0) return bad(`${f} is not a non-negative integer`);
  if (o.last_input_ms !== null && !Number.isSafeInteger(o.last_input_ms)) return bad("last_input_ms");
  if (o.account !== null && typeof o.account !== "string") return bad("account");
  if (!LEASE_STATES.includes(o.lease as LeaseState)) return bad(`lease ${JSON.stringify(o.lease)}`);
  const h = o.health as { ok?: unknown; reasons?: unknown } | null;
  if (typeof h?.ok !== "boolean" || !Array.isArray(h.reasons)) return bad("health");
  const id = o.identity as Record<string, unknown> | null;
  if (typeof id?.http_url !== "string" || typeof id.state_dir !== "string") return bad("identity");
  // The rest (and no field beyond the published ones) by the schema GET /fleet is documented with.
  const first = Value.Errors(FleetEntrySchema, o).First();
  if (first !== undefined) return bad(`${first.path.slice(1).replaceAll("/", ".") || "entry"}: ${first.message}`);
  return { ok: true, entry: o as unknown as FleetEntry };
}

const FLEET_INTS = [
  "pid",
  "slots_in_use",
  "slot_count",
  "projection_backlog",
  "started_at_ms",
  "heartbeat_at_ms",
  "heartbeat_ms",
  "ttl_ms",
] as const;

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
