/**
 * One observation of the desk for the isolation checklist: every namespace seen (a kernel in the
 * fleet, a namespace's maps in the cluster, its rows in ClickHouse), the isolation report over all of
 * them (src/projection `verifyIsolation`), and per namespace what a later observation is compared
 * with: its kernel's fleet entry, its maps (entries, a SHA-256 of every key and stored value, the
 * control row's epoch), its trade-event topic's message count and its rows per ClickHouse table.
 * An observation is plain JSON: `dita-v2 fleet --verify-isolation --save FILE` keeps it as the
 * baseline of a later `--baseline FILE`.
 *
 * Entry points: `observeDesk({ hazelcast, clickhouse, clockMs })`, `parseObservation(text)`.
 */

import { createHash } from "node:crypto";
import { type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { HazelcastJsonValue } from "hazelcast-client";
import {
  type HazelcastConfig,
  type HzClient,
  type IsolationReport,
  namespaceNames,
  STRATEGY_RE,
  verifyIsolation,
} from "../projection/index.ts";
import { parseFleetEntry } from "./entry.ts";
import { type FleetKernel, readFleet, withFleetClient } from "./read.ts";

export const OBSERVATION_VERSION = 1;

export interface NamespaceObservation {
  kernel: FleetKernel | null;
  maps: { entries: number; digest: string; control_epoch: number | null };
  topic_messages: number;
  /** Rows per ClickHouse table (FINAL), empty when ClickHouse is off. */
  table_rows: Record<string, number>;
}

export interface Observation {
  observation: typeof OBSERVATION_VERSION;
  at_ms: number;
  hazelcast_cluster: string;
  clickhouse_database: string | null;
  namespaces: Record<string, NamespaceObservation>;
  isolation: IsolationReport | null;
  /** Fleet entries that did not parse. */
  malformed: string[];
}

const OBJECT_RE = /^(?:DOLPHIN_STATE|DOLPHIN_PNL|DITA_V2_ACTIVE_SLOTS|DITA_V2_CONTROL)_([A-Z][A-Z0-9_]{0,31})$/;

export async function observeDesk(opts: {
  hazelcast: HazelcastConfig;
  clickhouse: { url: string; database: string } | null;
  clockMs: () => number;
}): Promise<Observation> {
  const atMs = opts.clockMs();
  const hz = await withFleetClient(opts.hazelcast, 5_000, async (c) => {
    const fleet = await readFleet(c, opts.clockMs);
    const seen = new Set(fleet.kernels.map((k) => k.namespace));
    for (const o of await c.getDistributedObjects()) {
      const m = OBJECT_RE.exec(o.getName());
      if (m && STRATEGY_RE.test(m[1]!.toLowerCase())) seen.add(m[1]!.toLowerCase());
    }
    const namespaces: Record<string, NamespaceObservation> = {};
    for (const ns of [...seen].sort()) {
      namespaces[ns] = {
        kernel: fleet.kernels.find((k) => k.namespace === ns) ?? null,
        maps: await mapsOf(c, ns),
        topic_messages: await topicCount(c, ns),
        table_rows: {},
      };
    }
    return { namespaces, malformed: fleet.malformed };
  });
  const names = Object.keys(hz.namespaces);
  const isolation =
    names.length === 0
      ? null
      : await verifyIsolation({
          strategy: names[0]!,
          others: names.slice(1),
          hazelcast: opts.hazelcast,
          clickhouse: opts.clickhouse,
        });
  for (const r of isolation?.rows ?? [])
    if (r.kind === "table" && hz.namespaces[r.namespace] !== undefined)
      hz.namespaces[r.namespace]!.table_rows[r.surface] = r.entries;
  return {
    observation: OBSERVATION_VERSION,
    at_ms: atMs,
    hazelcast_cluster: opts.hazelcast.cluster,
    clickhouse_database: opts.clickhouse?.database ?? null,
    namespaces: hz.namespaces,
    isolation,
    malformed: hz.malformed,
  };
}

/** Every entry of the namespace's four maps, hashed in a fixed order (map, then key). */
async function mapsOf(c: HzClient, ns: string): Promise<NamespaceObservation["maps"]> {
  const n = namespaceNames(ns);
  const h = createHash("sha256");
  let entries = 0;
  let controlEpoch: number | null = null;
  for (const map of [n.state, n.pnl, n.active, n.control]) {
    const m = await c.getMap<string, HazelcastJsonValue>(map);
    const rows = (await m.entrySet()).map(([k, v]) => [String(k), String(v)] as const).sort((a, b) => cmp(a[0], b[0]));
    for (const [k, v] of rows) h.update(`${map}\u0000${k}\u0000${v}\u0000`);
    entries += rows.length;
    const control = map === n.control ? rows.find(([k]) => k === "control") : undefined;
    if (control !== undefined) controlEpoch = epochOf(control[1]);
  }
  return { entries, digest: h.digest("hex"), control_epoch: controlEpoch };
}

/** Messages ever published to the namespace's reliable topic (its ringbuffer's tail + 1). */
async function topicCount(c: HzClient, ns: string): Promise<number> {
  const rb = await c.getRingbuffer(`_hz_rb_${namespaceNames(ns).topic}`);
  return (await rb.tailSequence()).toNumber() + 1;
}

function epochOf(json: string): number | null {
  try {
    const e = (JSON.parse(json) as { epoch?: unknown }).epoch;
    return typeof e === "number" ? e : null;
  } catch {
    return null;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const Count = Type.Integer({ minimum: 0 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * What a saved observation must hold for the checklist to compare with it: a baseline missing a
 * namespace's table rows, its map entries or the cluster it was taken in would otherwise pass items
 * 5–8 by comparing nothing. Kernels are checked on their own (`parseFleetEntry`, the verdict).
 */
const ObservationFileSchema = Type.Object({
  observation: Type.Literal(OBSERVATION_VERSION),
  at_ms: Count,
  hazelcast_cluster: Type.String(),
  clickhouse_database: Nullable(Type.String()),
  namespaces: Type.Record(
    Type.String(),
    Type.Object({
      kernel: Nullable(Type.Object({})),
      maps: Type.Object({
        entries: Count,
        digest: Type.String({ minLength: 1 }),
        control_epoch: Nullable(Type.Number()),
      }),
      topic_messages: Count,
      table_rows: Type.Record(Type.String(), Count),
    }),
  ),
  isolation: Nullable(Type.Object({ ok: Type.Boolean(), rows: Type.Array(Type.Object({})) })),
  malformed: Type.Array(Type.String()),
});

/** A saved observation (a baseline file) back into a typed value, or one line saying what is wrong. */
export function parseObservation(text: string): { ok: true; value: Observation } | { ok: false; error: string } {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, error: "not JSON" };
  }
  if (o?.observation !== OBSERVATION_VERSION)
    return { ok: false, error: `not a fleet observation of version ${OBSERVATION_VERSION}` };
  const first = Value.Errors(ObservationFileSchema, o).First();
  if (first !== undefined) return { ok: false, error: `${first.path.slice(1).replaceAll("/", ".")}: ${first.message}` };
  for (const [name, v] of Object.entries(o.namespaces as Record<string, Record<string, unknown>>)) {
    if (!STRATEGY_RE.test(name)) return { ok: false, error: `namespace ${JSON.stringify(name)} is malformed` };
    if (v.kernel !== null) {
      const { state, age_ms, why, ...entry } = v.kernel as Record<string, unknown>;
      const p = parseFleetEntry(name, entry);
      if (!p.ok) return { ok: false, error: p.error };
      if (
        !["ok", "stale", "unhealthy"].includes(state as string) ||
        !Number.isSafeInteger(age_ms) ||
        typeof why !== "string"
      )
        return { ok: false, error: `namespace ${name}: kernel verdict is malformed` };
    }
  }
  return { ok: true, value: o as unknown as Observation };
}
