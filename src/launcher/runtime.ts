/**
 * Runtime: one assembled DITAv2 process. It owns the bundle, the executor and the metrics, and runs the serve loops (the
 * Zinc ring, the control region, a TICK every second, the event-loop lag probe) and the venue's pushes (_position_push.ts).
 * After every kernel call it flushes the journal, feeds the projection outbox and counts; a late exit fill the kernel
 * booked (decision 38) makes the capital re-seed due again (`LiveReconciler.followEvent`). The kernel is the only authority.
 *
 * Inputs reach the kernel by source: strategy intents through `submitStrategy` (parsed at the HTTP or CLI edge) and the
 * ring (`RingIntake`, checking each record's kind); venue events through the executor's subscription; the launcher's
 * own through `applySystem`. An input an edge refuses is reported (`refuseAtEdge`), never applied.
 *
 * Each outcome goes to the projection with the journal seq of its input (a ring batch: of its first record, plus each
 * record's offset), so table row ids name inputs; the launcher's own diagnostics and refused inputs are marked. After
 * recovery the whole confirmed image is projected once. Outcomes, refusals, control changes and a flatten's start and
 * answer also go to the optional `RuntimeEvents` hook (the event stream), which only appends.
 *
 * Entry points: `new Runtime(bundle, log, events?)`, `start()`, `submitStrategy`, `refuseAtEdge`, `report`, `applyControl`, `runLoops()`, `shutdown()`.
 */

import type { ControlSnapshot } from "../contracts/control.ts";
import { type InputRefusal, refusedOutcome } from "../contracts/intent_parse.ts";
import type { KernelInput, StrategyIntent } from "../contracts/intents.ts";
import type { DiagnosticRecord, KernelOutcome, TransitionRecord } from "../contracts/records.ts";
import type { RuntimeEvents } from "../events/index.ts";
import { IntakeClosedError } from "../http/index.ts";
import { ControlSync, mailboxFlatten } from "./_control_sync.ts";
import { type HungQueryDeps, reconcileStale, resolveHung } from "./_hung_query.ts";
import { JournalGuard } from "./_journal_guard.ts";
import { orderIntentRefusal, orderRecordRefusal, type SlotOf } from "./_order_hold.ts";
import { watchVenuePushes } from "./_position_push.ts";
import { restoredOrders } from "./_recovery_lookups.ts";
import { RingIntake } from "./_ring_intake.ts";
import { type LoopHost, runServeLoops } from "./_serve_loops.ts";
import { SHUTDOWN_BUDGET_MS, shutdownPlan } from "./_shutdown_plan.ts";
import { logsVenue, tracesTransitions, transitionLine } from "./_trace.ts";
import { LoggedVenue } from "./_venue_log.ts";
import { readBelief } from "./belief.ts";
import type { Bundle } from "./bundle.ts";
import { hazelcastOf } from "./config.ts";
import { Executor } from "./executor.ts";
import { Flattener } from "./flatten.ts";
import { LiveReconciler } from "./live_reconcile.ts";
import { type IntakeEdge, Metrics } from "./metrics.ts";
import { type RecoveryReport, recover } from "./recovery.ts";

/** Where an outcome's inputs are in the journal (`OutcomeInput` in src/projection); `by`: raised by serve itself. */
type InputsAt = { journalSeq: number; inputOffsets?: Int32Array; launcher?: true; refused?: boolean; by?: "launcher" };

export class Runtime {
  readonly metrics = new Metrics();
  readonly executor: Executor;
  readonly journal: JournalGuard;
  readonly flattener: Flattener;
  readonly reconciler: LiveReconciler;
  private readonly controls: ControlSync;
  recovery: RecoveryReport | null = null;
  private readonly stop = new AbortController();
  /** The first Zinc region found no longer matching its layout (then nothing reads or writes it). */
  hostileRegion: string | null = null;
  private readonly ring: RingIntake;
  private ringBase = 0; // journal seq before the current ring drain: its k-th accepted record is ringBase + 1 + k
  private readonly slotImage = (id: number) => this.b.kernel.slotImage(id); // zero-copy: the projection copies them
  readonly startedAtMs: number;
  private readonly hungQuery: HungQueryDeps;

