/**
 * Live reconciliation (docs/architecture.md §8): every `DITA_V2_RECONCILE_INTERVAL_MS` the venue's positions and open
 * orders are compared with the kernel's belief, so a change made behind the kernel's back (a position closed on the
 * exchange, an order ended with no stream event, a position opened by hand) is found within one interval.
 *
 * One pass: read positions and open orders (two calls, rate limits waited out), look up each working order no longer
 * listed open (and a stale slot's late entry), split the positions across the claimant slots (`allocatePositions`, as
 * at restart: confirmed sizes first, then what a working entry filled, so an entry never takes another slot's
 * position), and list the slots that disagree (`_slot_disagreements.ts`). A second read confirms them (a stream event
 * may just be late); a confirmed slot in POSITION_OPEN whose own exit was taken as ended on the venue's "no such order"
 * has that exit looked up first (`_late_fills.ts`, bounded): a fill the stream lost is passed to the kernel as its
 * event, each cumulative fill once (decision 38 books it as the exit's: a partial one as a PARTIAL_EXIT, its rest at
 * a later pass, the trade closing with its CLOSE row; else an OVERFILL), and a slot whose exit could not be looked up
 * waits for a later pass. Then, for each slot no fill or transition moved since the
 * first read (a mark does not: `settledView`; a strategy marks every tick): a working order the venue reports ended
 * (its event lost) is applied as that event (`replayEnded`); otherwise MARK_STALE (DIVERGENCE) and RECONCILE to the
 * venue's truth. Either reports VENUE_MISMATCH. A slot in STALE_STATE_RECONCILING always needs the venue's truth: it
 * is reconciled at every pass until the kernel takes it (no VENUE_MISMATCH: it is marked already). Capital is re-seeded from the wallet after a slot was reconciled, once no
 * fill can be on its way to the kernel (else it would count twice): retried on its own within seconds if not yet,
 * then by a later pass (`_capital_reseed.ts`); made due again when the kernel books a late exit fill (decision 38;
 * the runtime passes each venue event's outcome to `followEvent`): the wallet a re-seed read may have held it already.
 * A position no slot owns is one ORPHAN_POSITION while it persists
 * (`OrphanWatch`: again when its size changes; two passes without it resolve it, logged; one on an asset a fill or
 * transition moved during the reads, `stirredAssets`, only once the next pass finds it too), unless an entry taken as
 * ended on the venue's "no such order" made it by filling late (`_late_fills.ts`: its fill passed to the kernel, whose
 * OVERFILL sends its slot to claim it, else named in the ORPHAN_POSITION; a stale slot claims what its earlier such
 * entries filled late too); an open order no slot owns is one ORPHAN_ORDER (WARNING, never cancelled) the same way
 * (`_orphan_orders.ts`: again when its size or fill changes), but one this process placed and took as ended, resting
 * unseen, is cancelled at the venue (`_resting_absent.ts`: once, unless its slot works it again; a failed cancel
 * again at a later pass, bounded; after a restart, which forgets those, one that is a slot's order the kernel ended
 * CANCELLED or REJECTED, unless ended within moments of the pass's reads: `readAtMs`, or an earlier exit leg of a
 * slot's trade, `<trade_id>-X<k>` below its current leg; never one every lookup found to be another order under the
 * id: that one is an ORPHAN_ORDER naming the slot). Last, the leverage watch
 * (`_leverage_watch.ts`): the leverage this process set, and that of each slot holding or working a trade, against
 * the venue's (one read per asset): one changed behind its back is forgotten (the next entry sets it again) and is one
 * VENUE_MISMATCH (field LEVERAGE) per asset, side and venue leverage while it persists.
 *
 * Invariants: the reconciler decides no state (the kernel does, through venue events and MARK_STALE/RECONCILE); a
 * slot with an order in flight (PENDING_SUBMIT, CANCEL_REQUESTED) or that changed during the reads is left alone this
 * pass, unless that order is hung with no placement, cancel or hung-order query of it running; one pass at a time; a
 * confirmed position is judged against its confirmed share, which no other slot's working entry can reduce.
 *
 * Shutdown calls `stop(ms)` before the journal closes and the kernel is destroyed: no pass starts any more, and a pass
 * waiting on a venue read ends, applying nothing, once the read answers; shutdown waits for it at most `ms`.
 *
 * Entry point: `new LiveReconciler(deps)`, `pass()`, `followEvent(outcome)`, `stop(ms)`, `stats`.
 */

