/**
 * Reading the fleet: every entry of `DITA_V2_FLEET` (expired entries are gone: the cluster drops
 * them at their TTL), parsed into typed entries with the reader's verdict (ok, stale, unhealthy),
 * sorted by namespace. An entry that does not parse is listed by key with what is wrong, never
 * dropped silently; so is a value this client cannot even deserialize (another tool's type written
 * into the map), which would otherwise fail the whole read: the entries are then read one by one.
 * The listing and an agent's status are pinned equal to their published schemas
 * (src/contracts/fleet_schema.ts) at compile time. Verdicts are judged when the cluster's answer
 * arrived, not when the read was asked: a read slowed by a busy cluster (a second or more) would
 * otherwise judge entries by an earlier time and list as ok a kernel that had already missed its
 * heartbeats.
 *
 * Entry points: `readFleet(client, clockMs)` (the clock is read once the entries arrived),
 * `withFleetClient(cfg, fn)`, `ipShareFindings(kernels)` (hosts whose BingX kernels under-declare
 * DITA_V2_BINGX_IP_SHARE).
 */

import type { Static } from "@sinclair/typebox";
import type { HazelcastJsonValue } from "hazelcast-client";
import type { FleetListingSchema, FleetStatusPartSchema, Same } from "../contracts/index.ts";
import type { HazelcastConfig, HzClient } from "../projection/index.ts";
import type { FleetStatus } from "./agent.ts";
import { FleetClient, type RawMap } from "./client.ts";
import { FLEET_MAP, type FleetEntry, type KernelVerdict, kernelVerdict, parseFleetEntry } from "./entry.ts";

export type FleetKernel = FleetEntry & KernelVerdict;

export interface FleetListing {
  now_ms: number;
  kernels: FleetKernel[];
  /** Entries that did not parse, one line each. */
  malformed: string[];
}

// What serve answers (GET /fleet, the status document's `fleet`) is what GET /openapi.json publishes.
export const _sameWire: [
  Same<FleetListing, Static<typeof FleetListingSchema>>,
  Same<FleetStatus | { enabled: false; why: string }, Static<typeof FleetStatusPartSchema>>,
] = [true, true];

export async function readFleet(client: HzClient, clockMs: () => number): Promise<FleetListing> {
  const m = await client.getMap<string, HazelcastJsonValue>(FLEET_MAP);
  const malformed: string[] = [];
  const entries = await m.entrySet().catch(async (e: unknown) => {
    if (!(await unreadable(e))) throw e;
    return oneByOne(m, e, malformed);
  });
  const nowMs = clockMs();
  const kernels: FleetKernel[] = [];
  for (const [key, value] of entries) {
    const p = parseFleetEntry(String(key), value);
    if (p.ok) kernels.push({ ...p.entry, ...kernelVerdict(p.entry, nowMs) });
    else malformed.push(p.error);
  }
  kernels.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  return { now_ms: nowMs, kernels, malformed };
}

/**
 * The entries read one at a time, after one value failed the whole entrySet: the client
 * deserializes every value of an entrySet, and a value of a type it has no deserializer for
 * (another tool's, written into this map) throws there. Each value that cannot be read is one
 * malformed entry named by its key; an entry gone since the key was listed (expired) is skipped.
 * The cluster failing a call still fails the read (with the first error when the keys cannot be
 * listed at all).
 */
async function oneByOne(m: RawMap, first: unknown, malformed: string[]): Promise<[string, unknown][]> {
  let keys: string[];
  try {
    keys = await m.keySet();
  } catch {
    throw first;
  }
  const read = await Promise.all(
    keys.map(async (key): Promise<[string, unknown] | null> => {
      try {
        const v = await m.get(key);
        return v === null || v === undefined ? null : [key, v];
      } catch (e) {
        if (!(await unreadable(e))) throw e;
        const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
        malformed.push(`${FLEET_MAP}[${String(key)}]: a value this client cannot read (${why})`);
        return null;
      }
    }),
  );
  return read.filter((r) => r !== null);
}

/**
 * A stored value this client cannot deserialize (RangeError: no deserializer for its type, a
 * serialization error), as opposed to the cluster failing the call (every other Hazelcast error).
 */
async function unreadable(e: unknown): Promise<boolean> {
  const { HazelcastError, HazelcastSerializationError } = await import("hazelcast-client");
  return !(e instanceof HazelcastError) || e instanceof HazelcastSerializationError;
}

/** What `ipShareFindings` reads of a kernel: an entry without `ip_share` (older, or MOCK) reads as 1. */
export type IpShareOf = Pick<FleetEntry, "namespace" | "host" | "venue" | "ip_share">;

/**
 * One line per host running more BingX kernels than the smallest DITA_V2_BINGX_IP_SHARE declared on
 * it: BingX limits requests per IP, and a kernel whose share is below the number of BingX kernels on
 * its host budgets for fewer clients than send from that IP, so together they can pass BingX's
 * per-IP limits (the IP is then restricted for ~5 minutes: no kernel there can place a stop loss).
 * Hosts by name; names sorted.
 */
export function ipShareFindings(kernels: readonly IpShareOf[]): string[] {
  const byHost = new Map<string, IpShareOf[]>();
  for (const k of kernels) if (k.venue === "BINGX") byHost.set(k.host, [...(byHost.get(k.host) ?? []), k]);
  const lines: string[] = [];
  for (const [host, ks] of [...byHost].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const low = ks.filter((k) => (k.ip_share ?? 1) < ks.length);
    if (low.length === 0) continue;
    const shares = [...new Set(low.map((k) => k.ip_share ?? 1))].sort((a, b) => a - b);
    const on = shares.map((n, i) => {
      const names = low.filter((k) => (k.ip_share ?? 1) === n).map((k) => k.namespace);
      return `${i === 0 ? "DITA_V2_BINGX_IP_SHARE" : ""}=${n} on ${names.sort().join(", ")}`;
    });
    const as = shares.length === 1 && shares[0] === 1 ? "alone" : "fewer clients shared its IP";
    lines.push(
      `host ${host}: ${ks.length} BingX kernels share its IP but ${on.join("; ")}: each budgets BingX's per-IP limits as if ${as}`,
    );
  }
  return lines;
}

/** Runs `fn` with a fresh raw client to the cluster of `cfg` and shuts it down afterwards. */
export async function withFleetClient<T>(
  cfg: HazelcastConfig,
  timeoutMs: number,
  fn: (client: HzClient) => Promise<T>,
): Promise<T> {
  const holder = new FleetClient(cfg, timeoutMs);
  try {
    return await fn(await holder.ensure());
  } finally {
    await holder.close();
  }
}