  constructor(
    readonly b: Bundle,
    private readonly log: (line: string) => void,
    private readonly events: RuntimeEvents | null = null,
  ) {
    this.startedAtMs = b.clock.nowMs();
    // Every venue call below goes through the verbosity log (a pass-through at QUIET).
    b.venue = new LoggedVenue(b.venue, () => logsVenue(b.control.snapshot()), log);
    this.journal = new JournalGuard(b.journal, { log, halt: this.halt });
    this.executor = new Executor(b.kernel, b.venue, b.clock, {
      writeAhead: () => void this.journal.flush(),
      journaled: () => this.journal.durable,
      afterApply: (input, outcome) => this.afterApply(input, outcome),
      venueLatency: (op, ms) => this.metrics.recordLatency(op, ms),
      log,
      halted: () => b.control.snapshot().trading_state === "HALTED",
      report: (d) => this.report(d),
    });
    this.controls = new ControlSync({
      control: b.control,
      kernel: b.kernel,
      clock: b.clock,
      applySystem: (input) => this.executor.applySystem(input),
      publish: (snapshot) => {
        b.projection.onControl(snapshot);
        this.events?.onControl(snapshot);
      },
      log,
    });
    b.venue.onDiagnostic((d) => log(`venue ${d.code}: ${d.message}`));
    this.ring = new RingIntake(b.zinc, b.kernel, {
      check: (rec) => orderRecordRefusal(b.venue, rec, this.slotOf),
      applied: (o, journalOffsets) => {
        this.journal.flush(); // write-ahead, the orders (this turn), projection, metrics, outcomes, then local ends
        this.executor.dispatch(o.transitions, () => {
          this.metrics.recordRecords(o.accepted_flags, b.clock.nowMs());
          this.afterApply(null, o, { journalSeq: this.ringBase + 1, inputOffsets: journalOffsets });
        });
      },
      refused: (r) => void this.refuseAtEdge("ring", r),
      nowMs: () => b.clock.nowMs(),
    });
    const ops = { kernel: b.kernel, executor: this.executor, venue: b.venue, clock: b.clock, log, sleep: Bun.sleep };
    this.reconciler = new LiveReconciler({ ...ops, report: (d) => this.report(d) });
    const stopped = () => this.stop.signal.aborted || !this.executor.accepting;
    const reconcileNow = () => this.reconciler.pass(); // also for a slot the hung-order query sent to reconcile
    const pushed = () => (this.recovery ? reconcileNow() : Promise.resolve([])); // never beside recovery's own reads
    const reconcile = b.config.reconcile_interval_ms > 0 ? pushed : null; // while timed passes run
    watchVenuePushes({ ...ops, report: (d) => this.report(d), stopped, reconcile }); // a push checked at once
    this.hungQuery = { ...ops, resolve: (id) => this.executor.resolveByQuery(id), stopped, reconcileNow };
    this.flattener = new Flattener({ ...ops, halt: this.halt, reconcileNow, notify: (e) => this.events?.onFlatten(e) });
    this.controls.actions = mailboxFlatten(this.flattener, b.control);
  }

  /**
   * Connects the venue (the journal's slots' order ids told it first: `rememberClientIds`), restores and reconciles the
   * last belief (the state region, else Hazelcast), seeds capital. A Hazelcast belief is always reconciled: it is older.
   */
  async start(): Promise<RecoveryReport> {
    if (this.b.journalBelief !== null) this.b.venue.rememberClientIds?.(restoredOrders(this.b.kernel.slots()));
    await this.b.venue.connect();
    const c = this.b.config;
    const hzSink = this.b.projection.stats().sinks.find((s) => s.sink === "hazelcast");
    const belief = await readBelief({
      fromJournal: this.b.journalBelief !== null,
      zincImages: this.b.survivingImages,
      slots: c.slots,
      strategy: c.strategy,
      log: this.log,
      hazelcast: c.hazelcast === "REAL" ? hazelcastOf(c) : null,
      hazelcastDown: hzSink && !hzSink.up ? String(hzSink.last_error ?? "not connected") : null,
    });
    const reconcile = c.reconcile_on_restart || belief.source === "hazelcast";
    if (reconcile !== c.reconcile_on_restart)
      this.log("belief from hazelcast: reconciling with the venue although DITA_V2_RECONCILE_ON_RESTART=0");
    this.controls.startUp(); // start-up trading state and limits; a stricter restored state is kept
    const deps = { kernel: this.b.kernel, executor: this.executor, venue: this.b.venue, log: this.log };
    this.recovery = await recover({ ...deps, nowMs: () => this.b.clock.nowMs() }, belief, reconcile);
    this.reconciler.followOrphans(this.recovery.orphans); // reported once, then followed by its passes
    this.b.projection.onImage({ slots: this.b.kernel.slots(), account: this.b.kernel.account() });
    this.b.projection.onControl(this.b.control.snapshot());
    return this.recovery;
  }