import type { Clock } from "../contracts/clock.ts";
import { stageWorkingOrder } from "../contracts/order_status.ts";
import type { DiagnosticRecord, KernelOutcome } from "../contracts/records.ts";
import type { VenueAdapter, VenueOrderState, VenuePosition } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { CapitalReseed } from "./_capital_reseed.ts";
import { lookUpOrder } from "./_hung_query.ts";
import { LateFills } from "./_late_fills.ts";
import { LeverageWatch } from "./_leverage_watch.ts";
import { answerContradiction, eventFromOrderState } from "./_order_event.ts";
import { slotOrderIds } from "./_orphan_orders.ts";
import * as rt from "./_reconcile_truth.ts";
import { RestingAbsent } from "./_resting_absent.ts";
import { slotDisagreements } from "./_slot_disagreements.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";
import type { Executor } from "./executor.ts";
import {
  type Allocation,
  type Assignment,
  allocatePositions,
  isClaimant,
  lateEntry,
  type Orphan,
  slotClaim,
  withLateFill,
  workingEntry,
} from "./position_allocation.ts";
import { orphanDiagnostic } from "./recovery.ts";

export interface LiveReconcileDeps {
  kernel: ExecutionKernel;
  executor: Executor;
  venue: VenueAdapter;
  clock: Clock;
  report(d: DiagnosticRecord): void;
  log(line: string): void;
  sleep(ms: number): Promise<void>;
}

export interface ReconcileStats {
  passes: number;
  mismatches_total: number;
  last_pass_at_ms: number | null;
  last_mismatches: number[];
  last_error: string | null;
}

interface VenueView {
  positions: VenuePosition[];
  orders: VenueOrderState[];
  /** Working orders the venue no longer lists open, looked up: what each really filled. */
  ended: VenueOrderState[];
}

export class LiveReconciler {
  readonly stats: ReconcileStats = {
    passes: 0,
    mismatches_total: 0,
    last_pass_at_ms: null,
    last_mismatches: [],
    last_error: null,
  };
  private running: Promise<number[]> | null = null;
  private stopped = false; // shutdown began: no new pass; the running one ends before touching the kernel again
  private readonly orphans = new rt.OrphanWatch();
  private readonly openOrders = new RestingAbsent(); // ORPHAN_ORDER; this process's own resting orders cancelled
  private readonly leverage = new LeverageWatch();
  private readonly capital: CapitalReseed;
  private readonly late: LateFills;

  constructor(private readonly d: LiveReconcileDeps) {
    this.late = new LateFills({ ...d, read: (what, call) => this.readOne(what, call), stopped: () => this.stopped });
    this.capital = new CapitalReseed({
      ...d,
      read: (what, call) => this.readOne(what, call),
      stopped: () => this.stopped,
      failed: (error) => Object.assign(this.stats, { last_error: error }),
    });
  }

