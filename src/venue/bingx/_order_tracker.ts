/**
 * Per-order memory for normalization only: venue facts (stream frames and REST catch-up states)
 * become normalized events, every one of them. Classifying them is the kernel's job: a repeated
 * event id is its DUPLICATE_EVENT, a cumulative size below what it booked or an event after the
 * order's end is its STALE_EVENT (or OVERFILL), each with a diagnostic the chaos auditor counts.
 * Nothing is dropped here.
 *
 * What is normalized:
 * 1. the event id: stable per venue fact (order id + status + cumulative size), so a re-delivered
 *    frame or a stream + catch-up overlap carries the same id and dedupes in the kernel;
 * 2. `fee_cumulative` is cumulative per order. In mode "per_trade" (the default: BingX's `n`
 *    follows Binance's "commission of this trade") the fee grows by n × (cumulative gained / l),
 *    exact when no leg was skipped and a proportional estimate across a gap; an estimate that is
 *    not finite, or above both n and `FEE_RATE_MAX` of the gained notional (a tiny `l`), is
 *    replaced by n itself. In mode "cumulative" (for a venue whose `n` totals the order) `n` is
 *    taken as is. A forward REST state carries the exact cumulative commission, which replaces
 *    whatever was estimated (lower or higher);
 * 3. `last_fill_size`: what this fact added over the last forward one (not the frame's `l`, which
 *    is one trade's: across a missed leg the stream and a REST query report the same size);
 *    `last_fill_price`: the frame's last trade price `L`, a REST state's implied price of the gain;
 * 4. a REJECTED status (the venue accepted the order, then its engine refused it) is a REJECT with
 *    reject_reason VENUE, as every REJECT the kernel accepts carries a reason;
 * 5. the client order id's spelling: BingX lower-cases it; the kernel's spelling, once known for
 *    an order, is remembered here by venue order id, so a late event after the order's end (when
 *    the adapter no longer lists it as working) still reaches the kernel under the kernel's id;
 * 6. `avg_price`: exact, not the venue's rounded `ap` (_average_price.ts). Each order keeps its
 *    cumulative quote, Σ l × L over the fills seen in sequence (each frame whose `z` is the last
 *    cumulative plus its `l`), and reports the double nearest quote / z. A frame whose `z` jumps
 *    (a fill was missed), or whose `ap` strays from that average by more than its own written unit
 *    (and one price step when `ap` is on the tick: rounded to it), reports the venue's `ap`, and the quote is re-based
 *    on it (ap × z); an `ap` of 0 with every fill seen is no average and changes nothing. A forward
 *    REST state that gained (a catch-up after a gap) reports its `avg_price` (exact from
 *    `cumQuote` when the venue's answer holds one: _parse.ts) and re-bases the quote alike; one
 *    that gained nothing keeps the order's exact average within a price step of its own.
 * Only a forward fact (not after the order's end, cumulative size not below the last one) moves
 * the memory, so the sizes it reports never decrease (fees neither, but for a REST state
 * correcting an estimate); any other fact is passed on with its own cumulative size and the fee
 * already reported.
 *
 * Bounds: `ORDERS_MAX` tracked orders (ended ones are evicted first, oldest first).
 */

import { endsOrder } from "../../contracts/order_status.ts";
import type { VenueEvent, VenueOrderState } from "../../contracts/venue.ts";
import { eventId, roundQty } from "../event_id.ts";
import { agreesWithin, averageOf, decimalUnits, quoteOf } from "./_average_price.ts";
import { FEE_RATE_MAX } from "./_values.ts";
import { kindForStatus, type OrderFact } from "./normalizer.ts";

const ORDERS_MAX = 20_000;

interface Track {
  /** The kernel's spelling of the order's client id, once known. */
  cid: string | null;
  cum: number;
  fee: number;
  /** Σ quantity × price of the fills reported, exact (_average_price.ts units). */
  quote: bigint;
  ended: boolean;
}