  private afterApply(input: KernelInput | null, outcome: KernelOutcome, at?: InputsAt): void {
    this.journal.flush();
    if (input?.type === "VENUE_EVENT") this.ring.followVenue(input.event, outcome);
    // A late exit fill the kernel booked (decision 38) may be in the wallet a re-seed read: capital follows it again.
    if (input?.type === "VENUE_EVENT" && this.recovery) this.reconciler.followEvent(outcome);
    // input null = a Zinc ring batch, whose records were counted one by one (recordRecords).
    if (input === null) this.metrics.recordBatchEffects(outcome);
    else this.metrics.recordOutcome(input, outcome);
    // A refused input is not journaled: its diagnostics get launcher-style ids, repeats coalesced (src/projection).
    const where = at ?? { journalSeq: this.b.inputs.entries, refused: input !== null && !outcome.accepted };
    this.project(outcome.transitions, outcome.diagnostics, where);
    for (const d of outcome.diagnostics) {
      // A hung order is looked up at the venue (_hung_query.ts), then a cancel given up on (outcome unknown) sent again;
      // a slot an OVERFILL sent stale (e.g. an order taken as ended filled late) takes the venue's truth at once.
      if (d.code === "HUNG_ORDER" && d.slot_id !== null) void this.hung(d.slot_id);
      if (d.code === "OVERFILL" && d.slot_id !== null && this.recovery) void reconcileStale(d.slot_id, this.hungQuery);
      if (d.code === "DRAWDOWN_LIMIT") this.controls.followKernel();
    }
  }

  private async hung(slotId: number): Promise<void> {
    await resolveHung(slotId, this.hungQuery);
    if (!this.stop.signal.aborted) this.executor.resendCancel(slotId);
  }

  /** An input an edge refused before the kernel: counted, projected as a diagnostic, logged (bounded), never journaled. */
  refuseAtEdge(edge: IntakeEdge, refusal: InputRefusal): KernelOutcome {
    const outcome = refusedOutcome(refusal, this.b.clock.nowMs());
    this.metrics.recordEdgeRefusal(edge, refusal);
    this.project([], outcome.diagnostics, { journalSeq: this.b.inputs.entries, refused: true, by: "launcher" });
    const n = this.metrics.edgeRefusals;
    if (n <= 10 || n % 1000 === 0) this.log(`${edge} refused (${n} so far): ${refusal.code} ${refusal.message}`);
    return outcome;
  }

  /** A diagnostic the launcher itself issues (not an input's): counted, projected, logged. */
  report(d: DiagnosticRecord): void {
    this.metrics.recordDiagnostic(d.code);
    this.project([], [d], { journalSeq: this.b.inputs.entries, launcher: true, by: "launcher" });
    this.log(`${d.severity} ${d.code}: ${d.message}`);
  }

  private project(transitions: readonly TransitionRecord[], diagnostics: readonly DiagnosticRecord[], at: InputsAt) {
    const account = this.b.kernel.account();
    const control = this.b.control.snapshot();
    if (transitions.length > 0 && tracesTransitions(control)) for (const t of transitions) this.log(transitionLine(t));
    // Marks change unrealized PnL without a transition: every outcome goes to the projection.
    this.b.projection.onOutcome({ transitions, diagnostics, slotImage: this.slotImage, account, control, ...at });
    this.events?.onOutcome(transitions, diagnostics, account, at.by ?? "kernel");
  }

  /** A strategy intent parsed at its edge (HTTP, CLI, smoke); throws while shutting down. */
  submitStrategy(intent: StrategyIntent): KernelOutcome {
    if (!this.executor.accepting) throw new IntakeClosedError("shutting down: intake is closed");
    const refused = orderIntentRefusal(this.b.venue, intent, this.slotOf);
    if (refused !== null) return this.refuseAtEdge("http", refused);
    this.controls.syncIfChanged();
    return this.executor.submitStrategy(intent);
  }

