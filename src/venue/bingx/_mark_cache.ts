/**
 * Marks known before an order is placed, so the min-notional pre-check of a MARKET order makes no
 * venue round trip: the cache is primed at connect with every contract's mark in one request
 * (premiumIndex without a symbol), fed by every fill the user stream reports (its price), and
 * read again in one request, off the order path, after an order found its asset's mark stale.
 * `peek` answers from memory only; a mark older than MARK_MAX_AGE_MS counts as unknown, and the
 * pre-check is then skipped (the venue judges the notional itself and refuses a small order).
 * There is no timer: requests happen at connect and after placements only, in their order, so a
 * test or a chaos run that counts requests or consumes injected faults sees no request of its own.
 * Each mark keeps the venue time it was observed at (a fill's trade time; a read's start), is aged
 * from it (a fill reported late is as old as its trade), and an older observation never replaces a newer one: a fill event delivered late does not overwrite a
 * fresher read.
 *
 * Entry points: `MarkCache`, `MARK_MAX_AGE_MS`, `allMarksRequest`.
 */

import { isRecord, num } from "./_values.ts";
import { PATHS } from "./endpoints.ts";
import type { RestRequest } from "./rest_client.ts";

export const MARK_MAX_AGE_MS = 30_000;
const ASSETS_MAX = 4096;

/** Every contract's mark in one public request. */
export function allMarksRequest(): RestRequest {
  return { method: "GET", path: PATHS.premiumIndex, params: {}, signed: false };
}

export class MarkCache {
  private readonly marks = new Map<string, { price: number; at_ms: number; seen_venue_ms: number }>();
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly fetchAll: () => Promise<unknown>,
    private readonly nowMs: () => number,
    /** The venue's clock as the client estimates it (observations are ordered by it). */
    private readonly venueNowMs: () => number = nowMs,
  ) {}

  /** One request for every mark; concurrent callers share it. A failure leaves the cache as it was. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const seen = this.venueNowMs(); // the marks are at least this recent
        const data = await this.fetchAll();
        for (const entry of Array.isArray(data) ? data : [data]) {
          if (isRecord(entry) && typeof entry.symbol === "string") this.set(entry.symbol, num(entry.markPrice), seen);
        }
      } catch {
        // The next order that finds its mark stale asks again; meanwhile the venue judges notional.
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** A mark observed at venue time `seenVenueMs`; ignored when the cache holds a newer one. */
  set(asset: string, price: number | undefined, seenVenueMs: number): void {
    if (price === undefined || !(price > 0) || !Number.isFinite(price)) return;
    const held = this.marks.get(asset);
    if (held !== undefined && held.seen_venue_ms > seenVenueMs) return;
    if (held === undefined && this.marks.size >= ASSETS_MAX) return;
    // Aged from its observation: a fill reported late (a catch-up's state) is as old as its trade.
    const age = Math.max(0, this.venueNowMs() - seenVenueMs);
    this.marks.set(asset, { price, at_ms: this.nowMs() - age, seen_venue_ms: seenVenueMs });
  }

  /** The mark from memory when it is fresh enough; never a venue call. */
  peek(asset: string): number | undefined {
    const m = this.marks.get(asset);
    return m !== undefined && this.nowMs() - m.at_ms <= MARK_MAX_AGE_MS ? m.price : undefined;
  }

  stale(asset: string): boolean {
    return this.peek(asset) === undefined;
  }
}
