/**
 * `dita-v2 verify-isolation --strategy pink --others blue`: read the live Hazelcast maps and
 * ClickHouse tables and report, as a table, whether any key or row of one namespace appears in
 * another's. Exit 0 when isolated, 1 on a leak, 2 for bad arguments (a namespace that is no
 * namespace, `--others` naming none, the strategy or one twice, a `DITA_V2_*` variable that cannot be
 * read) or a store that cannot be read:
 * never 1, which a script reads as a leak.
 */

import { defineCommand } from "citty";
import { hazelcastOf } from "../launcher/config.ts";
import { DEFAULT_STRATEGY, verifyIsolation } from "../projection/index.ts";
import { STRATEGY_RE } from "../projection/names.ts";
import { cliConfig } from "./_client.ts";
import { CliFailure, oneLine } from "./_fail.ts";

/** The namespaces to compare with, or a refusal naming the option (exit 2). */
export function otherNamespaces(strategy: string, raw: string): string[] {
  if (!STRATEGY_RE.test(strategy))
    throw new CliFailure(`--strategy must match ${STRATEGY_RE.source}, got '${strategy.slice(0, 40)}'`, 2);
  const others = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (others.length === 0)
    throw new CliFailure("--others names no namespace: give the others to compare with, e.g. blue", 2);
  const bad = others.find((ns) => !STRATEGY_RE.test(ns));
  if (bad !== undefined)
    throw new CliFailure(`--others: each namespace must match ${STRATEGY_RE.source}, got '${bad.slice(0, 40)}'`, 2);
  if (new Set([strategy, ...others]).size !== others.length + 1)
    throw new CliFailure(
      `--others must not name --strategy '${strategy}' or a namespace twice, got '${raw.slice(0, 80)}'`,
      2,
    );
  return others;
}

export const verifyIsolationCommand = defineCommand({
  meta: {
    name: "verify-isolation",
    description: "Check that one strategy namespace wrote nothing into another's maps or tables",
  },
  args: {
    strategy: { type: "string", default: DEFAULT_STRATEGY, description: "namespace to check" },
    others: { type: "string", required: true, description: "comma-separated other namespaces, e.g. blue" },
  },
  async run({ args }) {
    const others = otherNamespaces(args.strategy, args.others);
    const c = cliConfig();
    if (c.hazelcast === "OFF" && c.clickhouse === "OFF") {
      throw new CliFailure(
        "nothing to verify: set DITA_V2_HAZELCAST=REAL and/or DITA_V2_CLICKHOUSE=REAL with their addresses",
        2,
      );
    }
    const report = await verifyIsolation({
      strategy: args.strategy,
      others,
      hazelcast: c.hazelcast === "REAL" ? hazelcastOf(c) : null,
      clickhouse: c.clickhouse === "REAL" ? { url: c.clickhouse_url, database: c.clickhouse_database } : null,
    }).catch((e) => {
      throw new CliFailure(`cannot verify isolation: ${oneLine(e)}`, 2);
    });
    const header = ["namespace", "surface", "kind", "entries", "foreign", "ok", "detail"];
    const rows = report.rows.map((r) => [
      r.namespace,
      r.surface,
      r.kind,
      String(r.entries),
      String(r.foreign),
      r.ok ? "ok" : "LEAK",
      r.detail,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const line of [header, ...rows]) console.log(line.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
    console.log(report.ok ? "isolation: ok" : "isolation: LEAK");
    process.exitCode = report.ok ? 0 : 1;
  },
});
