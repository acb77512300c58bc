/**
 * The Zinc plane contract (docs/architecture.md §5), shared by `InMemoryZincPlane` and `RealZincPlane` and
 * checked by one contract suite (tests/integration/zinc_contract.ts). Sequences are plain
 * numbers: they count publishes and stay far below 2^53. A wait resolves with the current
 * sequence as soon as it differs from `lastSeq`, or with the unchanged sequence on timeout.
 */

import { KERNEL_LIMITS, RECORD_BYTES } from "../contracts/abi.ts";
import type { OutcomeLane, OutcomeStats } from "./outcome_region.ts";

/** The kernel's record sizes (one definition: src/contracts/abi.ts; ffi/zinc.h asserts the same). */
export const INTENT_RECORD_BYTES = RECORD_BYTES.input;
export const SLOT_IMAGE_BYTES = RECORD_BYTES.slot;
export const ACCOUNT_IMAGE_BYTES = RECORD_BYTES.account;
export const SLOT_COUNT_MAX = Number(KERNEL_LIMITS.SLOT_COUNT_MAX);
export const RING_CAPACITY_MIN = 2;
export const RING_CAPACITY_MAX = 65536;
/** Outcome lanes a kernel's region offers (one per producer process; ffi/README.md §7). */
export const OUTCOME_LANES_DEFAULT = 64;

export type PushResult = "OK" | "FULL";

/** Stable codes; the message names the file (for Real) and the reason. */
export type ZincErrorCode =
  | "OPEN"
  | "ARG"
  | "BADF"
  | "ROLE"
  | "KIND"
  | "ABANDONED"
  | "CORRUPT"
  | "CONTENDED"
  | "TORN"
  | "BUSY"
  | "TRUNCATED"
  | "RETRY_EXHAUSTED"
  | "INVALID_IMAGE";

export class ZincError extends Error {
  constructor(
    readonly code: ZincErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ZincError";
  }
}

/**
 * `op()`, or `fallback` once libzinc answered TRUNCATED (the region's file shrank under the mapping
 * and the SIGBUS was caught) or CORRUPT (a ring cell's sequence word fits no state of its position:
 * written by something other than a producer following the layout; the pop stops there for good):
 * `truncated` hears why (the caller turns hostile); any other error propagates.
 */
export function unlessTruncated<T>(fallback: T, op: () => T, truncated: (why: string) => void): T {
  try {
    return op();
  } catch (e) {
    if (!(e instanceof ZincError) || (e.code !== "TRUNCATED" && e.code !== "CORRUPT")) throw e;
    truncated(e.message);
    return fallback;
  }
}

/** Consumer-side ring counters: `stalledPid` is a live producer holding an unpublished claim. */
export interface RingStats {
  head: number;
  tail: number;
  abandoned: number;
  stalledPid: number;
  lastAbandonedPid: number;
}

/** Read side of the state region: what the launcher and other processes see. */
export interface ZincStateView {
  readonly slotCount: number;
  /** A stable copy of slot `i`'s last published image (all zero if never published). */
  readSlot(i: number): Uint8Array;
  readAccount(): Uint8Array;
  readStateHash(): bigint;
  stateSeq(): number;
  waitState(lastSeq: number, timeoutMs: number): Promise<number>;
  close(): void;
}

export interface ZincPlane extends ZincStateView {
  readonly ringCapacity: number;
  /** "FULL" writes nothing; retry after the consumer drains. */
  pushIntent(bytes: Uint8Array): PushResult;
  /** Hands up to `max` records, in ring order, to `onRecord`; the view is valid during the call only. */
  drainIntents(max: number, onRecord: (bytes: Uint8Array) => void): number;
  intentSeq(): number;
  waitIntents(lastSeq: number, timeoutMs: number): Promise<number>;
  ringStats(): RingStats;
  /**
   * Re-validates the regions against their layout: null while they match, else one line naming
   * the region and what no longer matches. After a mismatch the plane is hostile: it drains no
   * record and mirrors nothing more (the InMemory plane has no file to corrupt: always null).
   */
  checkRegions(): string | null;
  /**
   * Outcomes for ring producers (ffi/README.md §7): records routed by their client_intent_id into
   * the producer's lane; returns how many landed in a lane. Never blocks: a lane nobody reads is
   * overwritten oldest first. Nothing is published while the plane is hostile.
   */
  publishOutcomes(records: Uint8Array, count: number): number;
  outcomeStats(): OutcomeStats;
  /** Claims an outcome lane the way a producer process does (in-process producers and tests). */
  claimOutcomeLane(): OutcomeLane;
  /** Write-through mirror: copies the dirty slots and the account, then publishes and notifies. */
  publishState(
    slotImages: Uint8Array,
    dirtyMask: BigUint64Array | Uint32Array,
    account: Uint8Array,
    stateHash: bigint,
  ): void;
}

export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`Invariant: ${message}`);
}

/** Pair assertion with the kernel: a published image carries its own slot id and a valid stage. */
export function checkSlotImage(image: Uint8Array, i: number, where: string): Uint8Array {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image.every((b) => b === 0)) return image;
  const slotId = dv.getUint32(0, true);
  const stage = dv.getUint8(4);
  if (slotId !== i || stage < 1 || stage > 6) {
    throw new ZincError(
      "INVALID_IMAGE",
      `Condition failed: ${where} slot ${i} image has slot_id ${slotId}, stage ${stage}`,
    );
  }
  return image;
}
