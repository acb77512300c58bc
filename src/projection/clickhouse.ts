/**
 * ClickHouseSink: trade_events, dita_v2_transitions and dita_v2_diagnostics (schema in
 * `ch_schema.ts`). Uses only what works against 18.16 (the Debian package this project installs): explicit
 * JSONEachRow on every insert, literals instead of query_params, log off, request timeout set.
 * A batch is inserted table by table in spool order; replaying it after a failure is harmless
 * because rows dedupe by (strategy, row_id) — read with FINAL.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { Clock } from "../contracts/clock.ts";
import { clickhouseLib } from "./_libs.ts";
import { checkIdent, ensureSchema } from "./ch_schema.ts";
import { TABLE_OF } from "./names.ts";
import {
  errorText,
  type MapWrite,
  type OutRecord,
  type RecordKind,
  type Row,
  type Sink,
  type WriteResult,
} from "./types.ts";

export interface ClickHouseConfig {
  url: string;
  database: string;
  requestTimeoutMs?: number;
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
    this.address = cfg.url;
    checkIdent(cfg.database);
  }

  takes(kind: RecordKind): boolean {
    return kind === "trade_event" || kind === "transition" || kind === "diagnostic";
  }

  /** Pings and prepares the schema; a newer schema is a permanent refusal. */
  async connect(): Promise<void> {
    const ch = await this.ch();
    const ping = await ch.ping();
    if (!ping.success) throw new Error(`clickhouse sink: cannot reach ${this.cfg.url}: ${errorText(ping.error)}`);
    try {
      await ensureSchema(ch, this.cfg.database, this.clock.nowMs());
    } catch (e) {
      const text = errorText(e);
      throw new Error(
        text.startsWith("clickhouse sink:") ? text : `clickhouse sink: schema setup on ${this.cfg.url} failed: ${text}`,
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
      const byTable = new Map<string, Row[]>();
      for (const r of records) {
        if (r.kind === "topic_event") continue;
        const table = `${this.cfg.database}.${TABLE_OF[r.kind]}`;
        const rows = byTable.get(table) ?? [];
        rows.push(r.row);
        byTable.set(table, rows);
      }
      for (const [table, values] of byTable) await (await this.ch()).insert({ table, values, format: "JSONEachRow" });
      return { written: records.length };
    } catch (error) {
      return { written: 0, error };
    }
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
