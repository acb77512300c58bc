/**
 * The REST catch-up after a stream (re)connect: every working order is queried by client id and
 * whatever the stream may have missed is applied. One pass at a time: a (re)connect while a pass
 * runs asks for one more pass after it (requests coalesce), so a flapping stream can never have
 * several passes query the same orders at once. An order whose query failed (not "no such order")
 * is queried again after a pause, a few times: a stream gap plus one failed query must not lose a fill.
 * An answer that does not read as an order (_parse.ts `parseOrder`) is a MALFORMED_PAYLOAD naming
 * the client id; nothing is applied.
 *
 * Entry points: `CatchUps` (`request`, `running`), `catchUp` (one pass).
 */

import type { VenueOrderState } from "../../contracts/venue.ts";
import type { Outlets } from "./_outlets.ts";
import { parseOrder } from "./_parse.ts";
import type { WorkingOrder, WorkingOrders } from "./_working_orders.ts";
import * as ep from "./endpoints.ts";
import { VenueRequestError } from "./errors.ts";
import type { BingxRestClient } from "./rest_client.ts";

/** Runs catch-up passes one at a time; requests made during a pass become one more pass. */
export class CatchUps {
  private active = false;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts a pass now, or (one is running) once more after it. */
  request(): void {
    if (this.active) {
      this.again = true;
      return;
    }
    void this.loop();
  }

  running(): boolean {
    return this.active;
  }

  private async loop(): Promise<void> {
    this.active = true;
    try {
      do {
        this.again = false;
        await this.pass().catch(this.onError);
      } while (this.again);
    } finally {
      this.active = false;
    }
  }
}

/** Pauses before a failed catch-up query is sent again: 0.25 s, 1 s, 4 s, 10 s (then it is reported lost). */
export const CATCH_UP_RETRY_MS: readonly number[] = [250, 1000, 4000, 10_000];

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms) as { unref?: () => void };
    t.unref?.();
  });

/**
 * Queries every working order by client id and applies whatever the stream may have missed; one
 * the venue has none of (109421, 80016 before) is forgotten as working unless its placement runs (`forgetAbsent`; one
 * the venue had accepted at its second such answer).
 * A query that fails otherwise (5xx, timeout, rate limit) is sent again after `retryMs` pauses (a
 * venue hint, when longer, waited out up to 60 s): the stream missed that order's frames too, and
 * no later pass comes before the next reconnect. One still failing after the last pause is a STREAM_GAP.
 */
export async function catchUp(
  working: WorkingOrders,
  rest: BingxRestClient,
  out: Outlets,
  applyState: (s: VenueOrderState) => void,
  retryMs: readonly number[] = CATCH_UP_RETRY_MS,
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<void> {
  let pending = working.all();
  for (let round = 0; pending.length > 0; round++) {
    const failed: Array<{ w: WorkingOrder; hintMs: number }> = [];
    for (const w of pending) {
      // Ended (and let go) or forgotten meanwhile: nothing left to catch up for it.
      if (round > 0 && working.exact(w.cid) !== w) continue;
      try {
        const s = parseOrder(await rest.request(ep.queryOrder(w.asset, w.cid)));
        if (s) applyState(s);
        else
          out.diag({
            code: "MALFORMED_PAYLOAD",
            message: `catch-up query for ${w.cid}: answer unreadable, nothing applied`,
          });
      } catch (err) {
        if (err instanceof VenueRequestError && err.orderAbsent) {
          working.forgetAbsent(w.cid);
          continue;
        }
        const last = round >= retryMs.length;
        out.diag({
          code: "STREAM_GAP",
          message: `catch-up query for ${w.cid} failed (try ${round + 1} of ${retryMs.length + 1}${last ? ", giving up until the next reconnect" : ""}): ${out.clean((err as Error).message)}`,
        });
        if (!last) failed.push({ w, hintMs: err instanceof VenueRequestError ? (err.retry_after_ms ?? 0) : 0 });
      }
    }
    if (failed.length === 0) return;
    await sleep(Math.max(retryMs[round] ?? 0, Math.min(60_000, Math.max(...failed.map((f) => f.hintMs)))));
    pending = failed.map((f) => f.w);
  }
}
