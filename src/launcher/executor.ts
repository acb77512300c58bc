/**
 * Executor: the loop between the kernel and the venue. Intents and venue events go into the kernel (stamped with
 * the injected clock); each accepted transition asking venue work (ENTER, EXIT → place the order, CANCEL → cancel
 * the working order) is sent, tracked in flight (_inflight_calls.ts); the venue's answers come back as events.
 * The kernel decides, the executor only carries. Inputs arrive by source, one method each (the wrong source does
 * not compile): `submitStrategy` (HTTP, CLI; the ring drains through the runtime), `onVenueEvent`, `applySystem`.
 *
 * Invariants: every kernel call goes through `apply` (none after `close`, as the journal closes at shutdown); a venue
 * call's failure becomes a kernel input (a REJECT) or stays for the query/TICK path, never an escaping exception; a
 * cancel left unknown is sent again; an order whose placement waited, or asked cancelled in its own batch, is sent only
 * if the kernel holds it PENDING_SUBMIT (an entry: not HALTED), an entry only once journaled; one taken as absent
 * (rejected, or ended unseen) that lands late is cancelled; an order a dispatch ends here (withdrawn, unjournaled) is
 * told to the kernel after the dispatching outcome's afterApply, so outcomes reach afterApply in journal order.
 */

import type { Clock } from "../contracts/clock.ts";
import type { KernelInput, StrategyIntent, SystemInput } from "../contracts/intents.ts";
import { stageWorkingOrder } from "../contracts/order_status.ts";
import type { DiagnosticRecord, KernelOutcome, SlotRecord, TransitionRecord } from "../contracts/records.ts";
import type { PositionSide, VenueAdapter, VenueEvent } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { AbsentOrders } from "./_absent_orders.ts";
import { type CancelDeps, sendCancelUntilAnswered } from "./_cancel_sends.ts";
import { absentVerdict, type HungResult, QueriesOut, queryHungOrder } from "./_hung_query.ts";
import { InflightCalls } from "./_inflight_calls.ts";
import { notAppliedAfterClose } from "./_journal_closed.ts";
import { LeverageCache, leverageReject } from "./_leverage.ts";
import { LocalEnds } from "./_local_ends.ts";
import {
  answerEvent,
  localCancelAck,
  orderRequest,
  sendCheck,
  unjournaledReject,
  unknownOutcome,
} from "./_order_event.ts";

export interface ExecutorHooks {
  /** Makes the inputs applied so far durable in the journal (before any order they asked for leaves). */
  writeAhead?(): void;
  /** Called after every kernel call with the input and its outcome (journal flush, projection, metrics). */
  afterApply(input: KernelInput, outcome: KernelOutcome): void;
  venueLatency?(op: "submit" | "cancel", ms: number): void; // a venue call's latency in ms, for metrics
  log?(line: string): void;
  /** Whether every accepted input is in the journal's file (false: the disk refused; no entry is sent). */
  journaled?(): boolean;
  /** Whether trading is HALTED now (an entry whose placement waited is then not sent). */
  halted?(): boolean;
  /** The timer the executor's pauses use (default `Bun.sleep`). */
  sleep?(ms: number): Promise<void>;
  /** A diagnostic the launcher issues itself (a query answer that contradicts its order: VENUE_MISMATCH). */
  report?(d: DiagnosticRecord): void;
}

export class Executor {
  /** Client order ids whose placement is running (never declared absent), each settled by its answer. */
  private placing = new Map<string, Promise<void>>();
  private cancelling = new Set<string>(); // client order ids whose cancel call (with its re-sends) runs
  private readonly querying = new QueriesOut(); // client order ids whose hung-order query is out, its answer to apply
  readonly leverage: LeverageCache; // the leverage this process set; live reconciliation verifies it at the venue
  private readonly cancelDeps: CancelDeps;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log = (line: string): void => this.hooks.log?.(line);
  private readonly inflight = new InflightCalls(this.log);
  readonly absent = new AbsentOrders((asset, cid) => this.venue.cancel(asset, cid), this.log); // for live reconcile
  readonly localEnds: LocalEnds; // entries waiting for their leverage; ends told after the dispatch's afterApply
  private intake = true;
  private closed = false;

