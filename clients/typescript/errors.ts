/**
 * Every way a strategy client can fail, each its own class with a stable `code`, so a strategy
 * can react to the case (retry on RingFullError, reconcile on KernelRestartedError, ...) and an
 * operator reads one line that names the file or the intent. Nothing in the client throws
 * anything else for bad input, bad regions or a kernel that went away.
 */

import type { Outcome } from "./outcome.ts";

export type ClientErrorCode =
  | "LIBRARY"
  | "REGION_MISSING"
  | "PERMISSION"
  | "LAYOUT"
  | "KERNEL_NOT_RUNNING"
  | "FOREIGN_NAMESPACE"
  | "LANES_BUSY"
  | "INVALID_INTENT"
  | "RING_FULL"
  | "TIMEOUT"
  | "OUTCOME_LOST"
  | "INTENT_REFUSED"
  | "KERNEL_RESTARTED"
  | "CORRUPT"
  | "STATE_BUSY"
  | "CLOSED";

export class DitaClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** libzinc could not be found or loaded (`dita-v2 zinc-lib` writes it out of the executable). */
export class LibraryError extends DitaClientError {
  constructor(message: string) {
    super("LIBRARY", message);
  }
}

/** A region file of the prefix does not exist: no kernel serves it (or not with real Zinc). */
export class RegionMissingError extends DitaClientError {
  constructor(message: string) {
    super("REGION_MISSING", message);
  }
}

export class PermissionDeniedError extends DitaClientError {
  constructor(message: string) {
    super("PERMISSION", message);
  }
}

/** The file is not a region of the layout this client speaks (magic, version, kind, size). */
export class LayoutMismatchError extends DitaClientError {
  constructor(message: string) {
    super("LAYOUT", message);
  }
}

/** The regions exist but their writer is dead or gone: a stale region from a dead kernel. */
export class KernelNotRunningError extends DitaClientError {
  constructor(message: string) {
    super("KERNEL_NOT_RUNNING", message);
  }
}

/** The prefix belongs to another strategy namespace than the one the client trades for. */
export class ForeignNamespaceError extends DitaClientError {
  constructor(message: string) {
    super("FOREIGN_NAMESPACE", message);
  }
}

/** Every outcome lane is held by a live producer. */
export class LanesBusyError extends DitaClientError {
  constructor(message: string) {
    super("LANES_BUSY", message);
  }
}

/** The intent cannot be encoded (unknown type, a field of the wrong type or too long). */
export class InvalidIntentError extends DitaClientError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("INVALID_INTENT", message);
  }
}

/** The intents ring is full: nothing was written; retry after the kernel drains. */
export class RingFullError extends DitaClientError {
  constructor(message: string) {
    super("RING_FULL", message);
  }
}

/** No outcome within the timeout; the intent may still be applied (`client.outcomesOf(id)` later). */
export class OutcomeTimeoutError extends DitaClientError {
  constructor(
    readonly clientIntentId: bigint,
    message: string,
  ) {
    super("TIMEOUT", message);
  }
}

/** Outcomes were written over before they were read (the lane overflowed) and this one never came. */
export class OutcomeLostError extends DitaClientError {
  constructor(
    readonly clientIntentId: bigint,
    message: string,
  ) {
    super("OUTCOME_LOST", message);
  }
}

/**
 * A wait for a VENUE outcome of an intent whose EDGE or KERNEL outcome (`outcome`) was a refusal:
 * it made no order, so no VENUE outcome will come (thrown at once, not after the timeout).
 */
export class IntentRefusedError extends DitaClientError {
  readonly clientIntentId: bigint;
  constructor(
    readonly outcome: Outcome,
    message: string,
  ) {
    super("INTENT_REFUSED", message);
    this.clientIntentId = outcome.clientIntentId;
  }
}

/** A kernel restarted (adopted the regions) while the client waited: reconcile from `slots()`. */
export class KernelRestartedError extends DitaClientError {
  constructor(
    readonly clientIntentId: bigint | null,
    message: string,
  ) {
    super("KERNEL_RESTARTED", message);
  }
}

/** Bytes read from shared memory do not decode (a hostile or broken writer). */
export class CorruptRegionError extends DitaClientError {
  constructor(message: string) {
    super("CORRUPT", message);
  }
}

/**
 * The kernel mirrored its state throughout a read's time bound (`READ_BUSY_MS`), so no consistent
 * copy was taken: contention on a healthy kernel, not corrupt bytes. Retry.
 */
export class StateBusyError extends DitaClientError {
  constructor(message: string) {
    super("STATE_BUSY", message);
  }
}

export class ClientClosedError extends DitaClientError {
  constructor() {
    super("CLOSED", "the client is closed");
  }
}
