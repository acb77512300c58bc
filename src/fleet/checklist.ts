/**
 * The non-impact checklist, made executable: eight assertions over one observation of the desk
 * (observe.ts), the last four compared with a baseline observation taken before an operator touched
 * some namespaces (`changed`: e.g. the one restarted). Each item gets a verdict: PASS, FAIL, or NOT
 * CHECKED (what it needs is missing: ClickHouse off, no baseline) with the reason in its detail.
 *
 *  1. No namespace's ClickHouse rows belong to another (every row id starts with its strategy).
 *  2. No trade id appears under two namespaces (maps and tables).
 *  3. No namespace's Hazelcast maps hold another's rows.
 *  4. No namespace's trade-event topic holds another's messages.
 *  5. Row counts (tables, topic) of the namespaces not changed equal the baseline's; a changed one lost none.
 *  6. Every kernel heartbeats and is healthy; those not changed kept running (same host, pid, run, start).
 *  7. Maps of the namespaces not changed are as in the baseline (same entries, same bytes); a changed
 *     one's were rewritten by its new run (a newer control epoch).
 *  8. Each namespace's runtime identity (ClickHouse database, Zinc prefix, state dir, HTTP endpoint,
 *     account) is as in the baseline, and no two live kernels share one of them.
 *
 * Nothing unread passes: a namespace seen on one side only is compared with nothing on the other (a
 * strategy started since the baseline must be declared changed), a baseline of another cluster
 * fails 5–8, one counted in another ClickHouse database (or without it) fails 5, and a fleet entry
 * that does not parse fails 6 and 8 (its kernel's health, process and identity are unknown).
 *
 * Entry point: `checklist(now, baseline, changed)`; `checklistOk(items)`.
 */

import type { KernelIdentity } from "./entry.ts";
import type { NamespaceObservation, Observation } from "./observe.ts";
import type { FleetKernel } from "./read.ts";

export type Verdict = "PASS" | "FAIL" | "NOT CHECKED";

export interface ChecklistItem {
  n: number;
  assertion: string;
  method: string;
  verdict: Verdict;
  detail: string;
}

type Result = { verdict: Verdict; detail: string };
const pass = (detail: string): Result => ({ verdict: "PASS", detail });
const fail = (problems: string[]): Result => ({ verdict: "FAIL", detail: problems.slice(0, 4).join("; ") });
const judge = (problems: string[], ok: string): Result => (problems.length === 0 ? pass(ok) : fail(problems));
const NO_BASELINE: Result = {
  verdict: "NOT CHECKED",
  detail: "needs --baseline FILE (an observation saved with --save)",
};

export function checklist(now: Observation, base: Observation | null, changed: ReadonlySet<string>): ChecklistItem[] {
  const names = Object.keys(now.namespaces);
  const iso = now.isolation?.rows ?? [];
  const leaks = (kind: string) => iso.filter((r) => r.kind === kind && !r.ok).map((r) => `${r.surface}: ${r.detail}`);
  const seen = `${names.length} namespace(s): ${names.join(", ") || "none"}`;
  const items: Array<[string, string, Result]> = [
    [
      "No namespace's ClickHouse rows belong to another namespace",
      "row_id prefix per strategy, every table, FINAL",
      now.clickhouse_database === null
        ? { verdict: "NOT CHECKED", detail: "ClickHouse is off (DITA_V2_CLICKHOUSE=REAL)" }
        : judge(leaks("table"), `${seen}; tables of ${now.clickhouse_database} clean`),
    ],
    ["No trade id appears under two namespaces", "trade ids of maps and trade_events", judge(leaks("trade_id"), seen)],
    [
      "No namespace's Hazelcast maps hold another's rows",
      "strategy field of every map entry",
      judge(leaks("map"), seen),
    ],
    [
      "No namespace's trade-event topic holds another's messages",
      "retained topic messages",
      judge(leaks("topic"), seen),
    ],
    [
      "Row counts of the untouched namespaces are unchanged",
      "tables and topic vs. baseline",
      rowCounts(now, base, changed),
    ],
    [
      "Untouched kernels kept running; every kernel heartbeats, healthy",
      "fleet entries vs. baseline",
      kernels(now, base, changed),
    ],
    [
      "Maps of the untouched namespaces are unchanged",
      "SHA-256 of every map entry vs. baseline",
      maps(now, base, changed),
    ],
    ["Runtime identity unchanged and never shared", "identity of the fleet entries", identity(now, base)],
  ];
  return items.map(([assertion, method, r], i) => ({ n: i + 1, assertion, method, ...r }));
}

