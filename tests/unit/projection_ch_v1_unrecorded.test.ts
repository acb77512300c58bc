/**
 * A v1 process created its tables first and recorded the schema version afterwards: one that died
 * between the two left v1 tables (no `run` column) with no version row. The next start read version
 * 0, skipped the run migration (taken only at exactly 1), recorded version 3, and every insert after
 * that hit the missing column. Version 0 now takes the migration too (it checks each table first).
 */

import { expect, test } from "bun:test";
import type { ClickHouseClient } from "@clickhouse/client";
import { ensureSchema } from "../../src/projection/ch_schema.ts";

test("v1 tables whose version row was never recorded get the run column", async () => {
  const cols = new Map<string, Set<string>>([
    ["trade_events", new Set(["row_id", "strategy"])],
    ["dita_v2_transitions", new Set(["row_id", "strategy"])],
    ["dita_v2_diagnostics", new Set(["row_id", "strategy"])],
  ]);
  const sql: string[] = [];
  const json = (rows: object[]) => ({ json: async () => rows });
  const ch = {
    command: async ({ query }: { query: string }) => {
      sql.push(query);
      const m = /ALTER TABLE \w+\.(\w+) ADD COLUMN (\w+)/.exec(query);
      if (m) cols.get(m[1]!)!.add(m[2]!);
    },
    query: async ({ query }: { query: string }) => {
      sql.push(query);
      if (query.includes("dita_v2_schema")) return json([{ v: 0, n: "0" }]);
      const m = /table = '(\w+)' AND name = '(\w+)'/.exec(query);
      return json([{ n: m && cols.get(m[1]!)?.has(m[2]!) ? 1 : 0 }]);
    },
    insert: async () => {},
  } as unknown as ClickHouseClient;
  await ensureSchema(ch, "dita", 1);
  for (const [, c] of cols) expect(c.has("run")).toBe(true);
});
