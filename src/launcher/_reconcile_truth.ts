/**
 * The venue's truth for one slot, as RECONCILE takes it, shared by start-up recovery and live
 * reconciliation (the two must converge a slot the same way).
 *
 * - `venueOrdersOf(slot)`: the slot's orders the venue may still hold open — the working exit,
 *   then the working entry (a stale slot may carry either; a slot in ENTRY_WORKING or
 *   EXIT_WORKING carries the one its stage names).
 * - `openAtVenue(slot, stateOf)`: the first of those the venue reports open, with its state.
 * - `ordersUnderId(slots, cid)`: how many of the slots' entry and exit orders hold a client id in any case
 *   (more than one: BingX's order under it may be any of them).
 * - `reconcileTruth(slot, share, open)`: position side/size/average price from the slot's share of
 *   the venue position (`allocatePositions`), and that open order. The kernel refuses a truth whose
 *   open entry order's fill differs from the position (kernel/src/fsm/reconcile.rs, invariant 5):
 *   the share of a slot whose entry works comes from that entry's fill (position_allocation.ts,
 *   invariant 3), so the two agree unless the venue holds less than the entry filled.
 * - `fillMayBeOnItsWay(slot, stateOf)`: whether the venue may have booked a fill of the slot's that
 *   the kernel has not applied yet (a capital re-seed from the wallet then waits: that fill would
 *   settle a second time when its event lands), also a fill of a POSITION_OPEN slot's exit the kernel
 *   ended short that the venue lists open (it landed late: decision 38 books that fill as the exit's);
 *   `slotsFillPending`: those slots, and any that moved
 *   (`settledView`: a fill or a transition moves a slot; a mark, which moves only its mark price, unrealized PnL,
 *   version and time, does not: a strategy marking every tick would otherwise hold a re-seed back for ever).
 * - `OrphanWatch.follow(found, stirred)` (over a `FindingWatch`, whose mechanism ORPHAN_ORDER shares): which of a
 *   pass's orphans (positions no slot owns) to report as ORPHAN_POSITION and which reported ones are
 *   resolved. One report per orphan (asset and side) while it persists, again only when its size
 *   changes; a pass that does not find it counts as a miss, and only `ORPHAN_GONE_AFTER_MISSES`
 *   passes in a row resolve it (one flaky or partial positions read does not: its return is no new
 *   CRITICAL). A failed read is no pass at all. An orphan on an asset in `stirred` (a fill or transition
 *   moved a slot on it during the pass's reads: `stirredAssets`; the positions read may predate an exit the
 *   kernel has applied since, its closed share then looking unowned) is held: not reported, nor counted
 *   missed, unless the pass before found it too (then at the smaller size): a real one is at most one pass late.
 *
 * - `orderIn(orders, asset, clientOrderId)`: the venue's state of one order in a list (BingX
 *   lower-cases client ids), and `mismatchDiagnostic`: the VENUE_MISMATCH live reconciliation reports
 *   (`slotMismatch`: the shape of every slot's VENUE_MISMATCH, the hung-order query's too).
 * - `lookUpsOf(slot)`: the orders live reconciliation looks up when the venue no longer lists them
 *   open; `endedAtVenue(slot, open, looked)`: a trading slot's working order the venue reports
 *   ended (its event lost), which live reconciliation applies as that event before any RECONCILE.
 *
 * No I/O; the caller reads the venue (and keeps the OrphanWatch).
 */

import type { ReconcileTruth } from "../contracts/intents.ts";
import { isOpenAtVenue, isTradingStage, isWorkingOrder, stageWorkingOrder } from "../contracts/order_status.ts";
import { unitsApart } from "../contracts/qty_e8.ts";
import type { DiagnosticRecord, OrderRecord, SlotRecord } from "../contracts/records.ts";
import type { VenueOrderState } from "../contracts/venue.ts";
import { type Assignment, lateEntry, type Orphan, workingEntry } from "./position_allocation.ts";

/** Two quantities equal in whole 1e-8 units (the kernel's resolution), each counted as the decimal it names. */
export const sameSize = (a: number, b: number) => unitsApart(a, b) === 0;

export interface OpenOrder {
  order: OrderRecord;
  state: VenueOrderState;
}

/** The slot's working orders the venue may hold open: exit first, then entry. */
export function venueOrdersOf(slot: SlotRecord): OrderRecord[] {
  if (slot.stage !== "STALE_STATE_RECONCILING") {
    const o = stageWorkingOrder(slot);
    return o ? [o] : [];
  }
  return [slot.exit_order, slot.entry_order].filter((o): o is OrderRecord => o !== null && isWorkingOrder(o.status));
}

/**
 * How many of the slots' entry and exit orders hold client id `cid` in any case: BingX holds ids that differ only in
 * case as one order, so with more than one the venue's order under it may be any of them.
 */
