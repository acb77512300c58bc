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
 * An insert the client gave up on (request timeout, dropped connection) may still be running on the
 * server, which does not cancel an HTTP insert whose client went away: a lookup made before it
 * commits finds none of its ids, and the retry would store them a second time. So every insert
 * carries a query id `dita_v2:insert:<strategy>:...`, and before the first lookup of a strategy's
 * ids after start (a previous process may have died mid-insert) and after any failed insert, the
 * sink asks `system.processes` for that prefix; while such an insert runs the write fails (the
 * outbox retries with backoff) and the lookup waits. The server keeps an insert in its process list
 * until its block is committed or refused, so once it is gone the lookup sees the truth.
 *
 * The schema is prepared at connect, and again after a write that found a table or the database
 * missing (a server replaced by an empty one, a DROP by hand): the spool then drains into the new
 * tables instead of failing until the process restarts.
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
    // Never an empty group: `IN ()` is a syntax error in 18.16, so an id alone over the byte limit gets its own.
    if (cur.length > 0 && (cur.length === IDS_PER_QUERY || bytes + l.length > ID_BYTES_PER_QUERY)) {
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

/** Every insert's query id starts with this and `<strategy>:`, so a later write can see it still running. */
const INSERT_ID_PREFIX = "dita_v2:insert:";

/** UNKNOWN_TABLE (60) or UNKNOWN_DATABASE (81): 18.16 says `Code: 60, e.displayText() = ...` in the
 *  text; newer servers' errors are parsed by the client into `code`. */
function schemaGone(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "60" || code === "81" || /\bCode: (60|81)\b/.test(errorText(e));
}

/** A ClickHouse string literal: backslash and quote escaped. */
function literal(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * The row with every lone UTF-16 surrogate in its strings replaced by U+FFFD (the row itself when it
 * has none). JSON.stringify writes one as `\ud83d` with no second half, which 18.16 refuses for the
 * whole insert ("missing second part of surrogate pair"), so the batch would be re-sent for ever; and
 * a lookup literal travels as UTF-8, where it is U+FFFD already, so ids must be stored the same way.
 */
function wellFormed(row: RecordRow): RecordRow {
  let out: RecordRow | null = null;
  for (const [k, v] of Object.entries(row))
    if (typeof v === "string" && !v.isWellFormed()) {
      out ??= { ...row };
      out[k] = v.toWellFormed();
    }
  return out ?? row;
}

export class ClickHouseSink implements Sink {
  readonly name = "clickhouse";
  readonly address: string;
  readonly takesMaps = false;
  readonly mirrorGated = false;
  private client: ClickHouseClient | null = null;
  private ready = false;
  /** Strategies with no insert of theirs left running on the server, as last checked (none at start). */
  private readonly settled = new Set<string>();

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
        rows.push(wellFormed(r.row));
        byTable.set(table, rows);
      }
      let duplicates = 0;
      for (const [table, rows] of byTable) duplicates += await this.insertNew(table, rows);
      return { written: records.length, duplicates };
    } catch (error) {
      // A server that lost the schema (replaced by an empty one, a DROP by hand) answers every write
      // "doesn't exist": prepare it again on the next try rather than fail until the process restarts.
      if (schemaGone(error)) this.ready = false;
      return { written: 0, error };
    }
  }

  /** Inserts the rows whose ids `table` does not hold yet, each id once; returns how many were skipped. */
  private async insertNew(table: string, rows: readonly RecordRow[]): Promise<number> {
    const byStrategy = new Map<string, Map<string, RecordRow>>();
    for (const r of rows) {
      const unique = byStrategy.get(r.strategy) ?? new Map<string, RecordRow>();
      if (!unique.has(r.row_id)) unique.set(r.row_id, r);
      byStrategy.set(r.strategy, unique);
    }
    let inserted = 0;
    for (const [strategy, unique] of byStrategy) inserted += await this.insertStrategy(table, strategy, unique);
    return rows.length - inserted;
  }

  /** One strategy's rows of one table: waits out its running inserts, looks up, inserts the rest. */
  private async insertStrategy(table: string, strategy: string, unique: Map<string, RecordRow>): Promise<number> {
    const ch = await this.ch();
    if (!this.settled.has(strategy)) await this.awaitSettled(ch, strategy);
    const held = new Set<string>();
    for (const list of chunks([...unique.keys()].map(literal))) {
      const rs = await ch.query({
        query: `SELECT row_id FROM ${table} WHERE strategy = ${literal(strategy)} AND row_id IN (${list.join(",")})`,
        format: "JSONEachRow",
      });
      for (const r of await rs.json<{ row_id: string }>()) held.add(r.row_id);
    }
    const values = [...unique.values()].filter((r) => !held.has(r.row_id));
    if (values.length === 0) return 0;
    // Names the rows (an operator can find or KILL it), kept short: it travels in the URL.
    const query_id = `${INSERT_ID_PREFIX}${strategy}:${table}:${values[0]!.row_id.slice(0, 128)}:${values.length}`;
    try {
      await ch.insert({ table, values, format: "JSONEachRow", query_id });
    } catch (e) {
      this.settled.delete(strategy); // the server may still be writing it: look before the next lookup
      throw e;
    }
    return values.length;
  }

  /** Throws while an insert of `strategy` (this process's or an earlier one's) still runs on the server. */
  private async awaitSettled(ch: ClickHouseClient, strategy: string): Promise<void> {
    const rs = await ch.query({
      query: `SELECT query_id FROM system.processes WHERE position(query_id, ${literal(`${INSERT_ID_PREFIX}${strategy}:`)}) = 1`,
      format: "JSONEachRow",
    });
    const running = (await rs.json<{ query_id: string }>()).map((r) => r.query_id);
    if (running.length > 0) {
      throw new Error(
        `clickhouse sink: an earlier insert is still running on ${this.address} (query_id ${running.join(", ")}); ` +
          "its rows are looked up once it ends (a request timeout does not stop it on the server)",
      );
    }
    this.settled.add(strategy);
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