  constructor(
    private readonly kernel: ExecutionKernel,
    private readonly venue: VenueAdapter,
    private readonly clock: Clock,
    private readonly hooks: ExecutorHooks,
  ) {
    this.sleep = hooks.sleep ?? ((ms) => Bun.sleep(ms));
    this.leverage = new LeverageCache(venue, this.sleep);
    this.localEnds = new LocalEnds((e) => void this.onVenueEvent(e), kernel, clock, this.log);
    const latency = (ms: number) => hooks.venueLatency?.("cancel", ms);
    const onVenueEvent = (e: VenueEvent) => this.onVenueEvent(e);
    const resolveByQuery = (slotId: number) => this.resolveByQuery(slotId);
    this.cancelDeps = { kernel, venue, clock, sleep: this.sleep, log: this.log, latency, onVenueEvent, resolveByQuery };
    venue.onEvent((event) => this.onVenueEvent(event));
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Stops accepting intents (SIGTERM), withdraws the entries still waiting to be sent; venue events flow on. */
  stopIntake(): void {
    this.intake = false;
    for (const cid of [...this.localEnds.unsent.keys()]) this.localEnds.withdraw(cid, "shutting down");
  }

  get accepting(): boolean {
    return this.intake;
  }

  /** Shutdown, just before the journal closes: from here on no input reaches the kernel (each one logged). */
  close(): void {
    this.intake = false;
    this.closed = true;
  }

  /** Applies a strategy's intent (parsed at its edge); `now_ms` is stamped here. */
  submitStrategy(intent: StrategyIntent): KernelOutcome {
    const input = { ...intent, now_ms: this.clock.nowMs() };
    if (this.closed) return notAppliedAfterClose(input, this.log);
    const outcome = this.kernel.apply(input);
    // Write-ahead, then the order, then the rest (projection, metrics, events): journaled before it leaves.
    this.hooks.writeAhead?.();
    this.dispatch(outcome.transitions, () => this.hooks.afterApply(input, outcome));
    return outcome;
  }

  /** A normalized venue event: the adapter's stream, a query's answer, or a local REJECT. */
  onVenueEvent(event: VenueEvent): KernelOutcome {
    const outcome = this.apply({ type: "VENUE_EVENT", slot_id: null, event, now_ms: this.clock.nowMs() });
    if (this.closed) return outcome; // not applied: nothing to follow at the venue either
    const late = this.absent.cancelIfLanded(event, (id) => this.kernel.slot(id));
    if (late !== null) this.inflight.track(late);
    return outcome;
  }

  /** A launcher input (tick, reconcile, capital seed, mark stale, configure), stamped by the caller. */
  applySystem(input: SystemInput): KernelOutcome {
    return this.apply(input);
  }

  private apply(input: KernelInput): KernelOutcome {
    if (this.closed) return notAppliedAfterClose(input, this.log);
    const outcome = this.kernel.apply(input);
    this.hooks.afterApply(input, outcome);
    return outcome;
  }

  /**
   * Starts the venue work accepted transitions ask for (ring batches too), then `handedOn` (the caller's afterApply of
   * their outcome), then tells the kernel the orders the dispatch ended here (_local_ends.ts: in journal order).
   */
  dispatch(transitions: readonly TransitionRecord[], handedOn: () => void = () => {}): void {
    this.localEnds.around(() => {
      for (const t of transitions) {
        if (t.trigger === "ENTER" || t.trigger === "EXIT") this.inflight.track(this.place(t.slot_id));
        else if (t.trigger === "CANCEL") this.inflight.track(this.cancel(t.slot_id));
        // FLATTEN: from POSITION_OPEN it opened a market exit; in a working stage it asked a cancel.
        else if (t.trigger === "FLATTEN")
          this.inflight.track(t.from === "POSITION_OPEN" ? this.place(t.slot_id) : this.cancel(t.slot_id));
      }
    }, handedOn);
  }

  /** Waits for in-flight venue calls, at most `timeoutMs`. Returns how many were still running. */
  drain(timeoutMs: number): Promise<number> {
    return this.inflight.drain(timeoutMs);
  }

  private async place(slotId: number): Promise<void> {
    const slot = this.kernel.slot(slotId);
    const order = slot.stage === "ENTRY_WORKING" ? slot.entry_order : slot.exit_order;
    if (order?.status === "CANCEL_REQUESTED") this.withdrawnBeforeSending(slotId, order.role, order.client_order_id);
    if (order?.status !== "PENDING_SUBMIT") return;
    const cid = order.client_order_id;
    this.absent.forget(cid);
    // An entry whose intent the journal could not write is not sent (a crash would orphan its position).
    if (order.role === "ENTRY" && this.hooks.journaled?.() === false)
      return void this.localEnds.end(unjournaledReject(slot, cid, this.clock.nowMs(), this.log));
    let placed = () => {};
    this.placing.set(cid, new Promise<void>((resolve) => (placed = resolve)));
    try {
      await this.submit(slotId, slot, order.role, cid);
    } finally {
      this.placing.delete(cid);
      placed();
    }
  }

  private async submit(slotId: number, slot: SlotRecord, role: "ENTRY" | "EXIT", cid: string): Promise<void> {
    const started = this.clock.monoNs();
    // A leverage this process already set takes no hop: the order is written in this turn.
    if (role === "ENTRY" && !this.leverage.isSet(slot.asset, slot.side ?? "LONG", slot.leverage)) {
      this.localEnds.unsent.set(cid, slotId);
      const leverageSet = await this.ensureLeverage(slot, cid);
      if (!this.localEnds.unsent.delete(cid) || !leverageSet || this.withdrawnBeforeSending(slotId, role, cid)) return;
    }
    const request = orderRequest(this.kernel.slot(slotId), role);
    const result = await this.venue.submit(request).catch(unknownOutcome);
    this.hooks.venueLatency?.("submit", Number(this.clock.monoNs() - started) / 1e6);
    if (result.status === "REJECTED") this.onVenueEvent(result.event);
    else if (result.status === "UNKNOWN")
      this.log(`slot ${slotId}: ${cid} outcome unknown (${result.reason}); left to query`);
  }

  /**
   * After a wait in the placement (or at once: asked cancelled in its own batch) an order the kernel no longer holds
   * PENDING_SUBMIT, or an entry while trading is HALTED, is not sent; the kernel is told it ended before it left (a
   * CANCEL_ACK, nothing filled: an entry's slot returns to IDLE). True when it is not to be sent.
   */
  private withdrawnBeforeSending(slotId: number, role: "ENTRY" | "EXIT", cid: string): boolean {
    const slot = this.kernel.slot(slotId);
    const check = sendCheck(slot, role, cid, this.hooks.halted?.() === true);
    if (check.send) return false;
    this.log(`slot ${slotId}: ${cid} not sent: ${check.why}`);
    if (check.withdraw) this.localEnds.end(localCancelAck("WITHDRAWN", cid, slot.asset, this.clock.nowMs()));
    return true;
  }

  /** Sets the venue leverage for an asset and side, unless this process already set that value. */
  setLeverage(asset: string, side: PositionSide, leverage: number): Promise<void> {
    return this.leverage.ensure(asset, side, leverage);
  }

  /** Sets the entry's leverage first; a failure rejects the entry unless it was withdrawn meanwhile (_leverage.ts). */
  private async ensureLeverage(slot: SlotRecord, clientOrderId: string): Promise<boolean> {
    try {
      await this.setLeverage(slot.asset, slot.side ?? "LONG", slot.leverage);
      return true;
    } catch (e) {
      if (this.localEnds.unsent.has(clientOrderId))
        this.onVenueEvent(leverageReject(e, clientOrderId, slot, this.clock.nowMs()));
      return false;
    }
  }

  private async cancel(slotId: number): Promise<void> {
    const slot = this.kernel.slot(slotId);
    const order = slot.stage === "EXIT_WORKING" ? slot.exit_order : slot.entry_order;
    if (!order || this.cancelling.has(order.client_order_id) || this.localEnds.holds(order.client_order_id)) return;
    const cid = order.client_order_id;
    this.cancelling.add(cid);
    try {
      if (this.localEnds.withdraw(cid, "cancelled")) return;
      const placing = this.placing.get(cid);
      // A cancel that reaches the venue before its order is refused (the order then rests): the placement answers first.
      if (placing !== undefined) await placing;
      const now = stageWorkingOrder(this.kernel.slot(slotId));
      if (now?.client_order_id === cid && now.status === "CANCEL_REQUESTED")
        await sendCancelUntilAnswered(this.cancelDeps, slotId, cid);
    } finally {
      this.cancelling.delete(cid);
    }
  }

  /** Whether a placement, cancel or hung-order query of this order is running (live reconcile leaves it alone). */
  callRunning(cid: string): boolean {
    return this.placing.has(cid) || this.cancelling.has(cid) || this.querying.has(cid);
  }

  /** Sends the cancel of the slot's CANCEL_REQUESTED order again when no cancel or placement of it runs. True when sent. */
  resendCancel(slotId: number): boolean {
    const order = stageWorkingOrder(this.kernel.slot(slotId));
    if (order?.status !== "CANCEL_REQUESTED") return false;
    if (this.cancelling.has(order.client_order_id) || this.placing.has(order.client_order_id)) return false;
    this.log(`slot ${slotId}: cancel of ${order.client_order_id} sent again`);
    this.inflight.track(this.cancel(slotId));
    return true;
  }

  /**
   * The hung-order path: asks the venue about the slot's working order and applies what it knows as an event (one
   * contradicting the order, `answerEvent`, is booked nowhere: VENUE_MISMATCH, the slot marked stale; so is one the venue
   * acknowledged and no longer has; one never heard of while PENDING_SUBMIT, no placement running, is rejected: VENUE,
   * 80016). Both absent kinds are remembered (`absent`): cancelled should they land late; a fill: OVERFILL. */
  async resolveByQuery(slotId: number): Promise<HungResult> {
    const asked = this.kernel.slot(slotId); // the answer is judged against the order as asked about
    const order = stageWorkingOrder(asked);
    if (!order) return "NONE";
    const cid = order.client_order_id;
    // Marked out until its answer is applied (callRunning): a rate limit is waited out, any other failure is UNKNOWN.
    return this.querying.during(cid, async () => {
      const state = await queryHungOrder(this.venue, asked.asset, order, this.sleep, this.log);
      if (state === undefined) return "UNKNOWN";
      if (state !== null && state !== "ANOTHER_ORDER") {
        const answer = answerEvent(asked, order, state, this.clock.nowMs());
        if ("mismatch" in answer) return this.contradicted(slotId, cid, answer.mismatch, "MISMATCH");
        this.onVenueEvent(answer.event);
        return "EVENT";
      }
      if (this.placing.has(cid) || this.cancelling.has(cid)) return "NONE"; // its own answer settles it
      const verdict = absentVerdict(asked, order, this.kernel.slot(slotId), this.clock.nowMs(), state);
      if (verdict === null) return "NONE";
      this.absent.add(asked, order); // either way the venue's "no such order" may be lag: it may still land
      if ("stale" in verdict) return this.contradicted(slotId, cid, verdict.stale, "ABSENT_STALE");
      this.onVenueEvent(verdict.reject);
      return "ABSENT_REJECTED";
    });
  }

  private contradicted<R extends HungResult>(slotId: number, cid: string, d: DiagnosticRecord, result: R): R {
    const report = this.hooks.report ?? ((x: DiagnosticRecord) => this.log(`slot ${slotId}: ${x.message}`));
    report(d); // the runtime's hook counts, projects, streams and logs it
    if (stageWorkingOrder(this.kernel.slot(slotId))?.client_order_id === cid)
      this.apply({ type: "MARK_STALE", slot_id: slotId, reason: "DIVERGENCE", now_ms: this.clock.nowMs() });
    return result;
  }
}
