/**
 * The REST catch-up after a stream (re)connect: every working order is queried by client id and
 * whatever the stream may have missed is applied. One pass at a time: a (re)connect while a pass
 * runs asks for one more pass after it (requests coalesce), so a flapping stream can never have
 * several passes query the same orders at once.
 *
 * Entry points: `CatchUps` (`request`, `running`), `catchUp` (one pass).
 */

import type { VenueOrderState } from "../../contracts/venue.ts";
import type { Outlets } from "./_outlets.ts";
import { parseOrder } from "./_parse.ts";
import type { WorkingOrders } from "./_working_orders.ts";
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

/**
 * Queries every working order by client id and applies whatever the stream may have missed; one
 * the venue has none of (109421, 80016 before) is forgotten as working unless its placement runs (`forgetAbsent`).
 */
export async function catchUp(
  working: WorkingOrders,
  rest: BingxRestClient,
  out: Outlets,
  applyState: (s: VenueOrderState) => void,
): Promise<void> {
  for (const w of working.all()) {
    try {
      const s = parseOrder(await rest.request(ep.queryOrder(w.asset, w.cid)));
      if (s) applyState(s);
    } catch (err) {
      if (err instanceof VenueRequestError && err.orderAbsent) {
        working.forgetAbsent(w.cid);
        continue;
      }
      out.diag({
        code: "STREAM_GAP",
        message: `catch-up query for ${w.cid} failed: ${out.clean((err as Error).message)}`,
      });
    }
  }
}
