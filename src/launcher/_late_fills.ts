/**
 * Live reconciliation's side of the orders taken as ended on the venue's "no such order" (`_absent_orders.ts`)
 * that land late after all: that answer was only the venue's lag, and the order fills. The stream usually tells the
 * kernel (an OVERFILL of the ended order: its slot goes to reconcile and claims the fill, `lateEntry`); here are the
 * cases it cannot: the fill's event was lost (only the venue's position shows it), or the slot has moved on to
 * another trade (the ended order is no longer the slot's entry).
 *
 * - `lookUpEarlier(slot, ended)`: while a slot is stale, its remembered entries other than its own entry
 *   order (`lookUpsOf` covers that one) are looked up with it: what they filled late is the slot's (it owned them).
 * - `lateFill(slot, ended)`: what those filled at the venue beyond what the kernel booked of them, for the slot's
 *   claim (`withLateFill`).
 * - `orphans(found, ended, again)`: for a position no slot owns, the remembered entries on its asset and side are
 *   looked up (newest first, at most LOOKUPS_PER_PASS a pass, each at most LOOKUPS_MAX times in all). One the venue
 *   reports filled beyond what the kernel booked is passed to the kernel once as the venue event the stream lost (the
 *   kernel decides: an OVERFILL sends its slot to reconcile, and the slot claims the fill); the orphans are then
 *   those `again` finds, and one still left is named by that order (`made_by`): a position this process's own order
 *   made is never an anonymous ORPHAN_POSITION.
 * - `exitsFilledLate(ids, open, unmoved)`: before a pass judges the position mismatch of these slots, each one in
 *   POSITION_OPEN whose own exit order was taken as ended (remembered, role EXIT, same slot and asset) is looked up
 *   (unless the venue lists it open; at most LOOKUPS_PER_PASS a pass, LOOKUPS_MAX each in all). A fill beyond what
 *   the kernel booked of it is passed to the kernel as the event the stream lost (the kernel decides: decision 38
 *   books it as the exit's, a partial one as a PARTIAL_EXIT, one that empties the position closing the trade with
 *   its CLOSE row; else an OVERFILL, and the slot reconciles). What was passed is remembered (`fed`): the venue's
 *   cumulative fill, and whether it still had the exit open. One it reported ended (filled, cancelled) is done; one it
 *   had open, partly filled, is looked up again at a later pass that judges its slot, and passed again only when its
 *   cumulative grew past what was passed (the rest filled, that event lost too). So the same cumulative is never
 *   passed twice, nor a fill the stream brought (the kernel booked it: `filled_size`, kept by `cancelIfLanded`). The
 *   slots still to judge are those no fill or transition moved meanwhile (`unmoved`); one whose exit was not looked
 *   up (the budget spent) or whose lookup failed waits for a later pass (bounded: each exit is looked up at most
 *   LOOKUPS_MAX times, then its slot is judged as before).
 * - `taken(slotId, ended)`: the slot took the venue's truth: its remembered entries on its asset the venue reports
 *   ended are let go (what they filled is in that truth); so is any entry a lookup finds ended with nothing filled
 *   late.
 *
 * Every lookup is `AbsentOrders.lookUp`, the resting-order check's too (`_resting_absent.ts`): one answering about
 * another order under the id marks it (`answered_another`), so once the lookups spent here leave that order listed
 * open under the id, it is not cancelled by the id (that would cancel the other order): NOT_IT.
 *
 * Invariants: no kernel state is decided here (the kernel takes or refuses the event); every lookup is bounded;
 * nothing reaches the kernel once shutdown began (`stopped`).
 *
 * Entry points: `new LateFills(deps)`, `lookUpEarlier`, `lookUp`, `lateFill`, `orphans`, `exitsFilledLate`, `taken`,
 * `LOOKUPS_PER_PASS`, `beyond` (a cumulative fill beyond a booked size, to 1e-8).
 */

import { QTY_SCALE } from "../contracts/abi.ts";
import { isOpenAtVenue } from "../contracts/order_status.ts";
import { unitsApart } from "../contracts/qty_e8.ts";
import type { SlotRecord } from "../contracts/records.ts";
import type { VenueAdapter, VenueOrderState } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { type AbsentOrder, type AbsentOrders, LOOKUPS_MAX } from "./_absent_orders.ts";
import { answerContradiction, eventFromOrderState } from "./_order_event.ts";
import { orderIn } from "./_reconcile_truth.ts";
import type { Orphan } from "./position_allocation.ts";

