/**
 * Turns what a venue query says about an order into the normalized event the stream would have
 * carried, with the same event id scheme (src/venue/_event_id.ts), so a fact seen on both paths
 * dedupes in the kernel. Used to resolve hung orders and unknown outcomes by query.
 */

import type { VenueEvent, VenueEventKind, VenueOrderState } from "../contracts/venue.ts";
import { eventId } from "../venue/index.ts";

const KIND_BY_STATUS: Record<VenueOrderState["status"], VenueEventKind> = {
  NEW: "ACK", PARTIALLY_FILLED: "PARTIAL_FILL", FILLED: "FULL_FILL", CANCELED: "CANCEL_ACK", EXPIRED: "CANCEL_ACK", REJECTED: "REJECT",
};

export function eventFromOrderState(s: VenueOrderState): VenueEvent {
  return {
    kind: KIND_BY_STATUS[s.status], event_id: eventId(s.venue_order_id, s.status, s.filled_size_cumulative),
    venue_order_id: s.venue_order_id, client_order_id: s.client_order_id, asset: s.asset,
    filled_size_cumulative: s.filled_size_cumulative, avg_price: s.avg_price, last_fill_size: 0, last_fill_price: 0,
    fee_cumulative: s.fee_cumulative, venue_time_ms: s.updated_ms, ...(s.status === "REJECTED" ? { reject_reason: "VENUE" as const } : {}),
  };
}
