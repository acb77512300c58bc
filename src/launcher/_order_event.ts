/**
 * What the launcher builds itself for and from the venue: the order request for a slot's pending
 * order (from the kernel's own record of it); what a venue query says about an order, as the
 * event the stream would have carried (same event id scheme as src/venue/event_id.ts, so a fact
 * seen on both paths dedupes in the kernel); and a REJECT for an order the venue never placed.
 */

import type { SlotRecord } from "../contracts/records.ts";
import type { OrderRequest, RejectReason, VenueEvent, VenueEventKind, VenueOrderState } from "../contracts/venue.ts";
import { eventId } from "../venue/index.ts";

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
    kind: "REJECT",
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
    reject_reason: why.reason,
    venue_message: why.message,
    ...(why.code !== undefined ? { venue_code: why.code } : {}),
    ...(why.retryAfterMs !== undefined ? { retry_after_ms: why.retryAfterMs } : {}),
  };
}

/** The venue order for a slot's pending order, from the kernel's own record of it. */
export function orderRequest(slot: SlotRecord, role: "ENTRY" | "EXIT"): OrderRequest {
  const order = role === "ENTRY" ? slot.entry_order! : slot.exit_order!;
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
    ...(role === "ENTRY" ? { leverage: slot.leverage } : {}),
  };
}