export function ordersUnderId(slots: readonly SlotRecord[], cid: string): number {
  const id = cid.toLowerCase();
  return slots.flatMap((s) => [s.entry_order, s.exit_order]).filter((o) => o?.client_order_id.toLowerCase() === id)
    .length;
}

/** The first of the slot's working orders that the venue reports open (`stateOf` answers by order). */
export function openAtVenue(
  slot: SlotRecord,
  stateOf: (order: OrderRecord) => VenueOrderState | null | undefined,
): OpenOrder | null {
  for (const order of venueOrdersOf(slot)) {
    const state = stateOf(order);
    if (state && isOpenAtVenue(state.status)) return { order, state };
  }
  return null;
}

/** The RECONCILE truth for `slot`: its share of the venue position and its order still open there. */
export function reconcileTruth(slot: SlotRecord, share: Assignment, open: OpenOrder | null): ReconcileTruth {
  return {
    side: share.size > 0 ? share.side : null,
    size: share.size,
    avg_price: share.size > 0 ? share.avg_price || slot.entry_price : 0,
    open_order: open
      ? {
          role: open.order.role,
          venue_order_id: open.state.venue_order_id,
          client_order_id: open.order.client_order_id,
          size: open.state.size,
          filled_size: open.state.filled_size_cumulative,
          avg_price: open.state.avg_price,
        }
      : null,
  };
}

/**
 * True when a fill of the slot's may be booked at the venue (its wallet) and not yet applied by the
 * kernel: a working order in flight (PENDING_SUBMIT, CANCEL_REQUESTED), or one the venue no longer
 * lists open (filled or cancelled, the event still to come) or lists with another cumulative fill;
 * or, in POSITION_OPEN, its exit order the kernel ended short (CANCELLED, REJECTED: taken as ended on
 * the venue's "no such order") that the venue lists open with another cumulative fill: it landed late,
 * and the kernel books that fill as the exit's when its event lands (kernel/README.md decision 38).
 * A stale slot is not counted: the kernel refuses its events until its RECONCILE, and a slot
 * reconciled later asks for a re-seed of its own.
 */
export function fillMayBeOnItsWay(
  slot: SlotRecord,
  stateOf: (order: OrderRecord) => VenueOrderState | null | undefined,
): boolean {
  if (slot.stage === "STALE_STATE_RECONCILING") return false;
  const x = slot.exit_order;
  if (slot.stage === "POSITION_OPEN" && x !== null && (x.status === "CANCELLED" || x.status === "REJECTED")) {
    const landed = stateOf(x);
    if (landed && isOpenAtVenue(landed.status) && !sameSize(landed.filled_size_cumulative, x.filled_size)) return true;
  }
  return [slot.entry_order, slot.exit_order].some((o) => {
    if (o === null || !isWorkingOrder(o.status)) return false;
    if (o.status === "PENDING_SUBMIT" || o.status === "CANCEL_REQUESTED") return true;
    const state = stateOf(o);
    if (!state || !isOpenAtVenue(state.status)) return true;
    return !sameSize(state.filled_size_cumulative, o.filled_size);
  });
}

/** A slot as fills and transitions leave it: all but what a mark moves (mark price, unrealized PnL, version, time). */
export function settledView(s: SlotRecord): string {
  const { mark_price: _mark, unrealized_pnl: _unrealized, version: _version, updated_at_ms: _at, ...settled } = s;
  return JSON.stringify(settled);
}

/** The slots (ids) that moved since `before` (`settledView` by slot id) was taken, or whose fill may be on its way (`fillMayBeOnItsWay`). */
export function slotsFillPending(
  slots: readonly SlotRecord[],
  before: ReadonlyMap<number, string>,
  open: readonly VenueOrderState[],
): number[] {
  const pending = (s: SlotRecord) => fillMayBeOnItsWay(s, (o) => orderIn(open, s.asset, o.client_order_id));
  return slots.filter((s) => settledView(s) !== before.get(s.slot_id) || pending(s)).map((s) => s.slot_id);
}

/** Passes in a row that must not find a reported orphan before it is resolved. */
export const ORPHAN_GONE_AFTER_MISSES = 2;

/**
 * Findings reported so far (by `keyOf`), each with the passes in a row that missed it: the mechanism of
 * ORPHAN_POSITION and ORPHAN_ORDER. A finding is reported once while it persists, again when `same` says it changed.
 */
export class FindingWatch<T> {
  private readonly known = new Map<string, { item: T; misses: number }>();

  constructor(
    private readonly keyOf: (t: T) => string,
    private readonly same: (a: T, b: T) => boolean,
  ) {}

  /** One pass's findings: those to report now, and the reported ones now resolved; `held` ones: neither, nor missed. */
  follow(found: readonly T[], held: readonly T[] = []): { report: T[]; resolved: T[] } {
    const report: T[] = [];
    const seen = new Set<string>(held.map(this.keyOf));
    for (const item of found) {
      const key = this.keyOf(item);
      const known = this.known.get(key);
      if (!known || !this.same(known.item, item)) report.push(item);
      this.known.set(key, { item, misses: 0 });
      seen.add(key);
    }
    const resolved: T[] = [];
    for (const [key, known] of this.known) {
      if (seen.has(key) || ++known.misses < ORPHAN_GONE_AFTER_MISSES) continue;
      this.known.delete(key);
      resolved.push(known.item);
    }
    return { report, resolved };
  }
}

