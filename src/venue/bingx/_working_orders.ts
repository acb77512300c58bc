/**
 * The orders this process works at BingX, keyed by the venue's spelling of the client id (BingX
 * lower-cases it): the kernel's spelling, the asset, and the venue order id once known. Stream
 * frames and REST states are mapped back to the kernel's spelling here; for a late event after an
 * order ended (no longer listed), the order tracker's memory of that venue order answers.
 *
 * Bound: `WORKING_MAX` orders; `track` refuses more (the caller still places the order: only the
 * spelling map and the catch-up are lost for it).
 *
 * Entry points: `new WorkingOrders(tracker)`, `catchUp`.
 */

import type { VenueOrderState } from "../../contracts/venue.ts";
import type { OrderTracker } from "./_order_tracker.ts";
import type { Outlets } from "./_outlets.ts";
import { parseOrder } from "./_parse.ts";
import * as ep from "./endpoints.ts";
import { VenueRequestError } from "./errors.ts";
import type { BingxRestClient } from "./rest_client.ts";

export const WORKING_MAX = 10_000;

export interface WorkingOrder {
  cid: string;
  asset: string;
  venue_order_id: string;
}

export class WorkingOrders {
  private readonly byVenueSpelling = new Map<string, WorkingOrder>();

  constructor(private readonly tracker: OrderTracker) {}

  /** Starts working an order (placement, or a restart adopting one). False past the bound. */
  track(cid: string, asset: string): boolean {
    const k = cid.toLowerCase();
    if (this.byVenueSpelling.has(k)) return true;
    if (this.byVenueSpelling.size >= WORKING_MAX) return false;
    this.byVenueSpelling.set(k, { cid, asset, venue_order_id: "" });
    return true;
  }

  untrack(cid: string): void {
    this.byVenueSpelling.delete(cid.toLowerCase());
  }

  get(cid: string): WorkingOrder | undefined {
    return this.byVenueSpelling.get(cid.toLowerCase());
  }

  all(): WorkingOrder[] {
    return [...this.byVenueSpelling.values()];
  }

  /**
   * The kernel's spelling of a client id: from the working orders, else (a late event after the
   * order ended) from the tracker's memory of that venue order, else the venue's spelling.
   */
  kernelId(venueSpelling: string, venueOrderId = ""): string {
    const working = this.byVenueSpelling.get(venueSpelling.toLowerCase())?.cid;
    if (working !== undefined) {
      this.tracker.rememberClientId(venueOrderId, working);
      return working;
    }
    return this.tracker.clientIdOf(venueOrderId) ?? venueSpelling;
  }
}

/** Queries every working order by client id and applies whatever the stream may have missed. */
export async function catchUp(
  working: readonly WorkingOrder[],
  rest: BingxRestClient,
  out: Outlets,
  applyState: (s: VenueOrderState) => void,
): Promise<void> {
  for (const w of working) {
    try {
      const s = parseOrder(await rest.request(ep.queryOrder(w.asset, w.cid)));
      if (s) applyState(s);
    } catch (err) {
      if (err instanceof VenueRequestError && err.code === 80016) continue;
      out.diag({
        code: "STREAM_GAP",
        message: `catch-up query for ${w.cid} failed: ${out.clean((err as Error).message)}`,
      });
    }
  }
}
