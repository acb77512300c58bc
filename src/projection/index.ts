/**
 * Projection: mirrors venue-confirmed kernel state to Hazelcast maps and topic, ClickHouse tables,
 * or the local spool (docs/architecture.md §7; details in README.md). Public surface only.
 */

export { CallbackSink, type CallbackSinkOptions } from "./callback.ts";
export { SCHEMA_VERSION, schemaStatements } from "./ch_schema.ts";
export { type ClickHouseConfig, ClickHouseSink } from "./clickhouse.ts";
export {
  createProjection,
  type Projection,
  type ProjectionConfig,
  type ProjectionStats,
  type ProjectionTuning,
} from "./create.ts";
export { HazelcastSink } from "./hazelcast.ts";
export {
  type HazelcastConfig,
  type HzClient,
  hazelcastMembers,
  hzRunning,
  jsonValue,
  newHzClient,
} from "./hz_client.ts";
export { type IsolationReport, type IsolationRow, verifyIsolation } from "./isolation.ts";
export type { TradeEventRow, TradeEventType } from "./lifecycle.ts";
export { LocalSpoolSink } from "./local.ts";
export {
  hasLocalSpool,
  LOCAL_SPOOL_FILE,
  type LocalSpoolRead,
  readLocalSpool,
  readSpoolFile,
  type ScanHooks,
  scanLocalSpool,
} from "./local_read.ts";
export { type Mark, markPath, readProjectedMark } from "./mark.ts";
export {
  checkStrategy,
  DEFAULT_STRATEGY,
  type NamespaceNames,
  namespaceNames,
  STRATEGY_RE,
  TABLES,
} from "./names.ts";
export { Outbox, type OutboxOptions } from "./outbox.ts";
export type { ImageInput, OutcomeInput, SlotMark } from "./projection.ts";
export { JournalProjector, type ReplayStep } from "./replay.ts";
export { Spool, type SpoolBatch, type SpoolOptions } from "./spool.ts";
export {
  type MapWrite,
  type OutRecord,
  type ProjectionDiagnostic,
  RECORD_KINDS,
  type RecordKind,
  type Sink,
  type SinkStats,
  VENUE_FACTS,
} from "./types.ts";
