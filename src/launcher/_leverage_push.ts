/**
 * Leverage pushes: each leverage the venue pushes (`VenueAdapter.onLeverage`; BingX's user stream
 * ACCOUNT_CONFIG_UPDATE, pushed at connect, on a change and periodically) is checked at once by the
 * leverage watch's own check (`checkLeverage` in _leverage_watch.ts, for that asset alone). A leverage
 * changed behind this process's back is then reported (the same VENUE_MISMATCH, field LEVERAGE, once
 * between pushes and passes) and forgotten by the cache (the next entry sets it again) within a read's
 * round trip, not at the next live reconciliation pass, and also while live reconciliation is off.
 *
 * A push is a hint, the venue's read is the truth. The push's values are first judged as a read's
 * would be (`judgeLeverage`, the one comparison); only a push that would change what was reported (a
 * new disagreement, a remembered value it contradicts, or agreement with a reported one) leads to a
 * check, whose read (`leverageOf`) decides. So a push about an asset this process never set and no
 * slot trades is ignored, a repeat of a known state costs no read, and a push raced by a leverage
 * call of this process (one pushed before the call took effect and delivered after its answer, or one
 * arriving while the call is out) is never taken as a change: a check waits for the asset's calls out
 * to settle, then reads the venue as it is after them, and a read a call raced is void
 * (`LeverageCache.verify`, as for a pass; the check is then made again after that call).
 *
 * Bounded: one check of an asset at a time; the pushes that come meanwhile, or a call that voided
 * its read, ask for one more check after it, not one each, at most `CHECKS_MAX` per push. A listener
 * never throws (a failure is a log line). Nothing is checked or reported once shutdown began
 * (`stopped`).
 *
 * Entry points: `watchLeveragePushes(d)` (returns the unsubscribe), `leveragePushNews`.
 */

import type { VenueLeverage, VenueLeverageListener } from "../contracts/venue.ts";
import {
  checkLeverage,
  judgeLeverage,
  type LeverageWatchDeps,
  type PassRead,
  tradingSides,
} from "./_leverage_watch.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";

/** The most checks one push leads to (more pushes or calls meanwhile: one each, up to this). */
const CHECKS_MAX = 4;

/** What the push watch needs: the watch's deps, the venue's pushes, and a sleep for rate-limit waits. */
export interface LeveragePushDeps extends LeverageWatchDeps {
  venue: LeverageWatchDeps["venue"] & { onLeverage(listener: VenueLeverageListener): () => void };
  sleep(ms: number): Promise<void>;
}

/**
 * Whether `pushed` would change what the watch reported: a new disagreement, a value this process set
 * (and the cache still remembers) that the push contradicts, whatever was reported before (the check
 * makes the cache forget it), or agreement with a reported one; or, while a call of that asset is out
 * (what it sets is not remembered until it answers), any push about an asset with a finding reported:
 * the call may be what ends it.
 */
export function leveragePushNews(d: Pick<LeverageWatchDeps, "kernel" | "executor">, pushed: VenueLeverage): boolean {
  const cache = d.executor.leverage;
  const reported = cache.reported;
  if (cache.calling(pushed.asset) && [...reported.keys()].some((key) => key.startsWith(`${pushed.asset}:`)))
    return true;
  const venue = new Map([[pushed.asset, { LONG: pushed.long, SHORT: pushed.short }]]);
  const judged = judgeLeverage(venue, (a, s) => cache.remembered(a, s), tradingSides(d.kernel.slots()));
  return (
    judged.found.some((f) => f.set || reported.get(`${f.asset}:${f.side}`) !== f.venue) ||
    [...judged.agreed].some((key) => reported.has(key))
  );
}

/** Subscribes to the venue's leverage pushes: each one with news is checked at once (see the header). */
export function watchLeveragePushes(d: LeveragePushDeps): () => void {
  const by = "leverage push";
  const read: PassRead = (what, call) => readWithRateLimitWaits(`${by}: ${what}`, call, d.log, { sleep: d.sleep });
  const failed = (e: unknown) => d.log(`${by}: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`);
  /** Per asset under check: whether a push with news came meanwhile (then one more check after). */
  const checking = new Map<string, boolean>();
  const check = async (asset: string) => {
    const cache = d.executor.leverage;
    try {
      for (let round = 1; ; round++) {
        checking.set(asset, false);
        await cache.settled(asset); // a call of this process out: the venue is read after its answer
        if (d.stopped()) break;
        await checkLeverage(d, read, by, asset);
        // Again after a push with news came meanwhile, or a call asked during the read (it voided it).
        const again = checking.get(asset) === true || cache.calling(asset);
        if (!again || d.stopped() || round >= CHECKS_MAX) break;
      }
    } catch (e) {
      failed(e);
    } finally {
      checking.delete(asset);
    }
  };
  return d.venue.onLeverage((pushed) => {
    try {
      if (d.stopped() || !leveragePushNews(d, pushed)) return;
      if (checking.has(pushed.asset)) checking.set(pushed.asset, true);
      else void check(pushed.asset);
    } catch (e) {
      failed(e);
    }
  });
}