/** The average a forward fact reports and the quote the order keeps from it. */
interface Average {
  price: number;
  quote: bigint;
}

export type StreamFeeMode = "per_trade" | "cumulative";

export class OrderTracker {
  /** `priceStepOf`: a contract's price step when its rules are known (how far a venue average may stray). */
  constructor(
    private readonly feeMode: StreamFeeMode = "per_trade",
    private readonly priceStepOf: (asset: string) => number | undefined = () => undefined,
  ) {}

  private readonly tracks = new Map<string, Track>();

  /** From a stream frame. `clientId` maps the venue's spelling back to the kernel's id. */
  fromFact(f: OrderFact, clientId: string): VenueEvent {
    const kind = kindForStatus(f.status);
    const t = this.track(f.venue_order_id);
    const forward = isForward(t, f.filled_size_cumulative);
    const gained = forward ? roundQty(f.filled_size_cumulative - t.cum) : 0;
    const perTrade = gained > 0 ? t.fee + tradeFee(f, gained) : t.fee;
    const fee = !forward ? t.fee : this.feeMode === "cumulative" ? Math.max(t.fee, f.fee_trade) : perTrade;
    const seen =
      gained === 0 ? t.quote : inSequence(t, f) ? t.quote + quoteOf(f.last_fill_size, f.last_fill_price) : null;
    const avg = forward
      ? this.settle(f.asset, seen, f.filled_size_cumulative, f.avg_price, f.avg_price_unit ?? 0)
      : { price: f.avg_price, quote: t.quote };
    return this.event(t, forward, avg.quote, {
      kind,
      event_id: eventId(f.venue_order_id, f.status, f.filled_size_cumulative),
      venue_order_id: f.venue_order_id,
      client_order_id: clientId,
      asset: f.asset,
      filled_size_cumulative: f.filled_size_cumulative,
      avg_price: avg.price,
      last_fill_size: gained,
      last_fill_price: gained > 0 ? f.last_fill_price : 0,
      fee_cumulative: fee,
      venue_time_ms: f.venue_time_ms,
    });
  }

  /** From a REST order state (catch-up or unknown-outcome resolution). */
  fromState(s: VenueOrderState, clientId: string): VenueEvent {
    const kind = kindForStatus(s.status);
    const t = this.track(s.venue_order_id);
    const forward = isForward(t, s.filled_size_cumulative);
    const gained = forward ? roundQty(s.filled_size_cumulative - t.cum) : 0;
    const avg = forward
      ? this.settle(s.asset, gained === 0 ? t.quote : null, s.filled_size_cumulative, s.avg_price, 0)
      : { price: s.avg_price, quote: t.quote };
    const lastPrice = gained > 0 ? averageOf(avg.quote - t.quote, gained) : 0;
    return this.event(t, forward, avg.quote, {
      kind,
      event_id: eventId(s.venue_order_id, s.status, s.filled_size_cumulative),
      venue_order_id: s.venue_order_id,
      client_order_id: clientId,
      asset: s.asset,
      filled_size_cumulative: s.filled_size_cumulative,
      avg_price: avg.price,
      last_fill_size: Math.max(0, gained),
      last_fill_price: lastPrice,
      fee_cumulative: forward ? s.fee_cumulative : t.fee,
      venue_time_ms: s.updated_ms,
    });
  }

  /** Remembers the kernel's spelling of an order's client id (the adapter knows it while working). */
  rememberClientId(venueOrderId: string, kernelId: string): void {
    if (venueOrderId !== "") this.track(venueOrderId).cid = kernelId;
  }

  /** The kernel's spelling of the client id of a venue order, when it was ever known. */
  clientIdOf(venueOrderId: string): string | null {
    return this.tracks.get(venueOrderId)?.cid ?? null;
  }

  /** Cumulative size already reported for an order (0 when unknown). */
  reported(venueOrderId: string): number {
    return this.tracks.get(venueOrderId)?.cum ?? 0;
  }

