/**
 * `dita-v2 verify-isolation --strategy pink --others blue`: read the live Hazelcast maps and
 * ClickHouse tables and report, as a table, whether any key or row of one namespace appears in
 * another's. Exit 0 when isolated, 1 on a leak.
 */

import { defineCommand } from "citty";
import { hazelcastOf, loadConfig } from "../launcher/config.ts";
import { DEFAULT_STRATEGY, verifyIsolation } from "../projection/index.ts";
import { CliFailure } from "./_fail.ts";

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
    const c = loadConfig(process.env);
    if (c.hazelcast === "OFF" && c.clickhouse === "OFF") {
      throw new CliFailure(
        "nothing to verify: set DITA_V2_HAZELCAST=REAL and/or DITA_V2_CLICKHOUSE=REAL with their addresses",
        2,
      );
    }
    const report = await verifyIsolation({
      strategy: args.strategy,
      others: args.others
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      hazelcast: c.hazelcast === "REAL" ? hazelcastOf(c) : null,
      clickhouse: c.clickhouse === "REAL" ? { url: c.clickhouse_url, database: c.clickhouse_database } : null,
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
