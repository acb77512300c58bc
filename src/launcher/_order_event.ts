/**
 * What the launcher builds itself for and from the venue: the order request for a slot's pending
 * order (from the kernel's own record of it); what a venue query says about an order, as the
 * event the stream would have carried (same event id scheme as src/venue/event_id.ts, so a fact
 * seen on both paths dedupes in the kernel), and whether that answer contradicts the order asked
 * about (`answerContradiction`: then it is no fact about it, never booked); a REJECT for an order
 * the venue never placed; and a CANCEL_ACK (nothing filled) for an order the launcher withdrew before sending it, and the check
 * (`sendCheck`) that decides, after a placement waited, whether its order is still to be sent.
 */

import { isTerminalOrder } from "../contracts/order_status.ts";
import type { DiagnosticRecord, OrderRecord, SlotRecord } from "../contracts/records.ts";
import type { OrderRequest, RejectReason, VenueEvent, VenueEventKind, VenueOrderState } from "../contracts/venue.ts";
import { eventId } from "../venue/index.ts";
import { sameSize, slotMismatch } from "./_reconcile_truth.ts";

const KIND_BY_STATUS: Record<VenueOrderState["status"], VenueEventKind> = {
  NEW: "ACK",
  PARTIALLY_FILLED: "PARTIAL_FILL",
  FILLED: "FULL_FILL",
  CANCELED: "CANCEL_ACK",
  EXPIRED: "CANCEL_ACK",
  REJECTED: "REJECT",
};

export function eventFromOrderState(s: VenueOrderState): VenueEvent {
  return {
    kind: KIND_BY_STATUS[s.status],
    event_id: eventId(s.venue_order_id, s.status, s.filled_size_cumulative),
    venue_order_id: s.venue_order_id,
    client_order_id: s.client_order_id,
    asset: s.asset,
    filled_size_cumulative: s.filled_size_cumulative,
    avg_price: s.avg_price,
    last_fill_size: 0,
    last_fill_price: 0,
    fee_cumulative: s.fee_cumulative,
    venue_time_ms: s.updated_ms,
    ...(s.status === "REJECTED" ? { reject_reason: "VENUE" as const } : {}),
  };
}

/** A venue call that threw: its outcome is unknown (a timeout, a reset, a 5xx), resolved by query. */
export function unknownOutcome(e: unknown): { status: "UNKNOWN"; reason: string } {
  return { status: "UNKNOWN", reason: e instanceof Error ? e.message : String(e) };
}

/**
 * Why the venue's answer about `order` (the slot's, looked up by its client id) cannot be about that
 * order: another symbol, the other side, a fill status with nothing executed, an execution with no
 * price. Null when it can be. (More executed than the order's size is the kernel's OVERFILL.)
 */
export function answerContradiction(
  slot: Pick<SlotRecord, "asset">,
  order: Pick<OrderRecord, "side">,
  s: VenueOrderState,
): string | null {
  if (s.asset !== slot.asset) return `symbol ${s.asset}, not ${slot.asset}`;
  if (s.side !== order.side) return `side ${s.side}, not ${order.side}`;
  const fillStatus = s.status === "FILLED" || s.status === "PARTIALLY_FILLED";
  if (fillStatus && !(s.filled_size_cumulative > 0)) return `${s.status} with nothing executed`;
  if (s.filled_size_cumulative > 0 && !(s.avg_price > 0)) return `executed ${s.filled_size_cumulative} at no price`;
  return null;
}

/**
 * A venue query's answer about the slot's `order`: the event the stream would have carried, or, when
 * it contradicts the order (`answerContradiction`), the VENUE_MISMATCH saying why it is not booked.
 */
export function answerEvent(
  slot: SlotRecord,
  order: OrderRecord,
  s: VenueOrderState,
  nowMs: number,
): { event: VenueEvent } | { mismatch: DiagnosticRecord } {
  const why = answerContradiction(slot, order, s);
  if (why === null) return { event: eventFromOrderState(s) };
  const message = `venue's answer about slot ${slot.slot_id}'s order ${order.client_order_id} contradicts it (${why}): not booked; reconciling`;
  return { mismatch: slotMismatch(slot, message, nowMs) };
}

/**
 * A REJECT for an order that never reached (or never stayed at) the venue: nothing filled. The
 * `tag` makes the event id unique per cause (e.g. LEVERAGE, ABSENT), so a repeat dedupes.
 */