const orphanKey = (o: Orphan) => `${o.asset}:${o.side}`;

/** The orphans (positions no slot owns) reported so far, by asset and side; again when the size changes. */
export class OrphanWatch {
  private readonly watch = new FindingWatch<Orphan>(orphanKey, (a, b) => sameSize(a.size, b.size));
  private last = new Map<string, number>(); // the pass before's orphans: size by asset and side

  /**
   * One pass's orphans. One on a `stirred` asset is held unless the pass before found it too; then it is taken at the
   * smaller of the two sizes (a read that predates an exit only ever shows more than the slots own).
   */
  follow(found: readonly Orphan[], stirred: ReadonlySet<string> = new Set()): { report: Orphan[]; resolved: Orphan[] } {
    const taken: Orphan[] = [];
    const held: Orphan[] = [];
    for (const o of found) {
      const before = this.last.get(orphanKey(o));
      if (!stirred.has(o.asset)) taken.push(o);
      else if (before === undefined) held.push(o);
      else taken.push({ ...o, size: Math.min(before, o.size) });
    }
    this.last = new Map(found.map((o) => [orphanKey(o), o.size]));
    return this.watch.follow(taken, held);
  }
}

/**
 * The assets of the slots a fill or transition moved since `before` (`settledView` by slot id) was taken, but for
 * `own` (slots the pass itself took to the venue's truth, which agree with its reads): a positions read taken in
 * between may predate what moved them.
 */
export function stirredAssets(
  before: ReadonlyMap<number, string>,
  slots: readonly SlotRecord[],
  own: readonly number[],
): Set<string> {
  const assets = new Set<string>();
  for (const s of slots) {
    const was = before.get(s.slot_id);
    if (own.includes(s.slot_id) || was === settledView(s)) continue;
    assets.add(s.asset);
    if (was !== undefined) assets.add((JSON.parse(was) as SlotRecord).asset);
  }
  return assets;
}

/** The venue's state of the order with this client id on `asset` in `orders` (case-insensitive), or null. */
export function orderIn(
  orders: readonly VenueOrderState[],
  asset: string,
  clientOrderId: string,
): VenueOrderState | null {
  const id = clientOrderId.toLowerCase();
  return orders.find((o) => o.asset === asset && o.client_order_id.toLowerCase() === id) ?? null;
}

/** VENUE_MISMATCH for a slot the venue contradicts; `gone` is its working order no longer open there. */
export function mismatchDiagnostic(
  before: SlotRecord,
  share: Assignment,
  gone: OrderRecord | null,
  nowMs: number,
): DiagnosticRecord {
  const what = gone ? `; ${gone.role} order ${gone.client_order_id} is no longer open there` : "";
  const message = `venue differs from slot ${before.slot_id} (${before.stage}, size ${before.size}): venue holds ${share.size}${what}; reconciling`;
  return slotMismatch(before, message, nowMs, { value: share.size });
}

/** A slot's VENUE_MISMATCH (WARNING): `message` (cut to 240 characters), its asset and stage, and `details`. */
export function slotMismatch(
  slot: SlotRecord,
  message: string,
  nowMs: number,
  details: Record<string, unknown> = {},
): DiagnosticRecord {
  return {
    code: "VENUE_MISMATCH",
    severity: "WARNING",
    slot_id: slot.slot_id,
    message: message.slice(0, 240),
    details: { asset: slot.asset, stage: slot.stage, ...details },
    input_index: 0,
    now_ms: nowMs,
  };
}

/**
 * The slot's orders a pass looks up when the venue no longer lists them open: its working entry (or
 * a stale slot's late one), for what it filled; its working exit, whose lost fill is replayed.
 */
export function lookUpsOf(slot: SlotRecord): OrderRecord[] {
  const exit = slot.stage === "EXIT_WORKING" ? slot.exit_order : null;
  return [workingEntry(slot) ?? lateEntry(slot), exit].filter((o): o is OrderRecord => o !== null);
}

/** A trading slot's working order the venue no longer lists open (`open`) and reports ended (`looked`), or null. */
export function endedAtVenue(
  slot: SlotRecord,
  open: readonly VenueOrderState[],
  looked: readonly VenueOrderState[],
): OpenOrder | null {
  const order = isTradingStage(slot.stage) ? stageWorkingOrder(slot) : null;
  if (order === null || orderIn(open, slot.asset, order.client_order_id) !== null) return null;
  const state = orderIn(looked, slot.asset, order.client_order_id);
  return state === null || isOpenAtVenue(state.status) ? null : { order, state };
}
