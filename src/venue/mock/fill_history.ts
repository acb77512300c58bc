/**
 * The mock venue's fill history: one record per execution (leg), in booking order, with the
 * quantity, price and fee of that leg, as a venue's fill history endpoint reports them. Auditors
 * compare the kernel's average prices and realized PnL with it.
 *
 * Invariants: a record's quantity and price are > 0; at most `FILLS_MAX` are kept (oldest
 * dropped first). Entry points: `FillHistory`, `MockFill`.
 */

import type { OrderRequest, VenueEvent } from "../../contracts/venue.ts";

export const FILLS_MAX = 100_000;

export interface MockFill {
  client_order_id: string;
  venue_order_id: string;
  asset: string;
  side: OrderRequest["side"];
  position_side: OrderRequest["position_side"];
  qty: number;
  price: number;
  fee: number;
}

export class FillHistory {
  private readonly fills: MockFill[] = [];

  /** Records the fills that `events` (one order's, in order) describe; `feeBefore` is the order's fee before them. */
  record(r: OrderRequest, events: readonly VenueEvent[], feeBefore: number): void {
    let fee = feeBefore;
    for (const e of events) {
      if (e.kind !== "PARTIAL_FILL" && e.kind !== "FULL_FILL") continue;
      if (!(e.last_fill_size > 0 && e.last_fill_price > 0))
        throw new Error(`Invariant: a mock fill needs qty, price > 0 (${e.event_id})`);
      if (this.fills.length >= FILLS_MAX) this.fills.splice(0, FILLS_MAX / 10);
      this.fills.push({
        client_order_id: r.client_order_id,
        venue_order_id: e.venue_order_id,
        asset: r.asset,
        side: r.side,
        position_side: r.position_side,
        qty: e.last_fill_size,
        price: e.last_fill_price,
        fee: e.fee_cumulative - fee,
      });
      fee = e.fee_cumulative;
    }
  }

  all(): MockFill[] {
    return this.fills.map((f) => ({ ...f }));
  }
}
