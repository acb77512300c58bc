/**
 * The kernel's spellings of client ids of orders this process does not work, by the venue's lower-cased id (BingX
 * lower-cases client ids), so that an event of one that comes after all still reaches the kernel under the kernel's id
 * (`WorkingOrders.kernelId`). Two sources:
 *
 * - an order forgotten as absent (`WorkingOrders.forgetAbsent`): the venue's "no such order" may be only its lag, and
 *   the order may land late;
 * - after a restart, which loses the working orders and this memory alike, the orders the kernel's slots name (each
 *   slot's entry and exit, working or ended: `restoredOrder`, from the launcher's `rememberClientIds` once the belief is
 *   restored). One taken as ended that lands only after the restart (its lookup at start found nothing, or none was
 *   made) is the kernel's: under the venue's spelling the kernel refused its events as UNKNOWN_ORDER or, routing them
 *   by venue order id, took them as not the order's own (an ended exit's late fill an OVERFILL, not the exit's).
 *
 * Each is kept as the `WorkingOrder` record `sameOrder` (_working_orders.ts) judges: its asset, its venue order id when
 * known, and when it was sent (after a restart: when the kernel created it, in venue ms). Another venue order under its
 * lower-cased id (another venue order id or symbol, or created more than CREATED_MARGIN_MS before it: an old order under
 * a reused id) is not it and keeps the venue's spelling.
 *
 * Bounds: the last FORGOTTEN_MAX spellings, the oldest kept dropped first: only an order landing after FORGOTTEN_MAX
 * later ones were kept still reaches the kernel under the venue's spelling.
 *
 * Entry points: `new ForgottenOrders()` (`keep`, `get`), `restoredOrder`, `FORGOTTEN_MAX`.
 */

import type { RestoredOrder } from "../../contracts/venue.ts";
import type { WorkingOrder } from "./_working_orders.ts";

export const FORGOTTEN_MAX = 4096;

export class ForgottenOrders {
  /** By the venue's spelling (lower-cased), oldest first. */
  private readonly byVenueSpelling = new Map<string, WorkingOrder>();

  /** Keeps `w`'s spelling, as the newest (one kept under its lower-cased id before is replaced). */
  keep(w: WorkingOrder): void {
    const k = w.cid.toLowerCase();
    this.byVenueSpelling.delete(k);
    this.byVenueSpelling.set(k, w);
    if (this.byVenueSpelling.size > FORGOTTEN_MAX)
      this.byVenueSpelling.delete(this.byVenueSpelling.keys().next().value!);
  }

  /** The order kept under client id `venueSpelling` in any case, if any. */
  get(venueSpelling: string): WorkingOrder | undefined {
    return this.byVenueSpelling.get(venueSpelling.toLowerCase());
  }
}

/** A slot's order at a restart as the record kept: sent when the kernel created it (local ms plus `offsetMs`: venue ms). */
export function restoredOrder(o: RestoredOrder, offsetMs: number): WorkingOrder {
  const sentMs = o.created_at_ms + offsetMs;
  return { cid: o.client_order_id, asset: o.asset, venue_order_id: o.venue_order_id, placing: false, sent_ms: sentMs };
}