export function localReject(
  tag: string,
  clientOrderId: string,
  asset: string,
  nowMs: number,
  why: { reason: RejectReason; message: string; code?: string; retryAfterMs?: number },
): VenueEvent {
  return {
    ...nothingFilled("REJECT", tag, clientOrderId, asset, nowMs),
    reject_reason: why.reason,
    venue_message: why.message,
    ...(why.code !== undefined ? { venue_code: why.code } : {}),
    ...(why.retryAfterMs !== undefined ? { retry_after_ms: why.retryAfterMs } : {}),
  };
}

/** The REJECT (VENUE, 80016) of a PENDING_SUBMIT order the venue has never heard of. */
export function absentReject(clientOrderId: string, asset: string, nowMs: number): VenueEvent {
  return localReject("ABSENT", clientOrderId, asset, nowMs, {
    reason: "VENUE",
    code: "80016",
    message: "order not found at the venue after its placement outcome stayed unknown",
  });
}

/** The REJECT of an entry not sent because the journal cannot write its intent (logged). */
export function unjournaledReject(
  slot: SlotRecord,
  cid: string,
  nowMs: number,
  log: (line: string) => void,
): VenueEvent {
  const why = "not sent: the journal cannot be written (trading HALTED)";
  log(`slot ${slot.slot_id}: ${cid} ${why}`);
  return localReject("UNJOURNALED", cid, slot.asset, nowMs, { reason: "VENUE", message: why });
}

/**
 * The venue order for a slot's pending order, from the kernel's own record of it. An exit for the
 * slot's whole remaining size closes the position (`closes_position`).
 */
export function orderRequest(slot: SlotRecord, role: "ENTRY" | "EXIT"): OrderRequest {
  const order = role === "ENTRY" ? slot.entry_order! : slot.exit_order!;
  const whole = role === "EXIT" && sameSize(order.intended_size, slot.size);
  const positionSide = slot.side ?? "LONG";
  return {
    client_order_id: order.client_order_id,
    asset: slot.asset,
    side: order.side,
    position_side: positionSide,
    type: order.order_type,
    size: order.intended_size,
    ...(order.limit_price !== null ? { price: order.limit_price } : {}),
    reduce_only: role === "EXIT",
    ...(whole ? { closes_position: true } : {}),
    ...(role === "ENTRY" ? { leverage: slot.leverage } : {}),
  };
}

/**
 * A CANCEL_ACK, nothing filled, for an order the launcher withdrew before sending it (the kernel
 * asked it cancelled, or trading halted, while its placement waited): the kernel ends it as
 * cancelled and an entry's slot returns to IDLE. The `tag` makes the event id unique per cause.
 */
export function localCancelAck(tag: string, clientOrderId: string, asset: string, nowMs: number): VenueEvent {
  return nothingFilled("CANCEL_ACK", tag, clientOrderId, asset, nowMs);
}

/** An event of `kind` for an order the venue never took: no venue id, nothing filled, id `tag:client id`. */
function nothingFilled(
  kind: VenueEventKind,
  tag: string,
  clientOrderId: string,
  asset: string,
  nowMs: number,
): VenueEvent {
  return {
    kind,
    event_id: `${tag}:${clientOrderId}`,
    venue_order_id: "",
    client_order_id: clientOrderId,
    asset,
    filled_size_cumulative: 0,
    avg_price: 0,
    last_fill_size: 0,
    last_fill_price: 0,
    fee_cumulative: 0,
    venue_time_ms: nowMs,
  };
}

/**
 * Whether a placement that waited (for leverage) still sends its order: only while the kernel
 * holds it PENDING_SUBMIT in its working stage, and for an entry only while trading is not HALTED.
 * `withdraw`: the kernel still holds it working, so it must be told it ended before it left.
 */
export function sendCheck(
  slot: SlotRecord,
  role: "ENTRY" | "EXIT",
  cid: string,
  halted: boolean,
): { send: true } | { send: false; withdraw: boolean; why: string } {
  const order = role === "ENTRY" ? slot.entry_order : slot.exit_order;
  const stage = role === "ENTRY" ? "ENTRY_WORKING" : "EXIT_WORKING";
  if (slot.stage !== stage || order?.client_order_id !== cid || isTerminalOrder(order.status))
    return { send: false, withdraw: false, why: `the kernel no longer holds it working (${slot.stage})` };
  const haltedEntry = role === "ENTRY" && halted;
  if (order.status === "PENDING_SUBMIT" && !haltedEntry) return { send: true };
  return { send: false, withdraw: true, why: `withdrawn (${haltedEntry ? "trading HALTED" : order.status})` };
}