  /** One pass (or the one already running); resolves with the slots the kernel reconciled. */
  pass(): Promise<number[]> {
    if (this.stopped) return Promise.resolve([]);
    this.running ??= this.run()
      .catch((e: unknown) => {
        this.stats.last_error = e instanceof Error ? e.message : String(e);
        if (!this.stopped) this.d.log(`live reconciliation failed: ${this.stats.last_error}`);
        return [];
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** A venue event's outcome (the runtime's): a late exit fill the kernel booked makes a re-seed due again. */
  followEvent(outcome: KernelOutcome): void {
    this.capital.followOutcome(outcome);
  }

  /** Shutdown, before the journal closes and the kernel is destroyed: no new pass; waits ≤ `ms` for a running one. */
  async stop(ms: number): Promise<void> {
    this.stopped = true;
    if (this.running) await Promise.race([this.running, this.d.sleep(ms)]);
  }

  private async run(): Promise<number[]> {
    const { kernel } = this.d;
    // A slot a fill or transition moved since the first read is left to the next pass; a mark (every tick) moves none.
    const settled = new Map(kernel.slots().map((s) => [s.slot_id, rt.settledView(s)]));
    const unmoved = (id: number) => rt.settledView(kernel.slot(id)) === settled.get(id);
    const ownedAtStart = slotOrderIds(kernel.slots()); // an order placed before the read is a slot's then or now
    const readAtMs = this.d.clock.nowMs(); // an order the kernel ended just before may still be listed open
    const first = await this.read();
    if (this.stopped) return [];
    const suspects = this.disagreements(first).filter(unmoved);
    let reconciled: number[] = [];
    let view = first;
    if (suspects.length > 0) {
      view = await this.read(); // confirm: a late stream event is not a mismatch
      if (this.stopped) return [];
      const confirmed = new Set(this.disagreements(view));
      const judged = suspects.filter((id) => confirmed.has(id) && unmoved(id));
      const due = await this.late.exitsFilledLate(judged, view.orders, unmoved); // a lost late exit fill first
      if (this.stopped) return [];
      const replayed = due.filter((id) => this.replayEnded(id, view));
      const truths = this.truths(view); // after the replayed events
      const left = due.filter((id) => !replayed.includes(id) && unmoved(id));
      reconciled = [...replayed, ...left.filter((id) => this.converge(id, truths.get(id)!, view))];
    }
    const stirred = rt.stirredAssets(settled, kernel.slots(), reconciled); // the view may predate what moved them
    const orphans = await this.late.orphans(this.allocate(view).orphans, view.ended, () => this.allocate(view).orphans);
    if (this.stopped) return reconciled; // its lookups were awaited: the kernel may be gone
    this.followOrphans(orphans, stirred);
    const cancels = this.openOrders.follow(view.orders, ownedAtStart, {
      ...this.d,
      stopped: () => this.stopped,
      readAtMs,
    });
    const { passes, mismatches_total } = this.stats;
    const last = { last_pass_at_ms: this.d.clock.nowMs(), last_mismatches: reconciled, last_error: null };
    Object.assign(this.stats, { passes: passes + 1, mismatches_total: mismatches_total + reconciled.length, ...last });
    if (reconciled.length > 0) this.capital.due();
    await Promise.all([cancels, this.capital.attempt()]); // a re-seed when one is due (_capital_reseed.ts)
    // Last, after the pass's own convergence and re-seed: its reads (one per asset) delay neither.
    await this.leverage.pass({ ...this.d, stopped: () => this.stopped }, (what, call) => this.readOne(what, call));
    return reconciled;
  }

  private async read(): Promise<VenueView> {
    const positions = await this.readOne("positions", () => this.d.venue.positions());
    const orders = await this.readOne("open orders", () => this.d.venue.openOrders());
    const view: VenueView = { positions: positions.filter((p) => p.size > 0), orders, ended: [] };
    if (this.stopped) return view;
    // An entry no longer listed open may have filled up to its size (an event late or lost): its lookup says what, so
    // it never claims another slot's or an orphan's position. One being placed, a failed lookup or an answer never taken
    // (another order under its id: `lookUpOrder`; a contradiction) keeps the order's size (a late entry: nothing more).
    for (const s of this.d.kernel.slots().filter(isClaimant)) {
      for (const o of rt.lookUpsOf(s)) {
        const cid = o.client_order_id;
        if (o.status === "PENDING_SUBMIT" || rt.orderIn(view.orders, s.asset, cid) !== null) continue;
        const state = await this.readOne(`order ${cid}`, () => lookUpOrder(this.d.venue, s.asset, o)).catch((e) => {
          this.d.log(`live reconcile: lookup of order ${cid} failed: ${e instanceof Error ? e.message : String(e)}`);
        });
        const contradicts = state && answerContradiction(s, o, state); // as a failed lookup: never taken
        if (contradicts) this.d.log(`live reconcile: the venue's answer about ${cid} contradicts it (${contradicts})`);
        else if (state) view.ended.push(state);
      }
      await this.late.lookUpEarlier(s, view.ended); // a stale slot's earlier entries taken as ended
    }
    return view;
  }

  /** The venue's positions split across the claimant slots (a working entry claims what it filled). */
  private allocate(view: VenueView): Allocation {
    const claims = this.d.kernel
      .slots()
      .filter(isClaimant)
      .map((s) => {
        const entry = workingEntry(s) ?? lateEntry(s);
        const cid = entry?.client_order_id ?? "";
        const state = entry ? (rt.orderIn(view.orders, s.asset, cid) ?? rt.orderIn(view.ended, s.asset, cid)) : null;
        return withLateFill(slotClaim(s, state?.filled_size_cumulative), this.late.lateFill(s, view.ended));
      });
    return allocatePositions(claims, view.positions);
  }

  /** Each claimant slot's share of the venue's positions (the restart split), by slot id. */
  private truths(view: VenueView): Map<number, Assignment> {
    return new Map(this.allocate(view).assignments.map((a) => [a.slot_id, a]));
  }

  /** Slots whose belief the venue contradicts, and every stale slot (`_slot_disagreements.ts`). */
  private disagreements(view: VenueView): number[] {
    const callRunning = (cid: string) => this.d.executor.callRunning(cid);
    return slotDisagreements(this.d.kernel.slots(), this.truths(view), view.orders, callRunning);
  }

  /**
   * A trading slot's working order the venue no longer lists open and reports ended (looked up): its lost event is
   * applied, its fills settling at their own price and fee (a RECONCILE would lose them). True when the kernel took it.
   */
  private replayEnded(slotId: number, view: VenueView): boolean {
    const before = this.d.kernel.slot(slotId);
    const { order, state } = rt.endedAtVenue(before, view.orders, view.ended) ?? {};
    if (!order || !state) return false;
    const share = this.truths(view).get(slotId)!;
    this.d.executor.onVenueEvent(eventFromOrderState(state));
    if (this.d.kernel.slot(slotId).version === before.version) return false; // nothing taken: RECONCILE decides
    this.d.log(`live reconcile: slot ${slotId}: ${order.client_order_id} ${state.status} at the venue, applied`);
    this.d.report(rt.mismatchDiagnostic(before, share, order, this.d.clock.nowMs()));
    return true;
  }

  /** Takes the slot to the venue's truth; true when the kernel took it (a refusal leaves it stale for the next pass). */
  private converge(slotId: number, share: Assignment, view: VenueView): boolean {
    const { executor, clock } = this.d;
    const before = this.d.kernel.slot(slotId);
    const open = rt.openAtVenue(before, (o) => rt.orderIn(view.orders, before.asset, o.client_order_id));
    const truth = rt.reconcileTruth(before, share, open);
    if (before.stage === "STALE_STATE_RECONCILING") {
      this.d.log(`live reconcile: slot ${slotId} is stale (${before.stale_reason}): taking the venue's truth`);
    } else {
      const gone = open === null ? stageWorkingOrder(before) : null;
      this.d.report(rt.mismatchDiagnostic(before, share, gone, clock.nowMs()));
      executor.applySystem({ type: "MARK_STALE", slot_id: slotId, reason: "DIVERGENCE", now_ms: clock.nowMs() });
    }
    const outcome = executor.applySystem({ type: "RECONCILE", slot_id: slotId, truth, now_ms: clock.nowMs() });
    if (outcome.accepted) this.late.taken(slotId, view.ended);
    const refused = outcome.accepted ? "" : ` (refused: ${outcome.diagnostics[0]?.message})`;
    const to = this.d.kernel.slot(slotId).stage;
    this.d.log(`live reconcile: slot ${slotId} ${before.stage} -> ${to} (venue size ${share.size})${refused}`);
    return outcome.accepted;
  }

  private readOne<T>(what: string, call: () => Promise<T>): Promise<T> {
    return readWithRateLimitWaits(`live reconcile: ${what}`, call, this.d.log, { sleep: this.d.sleep });
  }

  /** Orphans found by a pass (`stirred`: its assets a slot moved on during its reads), or by recovery at start. */
  followOrphans(found: readonly Orphan[], stirred?: ReadonlySet<string>): void {
    const { report, resolved } = this.orphans.follow(found, stirred);
    for (const o of report) this.d.report(orphanDiagnostic(o, this.d.clock.nowMs()));
    for (const o of resolved)
      this.d.log(`live reconcile: ORPHAN_POSITION resolved: ${o.size} ${o.asset} ${o.side} is no longer at the venue`);
  }
}