  /** A slot's asset, position size and side, or null for no such slot or none yet (for the venue's size rules). */
  private readonly slotOf: SlotOf = (id) => {
    const slot = Number.isInteger(id) && id >= 0 && id < this.b.kernel.slotCount ? this.b.kernel.slot(id) : null;
    return slot?.asset ? { asset: slot.asset, size: slot.size, side: slot.side } : null;
  };

  private readonly halt = (): void =>
    void (this.b.control.snapshot().trading_state !== "HALTED" && this.controls.apply({ trading_state: "HALTED" }));

  /** An operator's change (HTTP, CLI, fleet), refused once shutdown began (the launcher's `halt` is not). */
  applyControl(change: Record<string, unknown>): ControlSnapshot {
    if (!this.executor.accepting) throw new IntakeClosedError("shutting down: control changes are refused");
    return this.controls.apply(change);
  }

  /** Drains the Zinc intent ring into the kernel in batches; returns the records taken. */
  drainRing(): number {
    if (this.watchRegions() !== null) return 0;
    this.controls.syncIfChanged();
    this.ringBase = this.b.inputs.entries;
    return this.executor.localEnds.hold(() => this.ring.drain()); // local ends after the drain's last outcome
  }

  /**
   * Re-validates the shared-memory regions (each drain and every tick). The first mismatch makes them hostile: a
   * CRITICAL ZINC_REGION_CORRUPT, no record consumed or state mirrored any more, /health 503 naming why. A restart
   * refuses the region with one line (it is not re-created behind the operator's back: strategies may still write it).
   */
  watchRegions(): string | null {
    if (this.hostileRegion !== null) return this.hostileRegion;
    const bad = this.b.zinc.checkRegions() ?? this.b.control.checkRegion();
    if (bad === null) return null;
    this.hostileRegion = bad;
    this.report({
      code: "ZINC_REGION_CORRUPT",
      severity: "CRITICAL",
      slot_id: null,
      message: `${bad}; no longer read or written (a restart refuses it: remove the file once no strategy writes it)`,
      details: {},
      input_index: 0,
      now_ms: this.b.clock.nowMs(),
    });
    return bad;
  }

  /** Serve loops; resolve when `shutdown` stops them. */
  async runLoops(): Promise<void> {
    const host: LoopHost = {
      zinc: this.b.zinc,
      control: this.b.control,
      reconcileIntervalMs: this.b.config.reconcile_interval_ms,
      accepting: () => this.executor.accepting,
      hostile: () => this.hostileRegion !== null,
      drainRing: () => this.drainRing(),
      syncControlIfChanged: () => this.controls.syncIfChanged(),
      tick: () => {
        this.watchRegions();
        this.executor.applySystem({ type: "TICK", now_ms: this.b.clock.nowMs() });
      },
      reconcile: () => this.reconciler.pass(),
      monoNs: () => this.b.clock.monoNs(),
      loopLag: (ms) => this.metrics.recordLoopLag(ms),
      warmPathMs: this.b.config.warm_path_ms,
      venue: this.b.venue,
      nowMs: () => this.b.clock.nowMs(),
      log: this.log,
    };
    await runServeLoops(host, this.stop.signal);
  }

  /** SIGTERM: intake refused, a flatten answers, venue calls bounded; venue, reconciler, executor, journal closed. */
  async shutdown(budgetMs = SHUTDOWN_BUDGET_MS): Promise<{ inflight_left: number; projection_flushed: boolean }> {
    this.executor.stopIntake();
    const { venueDrainMs, reconcilerStopMs, projectionFlushMs } = shutdownPlan(budgetMs);
    const flattenMs = await this.flattener.stop(venueDrainMs / 2);
    const inflightLeft = await this.executor.drain(Math.max(0, venueDrainMs - flattenMs));
    this.stop.abort();
    await this.b.venue.close().catch(() => {});
    await this.reconciler.stop(reconcilerStopMs); // a running pass must not touch the kernel from here on
    const flushed = await this.b.projection.flush(projectionFlushMs);
    this.executor.close(); // the journal is the recovery authority: no input reaches the kernel after it closes
    this.journal.close();
    await this.b.projection.close().catch(() => {});
    this.b.zinc.close();
    this.b.control.close();
    this.b.kernel.destroy();
    return { inflight_left: inflightLeft, projection_flushed: flushed };
  }
}