/** Lookups a pass of remembered entries for the positions no slot owns (and, apart, of exits: `exitsFilledLate`). */
export const LOOKUPS_PER_PASS = 8;

export interface LateFillDeps {
  kernel: Pick<ExecutionKernel, "slot">;
  executor: { absent: AbsentOrders; onVenueEvent(e: ReturnType<typeof eventFromOrderState>): unknown };
  venue: Pick<VenueAdapter, "queryOrder">;
  log(line: string): void;
  /** A venue read with live reconciliation's rate-limit waits. */
  read<T>(what: string, call: () => Promise<T>): Promise<T>;
  /** Shutdown began: nothing more reaches the kernel (it may be destroyed once the pass is given up on). */
  stopped(): boolean;
}

/** How much cumulative fill `cumulative` is beyond `size` (0 when not), to 1e-8: each counted as the decimal it names. */
export const beyond = (cumulative: number, size: number) => Math.max(0, unitsApart(cumulative, size)) / QTY_SCALE;

/** What a remembered order filled at the venue beyond what the kernel booked of it (0 when nothing). */
const filledLate = (o: AbsentOrder, s: VenueOrderState | null) =>
  s === null ? 0 : beyond(s.filled_size_cumulative, o.filled_size);

export class LateFills {
  constructor(private readonly d: LateFillDeps) {}

  /** Looks up a stale slot's remembered entries other than its entry order, adding their states to `ended`. */
  async lookUpEarlier(slot: SlotRecord, ended: VenueOrderState[]): Promise<void> {
    if (slot.stage !== "STALE_STATE_RECONCILING") return;
    const own = slot.entry_order?.client_order_id;
    for (const o of this.d.executor.absent.entriesOf(slot.slot_id)) {
      if (o.client_order_id === own) continue;
      const state = await this.lookUp(o);
      if (state && orderIn(ended, o.asset, o.client_order_id) === null) ended.push(state);
    }
  }

  /**
   * Looks `o` up at the venue (`AbsentOrders.lookUp`: one lookup counted, an answer about another order under its id
   * marked `answered_another` for the resting-order check): its state, null when none can be taken, undefined on
   * failure.
   */
  async lookUp(o: AbsentOrder): Promise<VenueOrderState | null | undefined> {
    const cid = o.client_order_id;
    const ask = () => this.d.read(`order ${cid}`, () => this.d.venue.queryOrder(o.asset, cid, o.created_at_ms));
    const state = await this.d.executor.absent.lookUp(o, ask, this.d.log);
    if (!state) return state;
    const contradicts = answerContradiction(o, { side: o.order_side }, state);
    if (contradicts) this.d.log(`live reconcile: the venue's answer about ${cid} contradicts it (${contradicts})`);
    else if (!isOpenAtVenue(state.status) && filledLate(o, state) === 0) this.d.executor.absent.forget(cid);
    return contradicts ? null : state;
  }

  /** What a stale slot's other remembered entries (`lookUpEarlier`) filled late, by their states in `ended`. */
  lateFill(slot: SlotRecord, ended: readonly VenueOrderState[]): number {
    if (slot.stage !== "STALE_STATE_RECONCILING") return 0;
    const own = slot.entry_order?.client_order_id;
    let sum = 0;
    for (const o of this.d.executor.absent.entriesOf(slot.slot_id, true)) {
      const state =
        o.client_order_id === own || o.asset !== slot.asset ? null : orderIn(ended, o.asset, o.client_order_id);
      sum += filledLate(o, state);
    }
    return sum;
  }

  /**
   * The positions no slot owns (`found`): each one's remembered entries looked up (their states added to `ended`), a
   * late fill passed to the kernel as its event; then `again()` (the kernel may have sent a slot to claim it), each
   * one left named by the order that filled into it.
   */
  async orphans(found: readonly Orphan[], ended: VenueOrderState[], again: () => Orphan[]): Promise<Orphan[]> {
    const makers = new Map<string, NonNullable<Orphan["made_by"]>>();
    let budget = LOOKUPS_PER_PASS;
    let fed = false;
    for (const orphan of found) {
      for (const o of this.d.executor.absent.entriesOn(orphan.asset, orphan.side)) {
        const cid = o.client_order_id;
        let state = orderIn(ended, o.asset, cid);
        if (state === null) {
          if (budget-- <= 0) break;
          state = (await this.lookUp(o)) ?? null;
          if (this.d.stopped()) return [...found];
          if (state !== null) ended.push(state);
        }
        const late = filledLate(o, state);
        if (state === null || late === 0) continue;
        makers.set(`${o.asset}:${o.side}`, { slot_id: o.slot_id, client_order_id: cid, filled_late: late });
        fed = this.feed(o, state) || fed;
      }
    }
    const left = fed ? again() : [...found];
    return left.map((x) => {
      const maker = makers.get(`${x.asset}:${x.side}`);
      return maker === undefined ? x : { ...x, made_by: maker };
    });
  }

