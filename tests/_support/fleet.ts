/** Hand-built fleet kernels and namespace observations for the isolation checklist's tests. */

import type { FleetKernel, NamespaceObservation } from "../../src/fleet/index.ts";

/** A healthy kernel of namespace `ns` on host h1 with `pid`, every identity field its own. */
export function fleetKernel(ns: string, pid: number, over: Partial<FleetKernel> = {}): FleetKernel {
  return {
    namespace: ns,
    host: "h1",
    pid,
    version: "0.1.0",
    run: `run${pid}`.padEnd(16, "0"),
    health: { ok: true, reasons: [] },
    trading_state: "ACTIVE",
    slots_in_use: 0,
    slot_count: 8,
    last_input_ms: null,
    projection_backlog: 0,
    started_at_ms: pid,
    heartbeat_at_ms: 1_000,
    heartbeat_ms: 1_000,
    ttl_ms: 3_000,
    venue: "BINGX",
    account: `acct-${ns}`,
    lease: "held",
    identity: {
      http_url: `http://127.0.0.1:7${ns.length}${ns.charCodeAt(0)}`,
      state_dir: `/srv/${ns}`,
      zinc_prefix: `dita_v2_${ns}`,
      clickhouse_database: "dita",
      hazelcast_cluster: "dita",
    },
    state: "ok",
    age_ms: 100,
    why: "",
    ...over,
  };
}

/** One namespace's observation: its kernel, maps (4 entries, `digest`), and `rows` trade events. */
export function namespaceObservation(
  k: FleetKernel | null,
  digest: string,
  rows: number,
  epoch = 1,
): NamespaceObservation {
  return {
    kernel: k,
    maps: { entries: 4, digest, control_epoch: epoch },
    topic_messages: rows,
    table_rows: { "dita.trade_events": rows, "dita.dita_v2_diagnostics": 2 },
  };
}
