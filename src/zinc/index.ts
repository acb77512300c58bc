/**
 * Zinc plane public surface (docs/architecture.md §5): the `ZincPlane` contract, its two implementations,
 * and the clients other processes use. Layout and protocol: ffi/README.md.
 */

export { type ZincClientOptions, ZincIntentProducer, ZincStateReader } from "./clients.ts";
export { InMemoryOutcomes } from "./in_memory_outcomes.ts";
export { InMemoryZincPlane } from "./in_memory_plane.ts";
export {
  clientIntentId,
  type DecodedOutcome,
  decodeOutcome,
  OUTCOME_DIAG,
  OUTCOME_LANE_DEPTH,
  OUTCOME_LANES_MAX,
  OUTCOME_OFF,
  OUTCOME_ORIGINS,
  OUTCOME_RECORD_BYTES,
  OutcomeBatch,
  type OutcomeFacts,
  type OutcomeOrigin,
} from "./outcome_record.ts";
export {
  encodeIntentId,
  type OutcomeLane,
  type OutcomeLaneHeader,
  type OutcomeStats,
  publishOutcomeRecords,
  RealOutcomeLane,
  readLaneHeader,
  readOutcomeStats,
} from "./outcome_region.ts";
export { RealZincPlane, type RealZincPlaneOptions } from "./real_plane.ts";
export { type RegionHeader, type RegionOpen, ZincRegion } from "./region.ts";
export { pushRecord, RingDrainer, ringStats } from "./ring_io.ts";
export { SeqSignal } from "./seq_signal.ts";
export { type RecentOutcomes, ZincStatusReader } from "./status_reader.ts";
export {
  ACCOUNT_IMAGE_BYTES,
  INTENT_RECORD_BYTES,
  OUTCOME_LANES_DEFAULT,
  type PushResult,
  type RingStats,
  SLOT_COUNT_MAX,
  SLOT_IMAGE_BYTES,
  unlessTruncated,
  ZincError,
  type ZincErrorCode,
  type ZincPlane,
  type ZincStateView,
} from "./types.ts";
