/**
 * Reading the fleet: every entry of `DITA_V2_FLEET` (expired entries are gone: the cluster drops
 * them at their TTL), parsed into typed entries with the reader's verdict (ok, stale, unhealthy),
 * sorted by namespace. An entry that does not parse is listed by key with what is wrong, never
 * dropped silently. The listing and an agent's status are pinned equal to their published schemas
 * (src/contracts/fleet_schema.ts) at compile time. Verdicts are judged when the cluster's answer
 * arrived, not when the read was asked: a read slowed by a busy cluster (a second or more) would
 * otherwise judge entries by an earlier time and list as ok a kernel that had already missed its
 * heartbeats.
 *
 * Entry points: `readFleet(client, clockMs)` (the clock is read once the entries arrived),
 * `withFleetClient(cfg, fn)`.
 */

import type { Static } from "@sinclair/typebox";
import type { HazelcastJsonValue } from "hazelcast-client";
import type { FleetListingSchema, FleetStatusPartSchema, Same } from "../contracts/index.ts";
import type { HazelcastConfig, HzClient } from "../projection/index.ts";
import type { FleetStatus } from "./agent.ts";
import { FleetClient } from "./client.ts";
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
  const entries = await m.entrySet();
  const nowMs = clockMs();
  const kernels: FleetKernel[] = [];
  const malformed: string[] = [];
  for (const [key, value] of entries) {
    const p = parseFleetEntry(String(key), value);
    if (p.ok) kernels.push({ ...p.entry, ...kernelVerdict(p.entry, nowMs) });
    else malformed.push(p.error);
  }
  kernels.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  return { now_ms: nowMs, kernels, malformed };
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