  /**
   * Slots `ids` about to be judged mismatched: each one's remembered exit taken as ended is looked up (or found open
   * in `open`), its late fill passed to the kernel as the event the stream lost (again only once its cumulative grew
   * past what was passed). Returns the ids still to judge.
   */
  async exitsFilledLate(ids: number[], open: readonly VenueOrderState[], unmoved: (id: number) => boolean) {
    let budget = LOOKUPS_PER_PASS;
    const waiting = new Set<number>(); // not looked up (the pass's budget spent) or the lookup failed: the next pass
    for (const id of ids) {
      const o = this.rememberedExit(this.d.kernel.slot(id));
      if (o === undefined) continue;
      let state: VenueOrderState | null | undefined = orderIn(open, o.asset, o.client_order_id);
      if (state === null) {
        state = budget-- > 0 ? await this.lookUp(o) : undefined;
        if (this.d.stopped()) return [];
      }
      if (state === undefined) waiting.add(id);
      else if (state !== null && filledLate(o, state) > 0 && unmoved(id)) this.feed(o, state, true); // moved: its event came
    }
    return ids.filter((id) => !waiting.has(id) && unmoved(id));
  }

  /**
   * The slot's own exit order, taken as ended, still to be looked up: only the kernel's own can be booked late. Once
   * its fill was passed, only while the venue had it open then (partly filled: its rest may have filled since).
   */
  private rememberedExit(slot: SlotRecord): AbsentOrder | undefined {
    const cid = slot.exit_order?.client_order_id;
    const o = slot.stage === "POSITION_OPEN" && cid !== undefined ? this.d.executor.absent.find(cid) : undefined;
    const same = o?.role === "EXIT" && o.slot_id === slot.slot_id && o.asset === slot.asset;
    return same && (o.fed?.open ?? true) && o.lookups < LOOKUPS_MAX ? o : undefined;
  }

  /**
   * Passes `o`'s late fill to the kernel as the event the stream lost: once, or (`mayGrow`: a slot's own exit, whose
   * rest may fill later) again each time the venue's cumulative grew past what was passed; true when the kernel's
   * slot changed.
   */
  private feed(o: AbsentOrder, state: VenueOrderState, mayGrow = false): boolean {
    const passed = o.fed?.filled_size_cumulative;
    if (passed !== undefined && !(mayGrow && beyond(state.filled_size_cumulative, passed) > 0)) return false;
    o.fed = { filled_size_cumulative: state.filled_size_cumulative, open: isOpenAtVenue(state.status) };
    const before = this.d.kernel.slot(o.slot_id).version;
    this.d.executor.onVenueEvent(eventFromOrderState(state));
    const moved = this.d.kernel.slot(o.slot_id).version !== before;
    const what = `slot ${o.slot_id}'s ${o.role} order ${o.client_order_id}, taken as ended at the venue, filled ${state.filled_size_cumulative} there late`;
    this.d.log(`live reconcile: ${what}: its event passed to the kernel${moved ? "" : " (not taken)"}`);
    return moved;
  }

  /**
   * After slot `slotId` took the venue's truth: its remembered entries on its asset that the venue reports ended (in
   * `ended`) are let go, what they filled being in that truth. One on another asset (the slot moved on) stays: no
   * slot holds what it filled, and an ORPHAN_POSITION names it.
   */
  taken(slotId: number, ended: readonly VenueOrderState[]): void {
    const asset = this.d.kernel.slot(slotId).asset;
    for (const o of this.d.executor.absent.entriesOf(slotId, true)) {
      const state = o.asset === asset ? orderIn(ended, o.asset, o.client_order_id) : null;
      if (state !== null && !isOpenAtVenue(state.status)) this.d.executor.absent.forget(o.client_order_id);
    }
  }
}
