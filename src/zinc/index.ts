/**
 * Zinc plane public surface (DESIGN.md §4): the `ZincPlane` contract, its two implementations,
 * and the clients other processes use. Layout and protocol: ffi/README.md.
 */

export { type RegionHeader, type RegionOpen, ZincRegion } from "./_region.ts";
export { pushRecord, RingDrainer, ringStats } from "./_ring_io.ts";
export { SeqSignal } from "./_signal.ts";
export { type ZincClientOptions, ZincIntentProducer, ZincStateReader } from "./clients.ts";
export { InMemoryZincPlane } from "./in_memory_plane.ts";
export { RealZincPlane, type RealZincPlaneOptions } from "./real_plane.ts";
export {
  ACCOUNT_IMAGE_BYTES,
  INTENT_RECORD_BYTES,
  type PushResult,
  type RingStats,
  SLOT_COUNT_MAX,
  SLOT_IMAGE_BYTES,
  ZincError,
  type ZincErrorCode,
  type ZincPlane,
  type ZincStateView,
} from "./types.ts";
