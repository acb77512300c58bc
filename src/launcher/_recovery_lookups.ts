/**
 * Start-up recovery's order lookups (recovery.ts) and the late exit fills they find.
 *
 * - `restoredOrders(slots)`: the orders the slots name (each slot's entry and exit, working or ended), for the venue
 *   adapter's `rememberClientIds` before any lookup: BingX lower-cases client ids and the adapter knows none after a
 *   restart, so one of them landing later (taken as ended, its lookup finding nothing) would reach the kernel under the
 *   venue's spelling (UNKNOWN_ORDER, or routed by venue order id as not that order's own). An id another slot's order
 *   holds in another case is left out (BingX holds both as one: the venue's order may be either's).
 * - `lookUpOrders(venue, slots, reconcile, log)`: each restored slot's working orders, a stale slot's entry the
 *   kernel ended short (`lateEntry`: it may have filled late, the OVERFILL that made the slot stale) and a
 *   POSITION_OPEN slot's exit the kernel ended short (`endedExit`: CANCELLED or REJECTED; one taken as ended on the
 *   venue's "no such order" may have landed and filled while the process was down, and only the slot image survives a
 *   restart: the process remembered it in memory, `AbsentOrders`), each by `lookUpOrder` (an old order under a reused
 *   trade id is no answer). Reconciling, a failed lookup, or one whose answer contradicts the order
 *   (`answerContradiction`: never booked), marks its slot as not reconcilable now (logged; live reconciliation looks
 *   again); read-only, it is ignored (the query only teaches the adapter the order's id). Such an ended order whose
 *   client id another restored slot's order holds in another case is not looked up (`shared`): BingX lower-cases ids,
 *   so one venue order answers both, and the adapter, knowing neither yet, would take the other slot's working order
 *   as the ended one (that slot's own lookup then finding none, its RECONCILE ending it, its fills routed here).
 * - `entryFilled(slot, lookups)`: what the slot's working (or late) entry filled at the venue.
 * - `replayLateExits(d, slotIds, lookups)`: a POSITION_OPEN slot's ended exit that the venue reports filled beyond
 *   what the kernel booked of it is passed to the kernel once as the event it lost, before the positions are judged:
 *   kernel/README.md decision 38 books it as the exit's (the trade closes with its CLOSE row, or a PARTIAL_EXIT),
 *   else the kernel's OVERFILL sends the slot to take the venue's truth as any stale slot. One whose lookup failed,
 *   or that the venue lists open, is remembered as taken as ended again (`AbsentOrders.add`): live reconciliation
 *   looks it up before it judges the slot (`_late_fills.ts`), and cancels it should it rest (`_resting_absent.ts`);
 *   one not looked up as `shared` is not (its lookup or cancel would reach the other slot's order).
 *
 * Invariants: no kernel state is decided here (the kernel takes or refuses the event). Bounds: one lookup per working
 * order, late entry and ended exit of each restored slot; one event per ended exit.
 *
 * Entry points: `restoredOrders`, `lookUpOrders`, `OrderLookups`, `entryFilled`, `endedExit`, `replayLateExits`.
 */

import { QTY_SCALE } from "../contracts/abi.ts";
import { isOpenAtVenue } from "../contracts/order_status.ts";
import { unitsApart } from "../contracts/qty_e8.ts";
import type { OrderRecord, SlotRecord } from "../contracts/records.ts";
import type { RestoredOrder, VenueAdapter, VenueOrderState } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { lookUpOrder } from "./_hung_query.ts";
import { answerContradiction, eventFromOrderState } from "./_order_event.ts";
import { ordersUnderId, venueOrdersOf } from "./_reconcile_truth.ts";
import type { Executor } from "./executor.ts";
import { lateEntry, workingEntry } from "./position_allocation.ts";

export interface OrderLookups {
  /** The venue's answer per client order id (null: the venue does not know the order). */
  states: Map<string, VenueOrderState | null>;
  /** Slots whose lookup failed, with the reason (only when reconciling). */
  failed: Map<number, string>;
  /**
   * Ended orders (late entry, ended exit) not looked up: another restored slot's order holds their client id in
   * another case (BingX lower-cases ids, so one venue order answers both: the adapter would take it as the ended one).
   */
  shared: Set<string>;
}

/** A POSITION_OPEN slot's exit order the kernel ended short (CANCELLED or REJECTED): it may have filled late. */
export function endedExit(s: SlotRecord): OrderRecord | null {
  const o = s.exit_order;
  const ended = o !== null && (o.status === "CANCELLED" || o.status === "REJECTED");
  return s.stage === "POSITION_OPEN" && ended ? o : null;
}