export function checklistOk(items: readonly ChecklistItem[]): boolean {
  return items.every((i) => i.verdict !== "FAIL");
}

/**
 * Every namespace of the baseline or of now, with its observation in each (null: not seen there).
 * A namespace seen on one side only is compared too: one that appeared since the baseline (an
 * empty baseline, one from another desk, a strategy started meanwhile) is not "unchanged".
 */
function pairs(
  now: Observation,
  base: Observation,
): Array<[string, NamespaceObservation | null, NamespaceObservation | null]> {
  const names = [...new Set([...Object.keys(base.namespaces), ...Object.keys(now.namespaces)])].sort();
  return names.map((ns) => [ns, base.namespaces[ns] ?? null, now.namespaces[ns] ?? null]);
}

/** A baseline observed in another cluster describes other kernels and maps: nothing compares. */
function otherCluster(now: Observation, base: Observation): string[] {
  return base.hazelcast_cluster === now.hazelcast_cluster
    ? []
    : [
        `baseline of hazelcast cluster ${JSON.stringify(base.hazelcast_cluster)}, this run ${JSON.stringify(now.hazelcast_cluster)}`,
      ];
}

/** Fleet entries that did not parse: their kernels' health, process and identity are unknown. */
function unreadable(now: Observation, what: string): string[] {
  return now.malformed.map((m) => `unreadable fleet entry ${m}${what}`);
}

function rowCounts(now: Observation, base: Observation | null, changed: ReadonlySet<string>): Result {
  if (base === null) return NO_BASELINE;
  const problems = otherCluster(now, base);
  // Table rows counted in another database (or not at all: ClickHouse off on one side) cannot be
  // compared; only the topic counts are, and the item fails saying why rather than passing on them.
  const sameTables = base.clickhouse_database === now.clickhouse_database;
  if (!sameTables)
    problems.push(
      `ClickHouse database ${base.clickhouse_database ?? "none"} in the baseline, ${now.clickhouse_database ?? "none"} now: table rows not comparable (save and compare with the same DITA_V2_CLICKHOUSE settings)`,
    );
  for (const [ns, b, n] of pairs(now, base)) {
    const counts = (o: NamespaceObservation | null): Record<string, number> => ({
      topic: o?.topic_messages ?? 0,
      ...(sameTables ? (o?.table_rows ?? {}) : {}),
    });
    const [before, after] = [counts(b), counts(n)];
    for (const what of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const [v, a] = [before[what] ?? 0, after[what] ?? 0];
      if (changed.has(ns) ? a < v : a !== v) problems.push(`${ns} ${what}: ${v} → ${a}`);
    }
  }
  return judge(
    problems,
    `${pairs(now, base).length} namespace(s) compared; changed: ${[...changed].join(",") || "none"}`,
  );
}

