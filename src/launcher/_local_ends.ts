/**
 * LocalEnds: the executor's orders that end in this process without leaving it: entries waiting for their leverage
 * call (`unsent`), withdrawn by a cancel or a shutdown, and the ends a dispatch decides (an order withdrawn before it
 * left, one the journal could not write), told to the kernel only after the dispatching input's outcome was handed on.
 *
 * Why the hold: the order path sends first and projects after (docs/architecture.md, "The order path"), so a local
 * CANCEL_ACK or REJECT applied inside the dispatch reached `afterApply` before the input that caused it; the runtime,
 * which reads the journal seq and the slot image when `afterApply` runs, then projected that input under the next
 * input's seq (one row id for two rows: a row lost) and with the slot as the local end left it.
 *
 * Invariants: while `around` runs its dispatch, `end` holds events instead of applying them; `around` then calls
 * `handedOn` (the dispatching outcome's `afterApply`), then applies the held events in the order they were ended, even
 * when `handedOn` throws; a `hold` (a whole ring drain) defers them to its end; outside both `end` applies at once. `holds(cid)`: a later transition of the same
 * dispatch (a CANCEL in the batch that opened the entry) finds its order already ended, and sends nothing. An entry
 * is withdrawn at most once (`withdraw` answers false for one not waiting).
 *
 * Entry points: `new LocalEnds(apply, kernel, clock, log)`, `around`, `hold`, `end`, `holds`, `unsent`, `withdraw`.
 */

import type { VenueEvent } from "../contracts/venue.ts";
import { localCancelAck } from "./_order_event.ts";

export class LocalEnds {
  /** Client order ids (to slot ids) whose placement waits (for leverage): a cancel or shutdown withdraws them. */
  readonly unsent = new Map<string, number>();
  private held: VenueEvent[] | null = null;

  constructor(
    private readonly apply: (event: VenueEvent) => void,
    private readonly kernel: { slot(slotId: number): { asset: string } },
    private readonly clock: { nowMs(): number },
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Runs `dispatch` holding the local ends it decides, then `handedOn` (also when `dispatch` throws: its outcome was
   * applied and journaled), then applies them, unless an enclosing `hold` applies them later.
   */
  around(dispatch: () => void, handedOn: () => void): void {
    this.hold(() => {
      try {
        dispatch();
      } finally {
        handedOn();
      }
    });
  }

  /**
   * Runs `work` holding every local end decided meanwhile, then applies them in order. A ring drain is held whole: its
   * records are journaled call after call, each at the drain's base seq plus its offset among them, so an end applied
   * (and journaled) between two of its kernel calls would shift every later record's seq. Re-entrant: inside a hold,
   * `work` just runs.
   */
  hold<T>(work: () => T): T {
    if (this.held !== null) return work();
    const held: VenueEvent[] = [];
    this.held = held;
    try {
      return work();
    } finally {
      this.held = null;
      for (const event of held) this.apply(event);
    }
  }

  /** Tells the kernel an order ended here: at once, or after the running dispatch's outcome was handed on. */
  end(event: VenueEvent): void {
    if (this.held === null) this.apply(event);
    else this.held.push(event);
  }

  /** Whether the running dispatch already ended this order here (its event held). */
  holds(clientOrderId: string): boolean {
    return this.held?.some((e) => e.client_order_id === clientOrderId) ?? false;
  }

  /** An entry still waiting for its leverage has not left: it ends here, never sent. False when it was not waiting. */
  withdraw(cid: string, why: string): boolean {
    const slotId = this.unsent.get(cid);
    if (slotId === undefined || !this.unsent.delete(cid)) return false;
    this.log(`slot ${slotId}: ${cid} not sent: withdrawn (${why})`);
    this.end(localCancelAck("WITHDRAWN", cid, this.kernel.slot(slotId).asset, this.clock.nowMs()));
    return true;
  }
}