/** The orders `slots` name, each under an id no other of them holds in another case (see the module comment). */
export function restoredOrders(slots: readonly SlotRecord[]): RestoredOrder[] {
  const named = (s: SlotRecord) => [s.entry_order, s.exit_order].filter((o): o is OrderRecord => o !== null);
  return slots.flatMap((s) =>
    named(s)
      .filter((o) => ordersUnderId(slots, o.client_order_id) === 1)
      .map((o) => ({
        client_order_id: o.client_order_id,
        venue_order_id: o.venue_order_id,
        asset: s.asset,
        created_at_ms: o.created_at_ms,
      })),
  );
}

/** Looks up the restored slots' working orders, late entries and ended exits (see the module comment). */
export async function lookUpOrders(
  venue: Pick<VenueAdapter, "queryOrder">,
  slots: readonly SlotRecord[],
  reconcile: boolean,
  log: (line: string) => void,
): Promise<OrderLookups> {
  const out: OrderLookups = { states: new Map(), failed: new Map(), shared: new Set() };
  const shared = (o: OrderRecord) => ordersUnderId(slots, o.client_order_id) > 1;
  for (const s of slots) {
    const ended = [lateEntry(s), endedExit(s)].filter((o): o is OrderRecord => o !== null);
    for (const o of ended.filter(shared)) out.shared.add(o.client_order_id); // its lookup could take the other's
    for (const o of [...venueOrdersOf(s), ...ended.filter((x) => !shared(x))]) {
      try {
        const state = await lookUpOrder(venue, s.asset, o);
        const contradiction = state && answerContradiction(s, o, state);
        if (contradiction) throw new Error(`the venue's answer contradicts it (${contradiction})`);
        out.states.set(o.client_order_id, state);
      } catch (e) {
        if (!reconcile) continue;
        const why = `venue lookup of order ${o.client_order_id} failed: ${e instanceof Error ? e.message : String(e)}; left to live reconciliation`;
        log(`recovery: slot ${s.slot_id} ${why}`);
        out.failed.set(s.slot_id, why);
        break;
      }
    }
  }
  return out;
}

/**
 * What the slot's working (or late) entry has filled at the venue: the venue's cumulative fill; the
 * slot's confirmed fill when the venue does not know the order (never placed); unknown (undefined:
 * a working entry's claim falls back to the order's size, a late one claims nothing more) when the
 * lookup failed.
 */
export function entryFilled(s: SlotRecord, lookups: OrderLookups): number | undefined {
  const entry = workingEntry(s) ?? lateEntry(s);
  if (!entry || lookups.failed.has(s.slot_id)) return undefined;
  const state = lookups.states.get(entry.client_order_id);
  if (state === undefined) return undefined;
  return state === null ? entry.filled_size : state.filled_size_cumulative;
}

/** What `replayLateExits` needs of recovery. */
export interface LateExitDeps {
  kernel: Pick<ExecutionKernel, "slot">;
  executor: Pick<Executor, "absent" | "onVenueEvent">;
  log(line: string): void;
}

/** A slot the kernel changed: where it started from and where it went. */
export interface ReplayedSlot {
  slot_id: number;
  from: SlotRecord["stage"];
  to: SlotRecord["stage"];
  size_before: number;
  size_after: number;
}

/** Passes each ended exit's late fill the lookups found to the kernel (see the module comment): the slots changed. */
export function replayLateExits(d: LateExitDeps, slotIds: readonly number[], lookups: OrderLookups): ReplayedSlot[] {
  const out: ReplayedSlot[] = [];
  for (const id of slotIds) {
    const before = d.kernel.slot(id);
    const exit = endedExit(before);
    if (exit === null) continue;
    if (lookups.shared.has(exit.client_order_id)) continue; // not looked up, nor remembered to be cancelled
    const state = lookups.failed.has(id) ? undefined : lookups.states.get(exit.client_order_id);
    const mayChange = state === undefined || (state !== null && isOpenAtVenue(state.status)); // not looked up, or open
    if (mayChange) d.executor.absent.add(before, exit, true);
    const late = state ? unitsApart(state.filled_size_cumulative, exit.filled_size) / QTY_SCALE : 0;
    if (!state || !(late > 0)) continue;
    d.executor.onVenueEvent(eventFromOrderState(state));
    const after = d.kernel.slot(id);
    const taken = after.version !== before.version;
    const what = `exit ${exit.client_order_id}, ended short by the kernel (${exit.status}), filled ${state.filled_size_cumulative} at the venue`;
    d.log(`recovery: slot ${id}: ${what}: its lost event applied${taken ? "" : " (not taken)"}`);
    if (!taken) continue;
    out.push({ slot_id: id, from: before.stage, to: after.stage, size_before: before.size, size_after: after.size });
  }
  return out;
}
