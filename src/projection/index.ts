/**
 * Projection: mirrors venue-confirmed kernel state to Hazelcast maps and topic, ClickHouse tables,
 * or the local spool (DESIGN.md §6; details in README.md). Public surface only.
 */
export { createProjection, type Projection, type ProjectionConfig, type ProjectionStats, type ProjectionTuning } from "./_create.ts";
export { VENUE_FACTS, type OutcomeInput, type SlotMark } from "./projection.ts";
export { HazelcastSink } from "./hazelcast.ts";
export { ClickHouseSink, type ClickHouseConfig } from "./clickhouse.ts";
export { LocalSpoolSink, readSpoolFile } from "./local.ts";
export { CallbackSink, type CallbackSinkOptions } from "./callback.ts";
export { Spool, type SpoolOptions, type SpoolBatch } from "./spool.ts";
export { Outbox, type OutboxOptions } from "./outbox.ts";
export { verifyIsolation, type IsolationReport, type IsolationRow } from "./isolation.ts";
export { namespaceNames, checkStrategy, DEFAULT_STRATEGY, TABLES, type NamespaceNames } from "./_names.ts";
export { SCHEMA_VERSION } from "./_ch_schema.ts";
export type { MapWrite, OutRecord, ProjectionDiagnostic, RecordKind, Sink, SinkStats } from "./_types.ts";
export type { TradeEventRow, TradeEventType } from "./_lifecycle.ts";
export type { HazelcastConfig } from "./_hz_client.ts";