function kernels(now: Observation, base: Observation | null, changed: ReadonlySet<string>): Result {
  const problems = [...(base === null ? [] : otherCluster(now, base)), ...unreadable(now, "")];
  const live = Object.values(now.namespaces).flatMap((o) => (o.kernel === null ? [] : [o.kernel]));
  for (const k of live) if (k.state !== "ok") problems.push(`${k.namespace} ${k.state}: ${k.why}`);
  if (base === null) return judge(problems, `${live.length} kernel(s) ok; pids not compared (no --baseline)`);
  for (const [ns, b, n] of pairs(now, base)) {
    const was = b?.kernel ?? null;
    const is = n?.kernel ?? null;
    if (changed.has(ns)) {
      if (was !== null && is === null) problems.push(`${ns}: changed kernel not back`);
    } else if (was === null ? is !== null : is === null || !sameProcess(was, is)) {
      problems.push(`${ns}: ${b === null ? "not in the baseline" : show(was)} → ${show(is)}`);
    }
  }
  return judge(problems, `${live.length} kernel(s) ok; untouched ones the same processes`);
}

function sameProcess(a: FleetKernel, b: FleetKernel): boolean {
  return a.host === b.host && a.pid === b.pid && a.run === b.run && a.started_at_ms === b.started_at_ms;
}

function show(k: FleetKernel | null): string {
  return k === null ? "no kernel" : `${k.host} pid ${k.pid} run ${k.run}`;
}

function maps(now: Observation, base: Observation | null, changed: ReadonlySet<string>): Result {
  if (base === null) return NO_BASELINE;
  const problems = otherCluster(now, base);
  for (const [ns, b, n] of pairs(now, base)) {
    if (n === null) problems.push(`${ns}: maps gone`);
    else if (changed.has(ns)) {
      if (b !== null && b.kernel !== null && !((n.maps.control_epoch ?? -1) > (b.maps.control_epoch ?? -1)))
        problems.push(`${ns}: control row not rewritten by a new run (epoch ${n.maps.control_epoch})`);
    } else if (b === null) problems.push(`${ns}: not in the baseline, ${n.maps.entries} entries now`);
    else if (n.maps.digest !== b.maps.digest)
      problems.push(`${ns}: ${b.maps.entries} → ${n.maps.entries} entries, content differs`);
  }
  return judge(problems, `${pairs(now, base).length} namespace(s) compared`);
}

const IDENTITY_KEYS: ReadonlyArray<keyof KernelIdentity> = [
  "http_url",
  "state_dir",
  "zinc_prefix",
  "clickhouse_database",
];

function identity(now: Observation, base: Observation | null): Result {
  const problems = [
    ...(base === null ? [] : otherCluster(now, base)),
    ...unreadable(now, ": its identity not checked"),
  ];
  const live = Object.values(now.namespaces).flatMap((o) => (o.kernel === null ? [] : [o.kernel]));
  const owner = new Map<string, string>();
  const claim = (what: string, ns: string) => {
    const other = owner.get(what);
    if (other !== undefined && other !== ns) problems.push(`${other} and ${ns} share ${what}`);
    owner.set(what, ns);
  };
  for (const k of live) {
    if (k.account !== null) claim(`account ${k.account}`, k.namespace);
    claim(`http ${k.identity.http_url} on ${k.host}`, k.namespace);
    claim(`state dir ${k.identity.state_dir} on ${k.host}`, k.namespace);
    if (k.identity.zinc_prefix !== null) claim(`zinc prefix ${k.identity.zinc_prefix} on ${k.host}`, k.namespace);
  }
  if (base !== null)
    for (const [ns, b, n] of pairs(now, base)) {
      const was = b?.kernel ?? null;
      const is = n?.kernel ?? null;
      if (was === null || is === null) continue;
      for (const key of IDENTITY_KEYS)
        if (was.identity[key] !== is.identity[key])
          problems.push(`${ns} ${key}: ${String(was.identity[key])} → ${String(is.identity[key])}`);
      if (was.account !== is.account || was.host !== is.host) problems.push(`${ns}: account or host changed`);
    }
  const compared = base === null ? "not compared with a baseline (no --baseline)" : "as in the baseline";
  return judge(problems, `${live.length} kernel(s), nothing shared; ${compared}`);
}
