/**
 * Isolation probe for ClickHouse: per table and namespace, counts rows (FINAL) and rows whose
 * `row_id` does not start with `<strategy>:` (a row written on behalf of another namespace), and
 * returns the trade ids each namespace owns in trade_events. Literals only (18.16 has no query_params).
 */

import { type IsolationRow, row } from "./_iso_hz.ts";
import { clickhouseLib } from "./_libs.ts";
import { checkIdent } from "./ch_schema.ts";
import { TABLES } from "./names.ts";

const lit = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

export async function probeClickHouse(
  cfg: { url: string; database: string },
  namespaces: readonly string[],
): Promise<{ rows: IsolationRow[]; tradeIds: Map<string, Set<string>> }> {
  const db = checkIdent(cfg.database);
  const { ClickHouseLogLevel, createClient } = await clickhouseLib();
  const ch = createClient({ url: cfg.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
  const rows: IsolationRow[] = [];
  const tradeIds = new Map<string, Set<string>>();
  try {
    const inList = namespaces.map(lit).join(", ");
    for (const table of TABLES) {
      const q = `SELECT strategy, count() AS n, sum(substring(row_id, 1, length(strategy) + 1) != concat(strategy, ':')) AS bad,
        any(if(substring(row_id, 1, length(strategy) + 1) != concat(strategy, ':'), row_id, '')) AS example
        FROM ${db}.${table} FINAL WHERE strategy IN (${inList}) GROUP BY strategy`;
      const got = await (await ch.query({ query: q, format: "JSONEachRow" })).json<{
        strategy: string;
        n: string;
        bad: string;
        example: string;
      }>();
      for (const ns of namespaces) {
        const r = got.find((g) => g.strategy === ns);
        const bad = Number(r?.bad ?? 0);
        rows.push(
          row(
            ns,
            `${db}.${table}`,
            "table",
            Number(r?.n ?? 0),
            bad > 0 ? Array.from({ length: bad }, () => `row_id ${r?.example}`) : [],
          ),
        );
      }
    }
    const q = `SELECT strategy, groupUniqArray(trade_id) AS ids FROM ${db}.trade_events FINAL WHERE strategy IN (${inList}) AND substring(row_id, 1, length(strategy) + 1) = concat(strategy, ':') GROUP BY strategy`;
    for (const r of await (await ch.query({ query: q, format: "JSONEachRow" })).json<{
      strategy: string;
      ids: string[];
    }>())
      tradeIds.set(r.strategy, new Set(r.ids));
  } finally {
    await ch.close().catch(() => {});
  }
  return { rows, tradeIds };
}
