/**
 * ClickHouseSink: trade_events, dita_v2_transitions, dita_v2_diagnostics and dita_v2_control (schema in
 * `ch_schema.ts`). Uses only what works against 18.16 (the Debian package this project installs): explicit
 * JSONEachRow on every insert, literals instead of query_params, log off, request timeout set.
 *
 * Exactly once in the raw tables (no FINAL needed): a batch is inserted table by table in spool
 * order, and before each insert the sink asks which of the batch's row ids the table already holds
 * (`SELECT row_id ... WHERE strategy = .. AND row_id IN (..)`, the primary key) and inserts only the
 * others, each id once. 18.16 deduplicates inserts only for Replicated tables, so this is the
 * dedupe. It holds with one writer per namespace (the design's assumption): a batch re-sent after a
 * failure, a spool replayed after a crash, a journal replay or a restart's catch-up adds no row. One
 * INSERT of up to batchMax rows is one block, written whole or not at all. Two writers inserting the
 * same new id at the same moment could both insert it; ReplacingMergeTree still collapses that on
 * merge (and under FINAL).
 *
 * The URL may carry credentials (`http://user:password@host:8123`): the client authenticates with
 * them; `address`, errors and diagnostics show the URL masked (contracts/secrets.ts).
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { Clock } from "../contracts/clock.ts";
import { maskSecrets } from "../contracts/secrets.ts";
import { clickhouseLib } from "./_libs.ts";
import { checkIdent, ensureSchema } from "./ch_schema.ts";
import { TABLE_OF } from "./names.ts";
import {
  errorText,
  type MapWrite,
  type OutRecord,
  type RecordKind,
  type RecordRow,
  type Sink,
  type WriteResult,
} from "./types.ts";

export interface ClickHouseConfig {
  url: string;
  database: string;
  requestTimeoutMs?: number;
}

/** A lookup query holds at most this many ids or id bytes (18.16's max_query_size is 256 KiB). */
const IDS_PER_QUERY = 1000;
const ID_BYTES_PER_QUERY = 128 * 1024;

/** Literals grouped so that no lookup query passes IDS_PER_QUERY ids or ID_BYTES_PER_QUERY bytes. */
function chunks(literals: readonly string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const l of literals) {
    if (cur.length === IDS_PER_QUERY || bytes + l.length > ID_BYTES_PER_QUERY) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(l);
    bytes += l.length + 1;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** A ClickHouse string literal: backslash and quote escaped. */
function literal(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export class ClickHouseSink implements Sink {
  readonly name = "clickhouse";
  readonly address: string;
  readonly takesMaps = false;
  readonly mirrorGated = false;
  private client: ClickHouseClient | null = null;
  private ready = false;

  constructor(
    private readonly cfg: ClickHouseConfig,
    private readonly clock: Clock,
  ) {
    this.address = maskSecrets(cfg.url);
    checkIdent(cfg.database);
  }

  takes(kind: RecordKind): boolean {
    return kind !== "topic_event";
  }

  /** Pings and prepares the schema; a newer schema is a permanent refusal. */
  async connect(): Promise<void> {
    const ch = await this.ch();
    const ping = await ch.ping();
    if (!ping.success) throw new Error(`clickhouse sink: cannot reach ${this.address}: ${errorText(ping.error)}`);
    try {
      await ensureSchema(ch, this.cfg.database, this.clock.nowMs());
    } catch (e) {
      const text = errorText(e);
      throw new Error(
        text.startsWith("clickhouse sink:") ? text : `clickhouse sink: schema setup on ${this.address} failed: ${text}`,
      );
    }
    this.ready = true;
  }

  async writeMaps(_writes: readonly MapWrite[]): Promise<{ applied: number; stale: number }> {
    throw new Error("Invariant: ClickHouseSink takes no map writes");
  }

  async writeRecords(records: readonly OutRecord[]): Promise<WriteResult> {
    try {
      if (!this.ready) await this.connect();
      const byTable = new Map<string, RecordRow[]>();
      for (const r of records) {
        if (r.kind === "topic_event") continue;
        const table = `${this.cfg.database}.${TABLE_OF[r.kind]}`;
        const rows = byTable.get(table) ?? [];
        rows.push(r.row);
        byTable.set(table, rows);
      }
      let duplicates = 0;
      for (const [table, rows] of byTable) duplicates += await this.insertNew(table, rows);
      return { written: records.length, duplicates };
    } catch (error) {
      return { written: 0, error };
    }
  }

  /** Inserts the rows whose ids `table` does not hold yet, each id once; returns how many were skipped. */
  private async insertNew(table: string, rows: readonly RecordRow[]): Promise<number> {
    const ch = await this.ch();
    const unique = new Map<string, RecordRow>();
    for (const r of rows) if (!unique.has(r.row_id)) unique.set(r.row_id, r);
    const held = new Set<string>();
    const byStrategy = new Map<string, string[]>();
    for (const r of unique.values()) {
      const ids = byStrategy.get(r.strategy) ?? [];
      ids.push(r.row_id);
      byStrategy.set(r.strategy, ids);
    }
    for (const [strategy, ids] of byStrategy) {
      for (const list of chunks(ids.map(literal))) {
        const rs = await ch.query({
          query: `SELECT row_id FROM ${table} WHERE strategy = ${literal(strategy)} AND row_id IN (${list.join(",")})`,
          format: "JSONEachRow",
        });
        for (const r of await rs.json<{ row_id: string }>()) held.add(r.row_id);
      }
    }
    const values = [...unique.values()].filter((r) => !held.has(r.row_id));
    if (values.length > 0) await ch.insert({ table, values, format: "JSONEachRow" });
    return rows.length - values.length;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.close().catch(() => {});
  }

  private async ch(): Promise<ClickHouseClient> {
    const { ClickHouseLogLevel, createClient } = await clickhouseLib();
    this.client ??= createClient({
      url: this.cfg.url,
      request_timeout: this.cfg.requestTimeoutMs ?? 10_000,
      max_open_connections: 4,
      log: { level: ClickHouseLogLevel.OFF },
    });
    return this.client;
  }
}
