/**
 * Shared projection types: what the outbox hands to a sink (map writes and records), the Sink
 * contract every implementation honours, projection diagnostics and per-sink stats.
 *
 * A map write carries the full latest row and its version; a sink applies it only if the stored
 * row's version is lower (compare-and-set), so replays and reordering can never regress a map.
 * A record carries a deterministic `row_id`; sinks that store records dedupe by it.
 */
import type { Severity } from "../contracts/records.ts";

export type ProjectionDiagnosticCode = "SPOOL_CORRUPT" | "SPOOL_FULL" | "SINK_DOWN" | "SINK_UP" | "SINK_DEGRADED" | "SCHEMA_NEWER";

/** A projection-side anomaly (not a kernel diagnostic): reported through `onDiagnostic`. */
export interface ProjectionDiagnostic {
  code: ProjectionDiagnosticCode;
  severity: Severity;
  sink: string;
  message: string;
  details: Record<string, unknown>;
}

export type Row = Record<string, unknown>;

/** Latest value for one key of one map; `value === null` deletes the key (if not newer). */
export interface MapWrite {
  map: string;
  key: string;
  value: Row | null;
  version: number;
}

export const RECORD_KINDS = ["trade_event", "topic_event", "transition", "diagnostic"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export type RecordRow = Row & { row_id: string; strategy: string };

/** One row for a table or one message for a topic. `row.row_id` is its dedupe key. */
export interface OutRecord {
  kind: RecordKind;
  row: RecordRow;
}

/**
 * What the projection enqueues: rows may be thunks, built by the outbox off the hot path (and never
 * built at all when a newer map value supersedes them). Thunks capture kernel wire records, which
 * are fresh immutable objects per decode.
 */
export type Lazy<T> = T | (() => T);
export interface PendingMapWrite {
  map: string;
  key: string;
  value: Lazy<Row> | null;
  version: number;
}
export interface PendingRecord {
  kind: RecordKind;
  row: Lazy<RecordRow>;
}

export function resolve<T extends object>(v: Lazy<T>): T {
  return typeof v === "function" ? (v as () => T)() : v;
}

export interface WriteResult {
  /** Records durably written, as a prefix of the batch. */
  written: number;
  error?: unknown;
}

export interface Sink {
  readonly name: string;
  readonly address: string;
  readonly takesMaps: boolean;
  /** True for sinks that control.mirror_to_hazelcast switches off (Hazelcast). */
  readonly mirrorGated: boolean;
  takes(kind: RecordKind): boolean;
  /** Connects (and prepares schemas). Rejects with one clear line naming the sink and address. */
  connect(): Promise<void>;
  /** Applies every write with compare-and-set on version; rejects if any could not be applied. */
  writeMaps(writes: readonly MapWrite[]): Promise<{ applied: number; stale: number }>;
  writeRecords(records: readonly OutRecord[]): Promise<WriteResult>;
  close(): Promise<void>;
}

export interface SinkStats {
  sink: string;
  address: string;
  up: boolean;
  spooled: boolean;
  backlog_records: number;
  backlog_bytes: number;
  pending_map_writes: number;
  last_success_ms: number | null;
  last_error: string | null;
  records_written: number;
  map_writes_applied: number;
  map_writes_stale: number;
  records_refused: number;
}

export function errorText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split("\n")[0]!.slice(0, 300);
}
