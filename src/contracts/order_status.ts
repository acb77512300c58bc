/**
 * What "working" and "terminal" mean, defined once for TypeScript (the kernel's own definition is
 * `slot::is_working` in kernel/src/slot.rs; the two are the same partition of the statuses).
 *
 * - A kernel order (`OrderRecord.status`) is terminal when FILLED, CANCELLED or REJECTED, and
 *   working otherwise (PENDING_SUBMIT, ACKED, PARTIALLY_FILLED, CANCEL_REQUESTED).
 * - A venue order (`VenueOrderState.status`) is open while NEW or PARTIALLY_FILLED.
 * - A venue event ends its order when it is a FULL_FILL, CANCEL_ACK or REJECT.
 * - A slot holds a trade while ENTRY_WORKING, POSITION_OPEN or EXIT_WORKING.
 *
 * Entry points: the predicates below.
 */

import type { OrderRecord, OrderStatus, SlotRecord, Stage } from "./records.ts";
import type { VenueEventKind, VenueOrderState } from "./venue.ts";

const TERMINAL: ReadonlySet<OrderStatus> = new Set(["FILLED", "CANCELLED", "REJECTED"]);
const OPEN_AT_VENUE: ReadonlySet<VenueOrderState["status"]> = new Set(["NEW", "PARTIALLY_FILLED"]);
const ENDING_EVENTS: ReadonlySet<VenueEventKind> = new Set(["FULL_FILL", "CANCEL_ACK", "REJECT"]);
const TRADING_STAGES: ReadonlySet<Stage> = new Set(["ENTRY_WORKING", "POSITION_OPEN", "EXIT_WORKING"]);

export function isTerminalOrder(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

export function isWorkingOrder(status: OrderStatus): boolean {
  return !TERMINAL.has(status);
}

export function isOpenAtVenue(status: VenueOrderState["status"]): boolean {
  return OPEN_AT_VENUE.has(status);
}

export function endsOrder(kind: VenueEventKind): boolean {
  return ENDING_EVENTS.has(kind);
}

/** True while the slot holds a trade the venue knows of (entry working, position, exit working). */
export function isTradingStage(stage: Stage): boolean {
  return TRADING_STAGES.has(stage);
}

/** True when the slot holds nothing, at the venue or working: IDLE or CLOSED (the kernel's idle stages). */
export function isFlatStage(stage: Stage): boolean {
  return stage === "IDLE" || stage === "CLOSED";
}

/** The order the slot's stage says is working: the entry in ENTRY_WORKING, the exit in EXIT_WORKING. */
export function stageWorkingOrder(slot: SlotRecord): OrderRecord | null {
  if (slot.stage === "ENTRY_WORKING") return slot.entry_order;
  if (slot.stage === "EXIT_WORKING") return slot.exit_order;
  return null;
}
