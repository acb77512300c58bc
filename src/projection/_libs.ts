/**
 * The server client libraries, loaded on first use. Importing hazelcast-client costs about
 * 100 ms and @clickhouse/client about 20 ms at process start; the embedded default (local spool
 * only) and short commands like `once` must not pay for clients they never connect.
 * hazelcast-client is loaded with its cluster-view listener guarded (`_hz_view_guard.ts`) before
 * any client exists.
 */
import { guardClusterViewListener } from "./_hz_view_guard.ts";

type HazelcastLib = typeof import("hazelcast-client");
type ClickHouseLib = typeof import("@clickhouse/client");

let hazelcast: HazelcastLib | null = null;
let clickhouse: ClickHouseLib | null = null;

export async function hazelcastLib(): Promise<HazelcastLib> {
  if (hazelcast !== null) return hazelcast;
  const [lib, view] = await Promise.all([
    import("hazelcast-client"),
    import("hazelcast-client/lib/listener/ClusterViewListenerService.js"),
  ]);
  guardClusterViewListener((view as Record<string, unknown>).ClusterViewListenerService);
  hazelcast = lib;
  return hazelcast;
}

/** The Hazelcast library once a client exists (it was loaded to create that client). */
export function loadedHazelcastLib(): HazelcastLib {
  if (hazelcast === null) throw new Error("Invariant: hazelcast-client used before any client connected");
  return hazelcast;
}

export async function clickhouseLib(): Promise<ClickHouseLib> {
  clickhouse ??= await import("@clickhouse/client");
  return clickhouse;
}
