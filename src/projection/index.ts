/**
 * Projection: mirrors venue-confirmed kernel state to Hazelcast maps and topic, ClickHouse tables,
 * or the local spool (DESIGN.md §6; details in README.md). Public surface only.
 */

export { SCHEMA_VERSION } from "./_ch_schema.ts";
export {
  createProjection,
  type Projection,
  type ProjectionConfig,
  type ProjectionStats,
  type ProjectionTuning,
} from "./_create.ts";
export type { HazelcastConfig } from "./_hz_client.ts";
export type { TradeEventRow, TradeEventType } from "./_lifecycle.ts";
export { checkStrategy, DEFAULT_STRATEGY, type NamespaceNames, namespaceNames, TABLES } from "./_names.ts";
export type { MapWrite, OutRecord, ProjectionDiagnostic, RecordKind, Sink, SinkStats } from "./_types.ts";
export { CallbackSink, type CallbackSinkOptions } from "./callback.ts";
export { type ClickHouseConfig, ClickHouseSink } from "./clickhouse.ts";
export { HazelcastSink } from "./hazelcast.ts";
export { type IsolationReport, type IsolationRow, verifyIsolation } from "./isolation.ts";
export { LocalSpoolSink, readSpoolFile } from "./local.ts";
export { Outbox, type OutboxOptions } from "./outbox.ts";
export { type OutcomeInput, type SlotMark, VENUE_FACTS } from "./projection.ts";
export { Spool, type SpoolBatch, type SpoolOptions } from "./spool.ts";
