/**
 * The venue's pushes, checked at once rather than at the next live reconciliation pass: each leverage
 * (`_leverage_push.ts`), and each change of positions (`VenueAdapter.onPositions`; BingX's user stream
 * ACCOUNT_UPDATE). A position changed behind the kernel's back — a liquidation or ADL, a close on the
 * exchange's page — carries no order of the kernel's, so no fill reaches it: before, the kernel learned
 * of it at the next pass (30 s by default), meanwhile sending exits against a position that was gone.
 *
 * A push is a hint, the venue's read is the truth: a push that disagrees with the kernel's belief for an
 * asset and side (the sizes of the slots holding it, `sameSize`) asks for one live reconciliation pass,
 * which reads the venue, confirms with a second read and converges the slots as a timed pass does
 * (VENUE_MISMATCH, ORPHAN_POSITION). A push about an asset with an order of the kernel's working on it is
 * no news: that order's own fills explain it, and their events are on their way. Nothing is asked while
 * live reconciliation is off (`DITA_V2_RECONCILE_INTERVAL_MS=0`: the operator's choice) or once shutdown
 * began. Bounded: one pass at a time, and at most `PASSES_MAX` for one run of pushes: one more after the
 * first while pushes with news came meanwhile or the latest pushes still disagree (a timed pass already
 * running when the push came is the one awaited, and it may have read the venue before the change); a
 * disagreement no pass can end (a position no slot owns: one ORPHAN_POSITION) costs two passes, not more.
 *
 * Entry points: `watchVenuePushes(d)` (returns the unsubscribe), `positionPushNews(slots, pushed)`.
 */

import { stageWorkingOrder } from "../contracts/order_status.ts";
import type { SlotRecord } from "../contracts/records.ts";
import type { VenuePositionPush } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { type LeveragePushDeps, watchLeveragePushes } from "./_leverage_push.ts";
import { sameSize } from "./_reconcile_truth.ts";

/** Passes one run of pushes asks for at most: one, and one more while the latest pushes still disagree. */
const PASSES_MAX = 2;

/** Whether `pushed` disagrees with what the kernel's slots hold on an asset no order of theirs is working on. */
export function positionPushNews(slots: readonly SlotRecord[], pushed: readonly VenuePositionPush[]): boolean {
  const working = new Set(slots.filter((s) => stageWorkingOrder(s) !== null).map((s) => s.asset));
  return pushed.some((p) => {
    if (working.has(p.asset)) return false;
    const held = slots
      .filter((s) => s.asset === p.asset && s.side === p.side && s.stage !== "IDLE" && s.stage !== "CLOSED")
      .reduce((n, s) => n + s.size, 0);
    return !sameSize(held, p.size);
  });
}

export interface VenuePushDeps extends LeveragePushDeps {
  kernel: ExecutionKernel;
  venue: LeveragePushDeps["venue"] & {
    onPositions?(listener: (pushed: readonly VenuePositionPush[]) => void): () => void;
  };
  /** One live reconciliation pass (the running one when one runs); null while live reconciliation is off. */
  reconcile: (() => Promise<unknown>) | null;
}

/** Subscribes to the venue's leverage and position pushes (see the header); returns the unsubscribe. */
export function watchVenuePushes(d: VenuePushDeps): () => void {
  const leverage = watchLeveragePushes(d);
  const reconcile = d.reconcile;
  if (reconcile === null || d.venue.onPositions === undefined) return leverage;
  let running = false;
  let again = false;
  /** The latest push of each asset and side: still news after a pass, the pass may have read before it. */
  const latest = new Map<string, VenuePositionPush>();
  const pass = async () => {
    running = true;
    try {
      for (let n = 1; ; n++) {
        again = false;
        await reconcile(); // a timed pass already running is the one awaited: it may have read before the change
        const still = positionPushNews(d.kernel.slots(), [...latest.values()]);
        if (d.stopped() || n >= PASSES_MAX || !(again || still)) break;
      }
    } catch (e) {
      d.log(`position push: reconciliation failed: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`);
    } finally {
      running = false;
    }
  };
  const positions = d.venue.onPositions((pushed) => {
    for (const p of pushed) latest.set(`${p.asset}:${p.side}`, p);
    if (d.stopped() || !positionPushNews(d.kernel.slots(), pushed)) return;
    if (running) again = true;
    else void pass();
  });
  return () => {
    leverage();
    positions();
  };
}