  /** True once a forward fact ended the order (FULL_FILL, CANCEL_ACK, REJECT). */
  hasEnded(venueOrderId: string): boolean {
    return this.tracks.get(venueOrderId)?.ended === true;
  }

  private track(orderId: string): Track {
    let t = this.tracks.get(orderId);
    if (t === undefined) {
      t = { cid: null, cum: 0, fee: 0, quote: 0n, ended: false };
      this.insert(orderId, t);
    }
    return t;
  }

  /**
   * Moves the memory for a forward fact only; every fact becomes an event either way. A REJECTED
   * order is the venue's refusal: reject_reason VENUE (the kernel refuses a REJECT without one).
   */
  private event(t: Track, forward: boolean, quote: bigint, e: VenueEvent): VenueEvent {
    if (e.kind === "REJECT") e.reject_reason = "VENUE";
    if (forward && !(e.kind === "ACK" && t.cum > 0)) {
      t.cum = e.filled_size_cumulative;
      t.fee = e.fee_cumulative;
      t.quote = quote;
      t.ended = endsOrder(e.kind);
    }
    return e;
  }

  /**
   * A forward fact's average: quote / filled when `quote` (the fills seen) is known and the venue's
   * average agrees within its written unit, or one price step when it is on the tick (or is 0: none given); else the venue's,
   * with the quote re-based on it.
   */
  private settle(asset: string, quote: bigint | null, filled: number, venue: number, venueUnit: number): Average {
    if (!(filled > 0)) return { price: venue, quote: 0n };
    if (quote !== null) {
      const exact = averageOf(quote, filled);
      const tolerance = Math.max(venueUnit, onTick(venue, this.priceStepOf(asset)) ?? 0);
      if (exact > 0 && (venue <= 0 || agreesWithin(venue, exact, tolerance))) return { price: exact, quote };
    }
    return { price: venue, quote: quoteOf(filled, venue) };
  }

  private insert(orderId: string, t: Track): void {
    if (this.tracks.size >= ORDERS_MAX) {
      let victim: string | undefined;
      for (const [k, v] of this.tracks)
        if (v.ended) {
          victim = k;
          break;
        }
      this.tracks.delete(victim ?? (this.tracks.keys().next().value as string));
    }
    this.tracks.set(orderId, t);
  }
}

/** A fact that can move the order's memory: the order has not ended and its cumulative did not shrink. */
function isForward(t: Track, cum: number): boolean {
  return !t.ended && cum >= t.cum;
}

/** `step` when `price` is on it (a venue average rounded to the tick may stray up to one), else undefined. */
function onTick(price: number, step: number | undefined): number | undefined {
  if (step === undefined || !(step > 0)) return undefined;
  const steps = price / step;
  return Math.abs(steps - Math.round(steps)) <= 1e-6 ? step : undefined;
}

/** True when the frame's `z` is the order's last cumulative plus its `l`: no fill between them was missed. */
function inSequence(t: Track, f: OrderFact): boolean {
  const cum = decimalUnits(t.cum, 8);
  return f.last_fill_size > 0 && decimalUnits(f.filled_size_cumulative, 8) === cum + decimalUnits(f.last_fill_size, 8);
}

/**
 * The commission of the fill that gained `gained`: n × gained / l, or n itself when that estimate
 * is not finite or exceeds both n and FEE_RATE_MAX of the gained notional.
 */
function tradeFee(f: OrderFact, gained: number): number {
  if (f.last_fill_size <= 0) return f.fee_trade;
  const estimate = (f.fee_trade * gained) / f.last_fill_size;
  const price = Math.max(f.last_fill_price, f.avg_price);
  const believable = estimate <= f.fee_trade || estimate <= FEE_RATE_MAX * gained * price;
  return Number.isFinite(estimate) && believable ? estimate : f.fee_trade;
}
