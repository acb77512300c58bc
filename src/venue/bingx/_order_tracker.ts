/**
 * Per-order memory that turns venue facts (stream frames and REST catch-up states) into a clean
 * event sequence for the kernel:
 * 1. an event id already emitted is dropped (duplicate delivery, or stream + catch-up overlap);
 * 2. a fact whose cumulative size is below the last emitted one for the order is dropped (stale,
 *    reordered), as is an ACK after a fill and anything after a terminal event;
 * 3. `fee_cumulative` is cumulative per order. In mode "per_trade" (the default: BingX's `n`
 *    follows Binance's "commission of this trade") the fee grows by n × (cumulative gained / l),
 *    exact when no leg was skipped and a proportional estimate across a gap. In mode
 *    "cumulative" (`n` already totals the order, as bingx-sim sends it) `n` is taken as is. A REST
 *    state carries the exact cumulative commission, which replaces the estimate. Never decreasing.
 * Hence emitted cumulative sizes and fees are monotonic per order.
 *
 * Bounds: `ORDERS_MAX` tracked orders (terminal ones are evicted first, oldest first) and
 * `SEEN_MAX` remembered event ids (oldest forgotten first).
 */

import type { VenueEvent, VenueOrderState } from "../../contracts/venue.ts";
import { eventId, roundQty } from "../_event_id.ts";
import { kindForStatus, type OrderFact } from "./normalizer.ts";

const ORDERS_MAX = 20_000;
const SEEN_MAX = 100_000;

interface Track {
  cum: number;
  fee: number;
  avg: number;
  terminal: boolean;
}

export type StreamFeeMode = "per_trade" | "cumulative";

export class OrderTracker {
  constructor(private readonly feeMode: StreamFeeMode = "per_trade") {}

  private readonly tracks = new Map<string, Track>();
  private readonly seen = new Set<string>();

  /** From a stream frame. `clientId` maps the venue's spelling back to the kernel's id. */
  fromFact(f: OrderFact, clientId: string): VenueEvent | null {
    const kind = kindForStatus(f.status);
    const id = eventId(f.venue_order_id, f.status, f.filled_size_cumulative);
    const t = this.admit(id, f.venue_order_id, kind, f.filled_size_cumulative);
    if (!t) return null;
    const gained = roundQty(f.filled_size_cumulative - t.cum);
    const perTrade =
      gained > 0 ? t.fee + (f.last_fill_size > 0 ? (f.fee_trade * gained) / f.last_fill_size : f.fee_trade) : t.fee;
    const fee = this.feeMode === "cumulative" ? Math.max(t.fee, f.fee_trade) : perTrade;
    return this.commit(t, id, {
      kind,
      venue_order_id: f.venue_order_id,
      client_order_id: clientId,
      asset: f.asset,
      filled_size_cumulative: f.filled_size_cumulative,
      avg_price: f.avg_price,
      last_fill_size: gained > 0 ? f.last_fill_size : 0,
      last_fill_price: gained > 0 ? f.last_fill_price : 0,
      fee_cumulative: fee,
      venue_time_ms: f.venue_time_ms,
    });
  }

  /** From a REST order state (catch-up or unknown-outcome resolution). */
  fromState(s: VenueOrderState, clientId: string): VenueEvent | null {
    const kind = kindForStatus(s.status);
    const id = eventId(s.venue_order_id, s.status, s.filled_size_cumulative);
    const t = this.admit(id, s.venue_order_id, kind, s.filled_size_cumulative);
    if (!t) return null;
    const gained = roundQty(s.filled_size_cumulative - t.cum);
    const lastPrice = gained > 0 ? (s.avg_price * s.filled_size_cumulative - t.avg * t.cum) / gained : 0;
    return this.commit(t, id, {
      kind,
      venue_order_id: s.venue_order_id,
      client_order_id: clientId,
      asset: s.asset,
      filled_size_cumulative: s.filled_size_cumulative,
      avg_price: s.avg_price,
      last_fill_size: Math.max(0, gained),
      last_fill_price: Math.max(lastPrice, 0),
      fee_cumulative: Math.max(t.fee, s.fee_cumulative),
      venue_time_ms: s.updated_ms,
    });
  }

  /** Cumulative size already reported for an order (0 when unknown). */
  reported(venueOrderId: string): number {
    return this.tracks.get(venueOrderId)?.cum ?? 0;
  }

  isTerminal(venueOrderId: string): boolean {
    return this.tracks.get(venueOrderId)?.terminal === true;
  }

  private admit(id: string, orderId: string, kind: VenueEvent["kind"], cum: number): Track | null {
    if (this.seen.has(id)) return null;
    const t = this.tracks.get(orderId) ?? { cum: 0, fee: 0, avg: 0, terminal: false };
    if (t.terminal) return null;
    if (cum < t.cum) return null;
    if (kind === "ACK" && t.cum > 0) return null;
    if (!this.tracks.has(orderId)) this.insert(orderId, t);
    return t;
  }

  private commit(t: Track, id: string, e: Omit<VenueEvent, "event_id">): VenueEvent {
    t.cum = e.filled_size_cumulative;
    t.fee = e.fee_cumulative;
    t.avg = e.avg_price;
    t.terminal = e.kind === "FULL_FILL" || e.kind === "CANCEL_ACK" || e.kind === "REJECT";
    this.remember(id);
    return { ...e, event_id: id };
  }

  private insert(orderId: string, t: Track): void {
    if (this.tracks.size >= ORDERS_MAX) {
      let victim: string | undefined;
      for (const [k, v] of this.tracks)
        if (v.terminal) {
          victim = k;
          break;
        }
      this.tracks.delete(victim ?? (this.tracks.keys().next().value as string));
    }
    this.tracks.set(orderId, t);
  }

  private remember(id: string): void {
    if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.values().next().value as string);
    this.seen.add(id);
  }
}
