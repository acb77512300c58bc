/**
 * Zinc plane public surface (DESIGN.md §4): the `ZincPlane` contract, its two implementations,
 * and the clients other processes use. Layout and protocol: ffi/README.md.
 */

export { InMemoryZincPlane } from "./in_memory_plane.ts";
export { RealZincPlane, type RealZincPlaneOptions } from "./real_plane.ts";
export { ZincIntentProducer, ZincStateReader, type ZincClientOptions } from "./clients.ts";
export { ZincRegion, type RegionHeader, type RegionOpen } from "./_region.ts";
export { SeqSignal } from "./_signal.ts";
export { pushRecord, RingDrainer, ringStats } from "./_ring_io.ts";
export {
  ACCOUNT_IMAGE_BYTES,
  INTENT_RECORD_BYTES,
  SLOT_IMAGE_BYTES,
  SLOT_COUNT_MAX,
  ZincError,
  type PushResult,
  type RingStats,
  type ZincErrorCode,
  type ZincPlane,
  type ZincStateView,
} from "./types.ts";
