/**
 * verifyIsolation: proves that one strategy namespace writes nothing into another's surfaces
 * (docs/architecture.md §10). For each namespace it reads the live Hazelcast maps and topic and the ClickHouse
 * tables and reports, one row per surface, entries whose `strategy` (maps, topic) or `row_id` prefix
 * (tables) belongs elsewhere; a final check reports trade ids that appear under two namespaces.
 * `ok` is false on any leak. The CLI (`dita-v2 verify-isolation`) prints the rows and exits non-zero.
 */

import { probeClickHouse } from "./_iso_ch.ts";
import { type IsolationRow, probeHazelcast, row } from "./_iso_hz.ts";
import type { HazelcastConfig } from "./hz_client.ts";
import { checkStrategy } from "./names.ts";

export type { IsolationRow };
export interface IsolationReport {
  ok: boolean;
  rows: IsolationRow[];
}

export async function verifyIsolation(opts: {
  strategy: string;
  others: string[];
  hazelcast: HazelcastConfig | null;
  clickhouse: { url: string; database: string } | null;
}): Promise<IsolationReport> {
  const namespaces = [opts.strategy, ...opts.others].map(checkStrategy);
  if (new Set(namespaces).size !== namespaces.length)
    throw new Error(`Condition failed: namespaces must be distinct, got ${namespaces.join(",")}`);
  const rows: IsolationRow[] = [];
  const owners = new Map<string, Set<string>>(); // trade id -> namespaces holding it
  const collect = (ids: Map<string, Set<string>>) => {
    for (const [ns, set] of ids) for (const id of set) owners.set(id, (owners.get(id) ?? new Set()).add(ns));
  };
  if (opts.hazelcast) {
    const hz = await probeHazelcast(opts.hazelcast, namespaces);
    rows.push(...hz.rows);
    collect(hz.tradeIds);
  }
  if (opts.clickhouse) {
    const ch = await probeClickHouse(opts.clickhouse, namespaces);
    rows.push(...ch.rows);
    collect(ch.tradeIds);
  }
  const shared = [...owners].filter(([, ns]) => ns.size > 1).map(([id, ns]) => `${id} in ${[...ns].join("+")}`);
  rows.push(row(namespaces.join(","), "trade ids", "trade_id", owners.size, shared));
  return { ok: rows.every((r) => r.ok), rows };
}
