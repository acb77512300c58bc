/**
 * ClickHouse 18.16 schema for the projection, version SCHEMA_VERSION, recorded in
 * `<db>.dita_v2_schema` (18.16 has no table comments). All tables are ReplacingMergeTree ordered by
 * (strategy, row_id): a replayed row (same deterministic row_id) collapses into one on merge, and
 * queries read with FINAL (or argMax) to see exactly one row per id before the merge. Times are
 * UInt64 epoch milliseconds (18.16 has no DateTime64). `ensureSchema` creates what is missing and
 * refuses, with one clear line, a database whose recorded schema is newer than this binary's.
 * (The sink also skips ids a table already holds, so raw tables hold each row once: clickhouse.ts.)
 *
 * Versions: 1 = the tables; 2 = a `run` column (the kernel lifetime, in row ids since v2) after
 * `strategy` in all three tables; 3 = `dita_v2_control` (one row per control snapshot). A v1
 * database is migrated in place (ALTER TABLE ADD COLUMN; old rows read run ''), a v2 one gets the
 * new table; then the version is recorded.
 */
import type { ClickHouseClient } from "@clickhouse/client";

export const SCHEMA_VERSION = 3;
export const SCHEMA_COMPONENT = "projection";

const ENGINE = "ENGINE = ReplacingMergeTree() ORDER BY (strategy, row_id)";

/**
 * Every statement that creates the schema in `db`, in order (the first creates the database): what
 * `ensureSchema` runs, and what deploy/clickhouse/schema.sql holds (a test keeps them equal).
 */
export function schemaStatements(database: string): string[] {
  const db = checkIdent(database);
  return [`CREATE DATABASE IF NOT EXISTS ${db}`, ...ddl(db)];
}

function ddl(db: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.dita_v2_schema (component String, version UInt32, applied_at_ms UInt64) ENGINE = MergeTree() ORDER BY (component, version)`,
    `CREATE TABLE IF NOT EXISTS ${db}.trade_events (
      row_id String, strategy String, run String, seq UInt64, event_type String, trade_id String, slot_id Int32,
      asset String, side String, leverage Float64, leg UInt32, entry_price Float64, exit_price Float64,
      fill_size Float64, position_size Float64, realized_pnl Float64, unrealized_pnl Float64, fees Float64,
      capital Float64, equity Float64, trade_seq UInt64, exit_reason String, version UInt64, now_ms UInt64
    ) ${ENGINE}`,
    `CREATE TABLE IF NOT EXISTS ${db}.dita_v2_transitions (
      row_id String, strategy String, run String, seq UInt64, input_index UInt32, slot_id Int32, trade_id String,
      from_stage String, to_stage String, trigger String, fsm_row Nullable(Int32), version UInt64, now_ms UInt64,
      side String, size Float64, entry_price Float64, leg UInt32, realized_pnl Float64, unrealized_pnl Float64,
      mark_price Float64, fees Float64, entry_status String, entry_filled Float64, exit_status String, exit_filled Float64
    ) ${ENGINE}`,
    `CREATE TABLE IF NOT EXISTS ${db}.dita_v2_diagnostics (
      row_id String, strategy String, run String, seq UInt64, input_index UInt32, code String, severity String,
      slot_id Nullable(Int32), message String, details String, now_ms UInt64
    ) ${ENGINE}`,
    `CREATE TABLE IF NOT EXISTS ${db}.dita_v2_control (
      row_id String, strategy String, run String, version UInt64, updated_at_ms UInt64, trading_state String,
      mode String, snapshot String
    ) ${ENGINE}`,
  ];
}

export function checkIdent(s: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(s))
    throw new Error(`Condition failed: bad ClickHouse identifier ${JSON.stringify(s)}`);
  return s;
}

export async function schemaVersion(ch: ClickHouseClient, db: string): Promise<number> {
  const rs = await ch.query({
    query: `SELECT max(version) AS v, count() AS n FROM ${db}.dita_v2_schema WHERE component = '${SCHEMA_COMPONENT}'`,
    format: "JSONEachRow",
  });
  const [r] = await rs.json<{ v: number | string; n: number | string }>();
  return r && Number(r.n) > 0 ? Number(r.v) : 0;
}

export async function ensureSchema(ch: ClickHouseClient, database: string, nowMs: number): Promise<void> {
  const db = checkIdent(database);
  const [createDb, schemaDdl, ...tables] = schemaStatements(db);
  await ch.command({ query: createDb! });
  await ch.command({ query: schemaDdl! });
  const found = await schemaVersion(ch, db);
  if (found > SCHEMA_VERSION) {
    throw new Error(
      `clickhouse sink: schema version ${found} in ${db}.dita_v2_schema is newer than this binary's ${SCHEMA_VERSION}; refusing to write (upgrade dita-v2)`,
    );
  }
  for (const q of tables) await ch.command({ query: q });
  // Version 1, or no version row at all: a v1 process could die between creating its tables and
  // recording its version, leaving v1 tables (no `run`) that read as version 0.
  if (found <= 1) await addRunColumn(ch, db);
  if (found < SCHEMA_VERSION) {
    await ch.insert({
      table: `${db}.dita_v2_schema`,
      values: [{ component: SCHEMA_COMPONENT, version: SCHEMA_VERSION, applied_at_ms: nowMs }],
      format: "JSONEachRow",
    });
  }
}

/** v1 → v2: the `run` column after `strategy`, where a table does not have it yet. */
async function addRunColumn(ch: ClickHouseClient, db: string): Promise<void> {
  for (const table of ["trade_events", "dita_v2_transitions", "dita_v2_diagnostics"]) {
    const rs = await ch.query({
      query: `SELECT count() AS n FROM system.columns WHERE database = '${db}' AND table = '${table}' AND name = 'run'`,
      format: "JSONEachRow",
    });
    const [r] = await rs.json<{ n: number | string }>();
    if (Number(r?.n ?? 0) === 0)
      await ch.command({ query: `ALTER TABLE ${db}.${table} ADD COLUMN run String DEFAULT '' AFTER strategy` });
  }
}
