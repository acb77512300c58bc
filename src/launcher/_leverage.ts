/**
 * The venue leverage this process set, per `asset:side` (the venue keeps it per symbol and side).
 * A value already set takes no venue call; entries that need the same value while its call is in
 * flight share that call (a burst would otherwise meet the venue's leverage rate limit). Setting
 * leverage is idempotent, so a failure is retried twice: after the venue's hint for a rate limit
 * (at most 5 s), else after a short pause; the last failure is thrown. A value is forgotten as
 * soon as a call for another one is sent: a call whose answer is lost may have changed it.
 *
 * A leverage that could not be set rejects the entry (`leverageReject`, nothing is placed): trading
 * at a leverage other than the one the strategy asked for is not an acceptable fallback.
 *
 * Entry points: `new LeverageCache(venue, sleep)`, `isSet`, `ensure`; `leverageReject`.
 */

import type { SlotRecord } from "../contracts/records.ts";
import { type PositionSide, rateLimited, type VenueAdapter, type VenueEvent } from "../contracts/venue.ts";
import { localReject } from "./_order_event.ts";

/** The longest wait for a venue's rate-limit hint before an idempotent call is sent again. */
export const RETRY_WAIT_MAX_MS = 5_000;

export class LeverageCache {
  private readonly set = new Map<string, number>();
  private readonly inFlight = new Map<string, { leverage: number; done: Promise<void> }>();

  constructor(
    private readonly venue: VenueAdapter,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  isSet(asset: string, side: PositionSide, leverage: number): boolean {
    return this.set.get(`${asset}:${side}`) === leverage;
  }

  /** Sets the leverage unless this process already set that value (or joins the call setting it). */
  ensure(asset: string, side: PositionSide, leverage: number): Promise<void> {
    const key = `${asset}:${side}`;
    if (this.isSet(asset, side, leverage)) return Promise.resolve();
    const pending = this.inFlight.get(key);
    if (pending?.leverage === leverage) return pending.done;
    const done = this.send(key, asset, side, leverage).finally(() => {
      if (this.inFlight.get(key)?.done === done) this.inFlight.delete(key);
    });
    this.inFlight.set(key, { leverage, done });
    return done;
  }

  private async send(key: string, asset: string, side: PositionSide, leverage: number): Promise<void> {
    // Until this call answers, the venue's value is unknown: one that fails may still have taken effect.
    this.set.delete(key);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.venue.setLeverage(asset, side, leverage);
        this.set.set(key, leverage);
        return;
      } catch (e) {
        if (attempt >= 2) throw e;
        const limited = rateLimited(e);
        const hint = limited ? (limited.retry_after_ms ?? 500) : 100 * 3 ** attempt;
        await this.sleep(Math.min(Math.max(hint, 50), RETRY_WAIT_MAX_MS));
      }
    }
  }
}

/** The local REJECT of an entry whose leverage could not be set (RATE_LIMITED with the hint, else VENUE). */
export function leverageReject(e: unknown, clientOrderId: string, slot: SlotRecord, nowMs: number): VenueEvent {
  const limited = rateLimited(e);
  const text = e instanceof Error ? e.message : String(e);
  return localReject("LEVERAGE", clientOrderId, slot.asset, nowMs, {
    reason: limited ? "RATE_LIMITED" : "VENUE",
    ...(limited?.retry_after_ms !== undefined ? { retryAfterMs: limited.retry_after_ms } : {}),
    message: `leverage ${slot.leverage} could not be set: ${text.slice(0, 120)}`,
  });
}
