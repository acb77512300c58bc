/**
 * Open orders at the venue that no slot owns (ORPHAN_ORDER, WARNING), found by live reconciliation: a
 * manual order, another process's, an exit a restart's lagging belief forgot, an entry that landed
 * after it was taken as absent. One can fill at any time and move a position behind the kernel's
 * back, and a resting reduce-only exit reserves the position (every whole-position exit is then
 * refused). Reported only, never cancelled here: a human may own it. (An order this process placed
 * and took as ended is no human's: live reconciliation cancels it, `_resting_absent.ts`, and only
 * one whose cancels gave out comes here, named by `madeBy`; so does an open order under such an order's
 * client id that its lookups found to be another order, never cancelled: a cancel by that id would hit it.)
 *
 * - `slotOrderIds(slots)`: the client ids of every slot's entry and exit order, working or finished.
 * - `OrphanOrders.follow(open, owned, d, madeBy)`: one pass's open orders. An order is owned when its
 *   client id, in any case (BingX lower-cases client ids), is in `owned` (the caller's ids of this
 *   pass) or was in the previous pass's (an order that finished while its slot moved on), or the
 *   executor is placing, cancelling or querying it now (`callRunning`). The rest are followed as
 *   ORPHAN_POSITION is (`FindingWatch`): one WARNING (`d.report`) per order (by venue order id)
 *   while it persists, again when its size or fill changes; resolved (`d.log`) after
 *   `ORPHAN_GONE_AFTER_MISSES` passes in a row without it. A failed read is no pass: the caller
 *   does not call it. An order `madeBy` names (this process's, its cancels given out) is never
 *   owned: its WARNING names the slot and role that made it instead of "no slot owns" (`another`:
 *   the slot and role whose client id it holds, `made_by_slot` left out).
 *
 * No I/O; the caller reads the venue.
 */

import type { Clock } from "../contracts/clock.ts";
import type { DiagnosticRecord, SlotRecord } from "../contracts/records.ts";
import type { VenueOrderState } from "../contracts/venue.ts";
import { FindingWatch, sameSize } from "./_reconcile_truth.ts";

/** The client ids of every slot's entry and exit order (working or finished). */
export function slotOrderIds(slots: readonly SlotRecord[]): string[] {
  const out: string[] = [];
  for (const s of slots)
    for (const o of [s.entry_order, s.exit_order]) if (o?.client_order_id) out.push(o.client_order_id);
  return out;
}

const keyOf = (o: VenueOrderState) => `${o.asset}:${o.venue_order_id || `cid:${o.client_order_id.toLowerCase()}`}`;
const same = (a: VenueOrderState, b: VenueOrderState) =>
  sameSize(a.size, b.size) && sameSize(a.filled_size_cumulative, b.filled_size_cumulative);

/** What `follow` needs of live reconciliation: the executor's running calls, the clock, where findings go. */
export interface OrphanOrderDeps {
  executor: { callRunning(clientOrderId: string): boolean };
  clock: Clock;
  report(d: DiagnosticRecord): void;
  log(line: string): void;
}

export class OrphanOrders {
  private readonly watch = new FindingWatch<VenueOrderState>(keyOf, same);
  private previous: ReadonlySet<string> = new Set();

  /**
   * One pass's open orders: reports the orphans new or changed, logs the reported ones now resolved. `madeBy`: the
   * slot of this process that made an open order it could not cancel (null: none here, or one it still cancels).
   */
  follow(open: readonly VenueOrderState[], owned: readonly string[], d: OrphanOrderDeps, madeBy = noMaker): void {
    const now = new Set(owned.map((id) => id.toLowerCase()));
    const isOwned = (o: VenueOrderState) => {
      const id = o.client_order_id.toLowerCase();
      return id !== "" && (now.has(id) || this.previous.has(id) || d.executor.callRunning(o.client_order_id));
    };
    const found = open.filter((o) => madeBy(o) !== null || !isOwned(o));
    this.previous = now;
    const { report, resolved } = this.watch.follow(found);
    for (const o of report) d.report(orphanOrderDiagnostic(o, d.clock.nowMs(), madeBy(o)));
    for (const o of resolved) {
      const ids = `${o.client_order_id || "(no client id)"} (venue ${o.venue_order_id})`;
      d.log(`live reconcile: ORPHAN_ORDER resolved: ${o.asset} ${o.side} order ${ids} is no longer open at the venue`);
    }
  }
}

/** The slot and order of this process that made an open order it took as ended and could not cancel. */
export interface OrderMaker {
  slot_id: number;
  role: "ENTRY" | "EXIT";
  /** Cancels of it sent, all in vain. */
  cancels: number;
  /**
   * Not that slot's order but another under its client id (its lookups by the id answered so, `_resting_absent.ts`):
   * not cancelled, as a cancel by that id would cancel this one; named so an operator sees whose id it holds.
   */
  another?: true;
}

/** No open order is this process's own that it could not cancel. */
const noMaker = (_o: VenueOrderState): OrderMaker | null => null;

/** The WARNING ORPHAN_ORDER for an open venue order no slot owns (`made`: one this process made, named). */
export function orphanOrderDiagnostic(
  o: VenueOrderState,
  nowMs: number,
  made: OrderMaker | null = null,
): DiagnosticRecord {
  const filled = o.filled_size_cumulative > 0 ? `, filled ${o.filled_size_cumulative} at ${o.avg_price}` : "";
  const ids = `client id ${o.client_order_id || "(none)"}, venue id ${o.venue_order_id}`;
  const order = `${o.type} ${o.side} ${o.position_side} ${o.size} ${o.asset}${filled}`;
  const role = `slot ${made?.slot_id}'s ${made?.role.toLowerCase()} order`;
  const whose =
    made === null
      ? "open order no slot owns, not cancelled"
      : made.another === true
        ? `open order under ${role}'s client id that its lookups found to be another order, not cancelled`
        : `${role}, taken as ended, still open after ${made.cancels} cancels`;
  const message = `${whose}: ${order}, ${ids}`;
  const made_by = made === null || made.another === true ? {} : { made_by_slot: made.slot_id };
  const maker = made === null ? {} : { ...made_by, client_order_id: o.client_order_id };
  return {
    code: "ORPHAN_ORDER",
    severity: "WARNING",
    slot_id: null,
    message: message.slice(0, 240),
    details: { asset: o.asset, side: o.position_side, value: o.size, avg_price: o.avg_price, ...maker },
    input_index: 0,
    now_ms: nowMs,
  };
}
