/**
 * Harness: one real execution path assembled for chaos runs and venue integration tests —
 * ExecutionKernel + Executor + a venue adapter: the BingxVenueAdapter over loopback HTTP and
 * WebSocket to a bingx-sim it starts, the in-process MockVenueAdapter, or (only when handed a live
 * config) the BingX demo account. Every kernel input goes through the executor and is recorded by
 * the EventSequencer; every outcome's diagnostics, settlements and opened trades are kept for the
 * auditor.
 *
 * Quiescence (`settle`): no venue call in flight, the stream open, and no kernel input for a quiet
 * window. Hung resolution (`resolveHung`) is the launcher's TICK path: a TICK flags orders without
 * a venue update for `hungOrderMs`; each flagged order goes through `Executor.resolveByQuery`.
 * Restart (`restart`): the process dies between two steps — its slot images are the belief, a new
 * kernel, executor and adapter connection start, and the launcher's `recover` reconciles them
 * with the venue (the old executor is detached from the venue: a dead process hears nothing).
 *
 * Bounds: diagnostics kept ≤ DIAGS_MAX; every wait is bounded by its `maxMs` in 10 ms steps.
 * Entry points: `startHarness(options)`, `Harness`.
 */

import type { Clock } from "../contracts/clock.ts";
import { parseStrategyIntent, refusedOutcome } from "../contracts/intent_parse.ts";
import type { SystemInput } from "../contracts/intents.ts";
import type { DiagnosticRecord, KernelOutcome, TransitionRecord } from "../contracts/records.ts";
import type { VenueAdapter, VenueDiagnostic } from "../contracts/venue.ts";
import { ExecutionKernel } from "../kernel/index.ts";
import type { Belief } from "../launcher/belief.ts";
import { Executor } from "../launcher/executor.ts";
import { type RecoveryReport, recover } from "../launcher/recovery.ts";
import type { SimHandle } from "../sim/index.ts";
import type { BingxConfig, BingxVenueAdapter, MockVenueAdapter } from "../venue/index.ts";
import { Gate } from "./_gate.ts";
import { patiently } from "./_patience.ts";
import type { TradeInfo } from "./audit_fills.ts";
import { EventSequencer } from "./sequencer.ts";
import type { VenueTruth } from "./truth.ts";
import { type ChaosVenue, openLiveVenue, openVenue, type VenueKind } from "./venue.ts";

const DIAGS_MAX = 50_000;

export interface HarnessOptions {
  seed: number;
  clock: Clock;
  slots?: number;
  hungOrderMs?: number;
  prices?: Record<string, number>;
  balance?: number;
  /** The sim account's position mode at start (default hedge); ignored for other venues. */
  positionMode?: "hedge" | "oneway";
  /** Which venue to start (default bingx-sim); ignored when `live` is set. */
  venue?: VenueKind;
  /** A live venue config (BINGX_SMOKE_LIVE=1 and keys, checked by the caller); null = a local venue. */
  live?: BingxConfig | null;
  log?: (line: string) => void;
}

/** A closed trade's settlement as the kernel booked it (capital may change only by these). */
export interface Settlement {
  slot_id: number;
  trade_id: string;
  amount: number;
  /** The process incarnation that booked it (a restart starts the next). */
  incarnation: number;
}

/** A process that ended (restart): what it journaled and the hash it ended with. */
export interface Retired {
  sequencer: EventSequencer;
  state_hash: string;
}

interface Process {
  kernel: ExecutionKernel;
  executor: Executor;
  sequencer: EventSequencer;
  gate: Gate;
}

export class Harness<A extends VenueAdapter = VenueAdapter> {
  readonly diagnostics: DiagnosticRecord[] = [];
  readonly venueDiagnostics: VenueDiagnostic[] = [];
  readonly settlements: Settlement[] = [];
  /** Every kernel diagnostic code seen, counted (never cleared). */
  readonly diagnosticCounts: Record<string, number> = {};
  /** Every trade the kernel opened (or adopted at a restart), by lower-cased trade id. */
  readonly trades = new Map<string, TradeInfo>();
  readonly retired: Retired[] = [];
  /** Transitions since the last audit (the auditor checks each against the table), bounded. */
  readonly transitions: TransitionRecord[] = [];
  seededCapital = 0;
  private proc!: Process;

  constructor(
    readonly venue: ChaosVenue,
    readonly clock: Clock,
    readonly slotCount: number,
    readonly hungOrderMs: number,
    private readonly log: (line: string) => void,
  ) {}

  get kernel(): ExecutionKernel {
    return this.proc.kernel;
  }
  get executor(): Executor {
    return this.proc.executor;
  }
  get sequencer(): EventSequencer {
    return this.proc.sequencer;
  }
  get adapter(): A {
    return this.proc.gate.inner as A;
  }
  get sim(): SimHandle | null {
    return this.venue.sim;
  }
  get mock(): MockVenueAdapter | null {
    return this.venue.mock;
  }
  get incarnation(): number {
    return this.retired.length;
  }

  /** Starts a process on a connected adapter: kernel, journal, executor. */
  open(adapter: VenueAdapter): void {
    const gate = new Gate(adapter);
    const sequencer = new EventSequencer();
    const kernel = ExecutionKernel.open({
      slotCount: this.slotCount,
      hungOrderMs: this.hungOrderMs,
      journal: sequencer,
    });
    const log = this.log;
    const executor = new Executor(kernel, gate, this.clock, { afterApply: (_i, o) => this.afterApply(o), log });
    gate.onDiagnostic((d) => {
      if (this.venueDiagnostics.length < DIAGS_MAX) this.venueDiagnostics.push(d);
    });
    this.proc = { kernel, executor, sequencer, gate };
  }

  private afterApply(o: KernelOutcome): void {
    for (const d of o.diagnostics) {
      this.diagnosticCounts[d.code] = (this.diagnosticCounts[d.code] ?? 0) + 1;
      if (this.diagnostics.length < DIAGS_MAX) this.diagnostics.push(d);
    }
    for (const t of o.transitions) {
      if (this.transitions.length < DIAGS_MAX) this.transitions.push(t);
      const s = this.kernel.slot(t.slot_id);
      if ((t.trigger === "ENTER" || t.trigger === "RESTORE") && s.side !== null && s.trade_id !== "")
        this.trades.set(s.trade_id.toLowerCase(), { trade_id: s.trade_id, asset: s.asset, side: s.side });
      if (t.to !== "CLOSED" || t.from === "CLOSED") continue;
      this.settlements.push({
        slot_id: s.slot_id,
        trade_id: s.trade_id,
        amount: s.realized_pnl - s.fees,
        incarnation: this.incarnation,
      });
    }
  }

  /**
   * Applies an intent the way HTTP does: parsed at the strategy edge (a refusal there never
   * reaches the kernel), then through the executor (which stamps `now_ms` and starts venue work).
   */
  submit(intent: Record<string, unknown>): KernelOutcome {
    const parsed = parseStrategyIntent(intent);
    if (!parsed.ok) {
      const refused = refusedOutcome(parsed.refusal, this.clock.nowMs());
      this.afterApply(refused);
      return refused;
    }
    return this.executor.submitStrategy(parsed.value);
  }

  /** A launcher input (CONFIGURE, TICK, ...), stamped with the clock when it carries no time. */
  system(input: SystemInput): KernelOutcome {
    return this.executor.applySystem(input);
  }

  /** Waits until nothing moves for `quietMs`: no call in flight, stream open, no new kernel input. */
  async settle(quietMs = 80, maxMs = 8_000): Promise<boolean> {
    let last = this.sequencer.length;
    let quiet = 0;
    for (let waited = 0; waited < maxMs; waited += 10) {
      await Bun.sleep(10);
      const moved = this.sequencer.length !== last;
      last = this.sequencer.length;
      quiet = moved || this.executor.inflightCount > 0 || !this.adapter.connected() ? 0 : quiet + 10;
      if (quiet >= quietMs) return true;
    }
    return false;
  }

  /** The launcher's hung path: TICK, then resolve every flagged order by query (Executor.resolveByQuery). */
  async resolveHung(): Promise<{ flagged: number; unresolved: string[] }> {
    const working = () => this.kernel.slots().some((s) => s.stage === "ENTRY_WORKING" || s.stage === "EXIT_WORKING");
    if (!working()) return { flagged: 0, unresolved: [] };
    await Bun.sleep(this.hungOrderMs + 5);
    this.executor.applySystem({ type: "TICK", now_ms: this.clock.nowMs() });
    let flagged = 0;
    const unresolved: string[] = [];
    for (const slot of this.kernel.slots()) {
      const order =
        slot.stage === "EXIT_WORKING" ? slot.exit_order : slot.stage === "ENTRY_WORKING" ? slot.entry_order : null;
      if (!order?.hung) continue;
      flagged++;
      const how = await this.executor.resolveByQuery(slot.slot_id);
      if (how === "UNKNOWN") unresolved.push(order.client_order_id);
      if (how === "ABSENT_REJECTED") this.log(`hung order ${order.client_order_id} never reached the venue: rejected`);
    }
    return { flagged, unresolved };
  }

  async truth(): Promise<VenueTruth> {
    const asked = this.kernel
      .slots()
      .flatMap((s) =>
        [s.entry_order, s.exit_order].flatMap((o) =>
          o ? [{ asset: s.asset, client_order_id: o.client_order_id }] : [],
        ),
      );
    return this.venue.truth(this.adapter, asked);
  }

  /**
   * The process dies and a new one starts: the slot images are its belief, the venue its truth
   * (`recover`, as the launcher runs it at start). Capital is seeded again from the wallet.
   */
  async restart(reconcile = true): Promise<RecoveryReport> {
    await this.executor.drain(3_000);
    const old = this.proc;
    const belief: Belief = {
      source: "zinc",
      images: Array.from({ length: this.slotCount }, (_, i) => old.kernel.slotImage(i).slice()),
    };
    old.gate.retire();
    this.retired.push({ sequencer: old.sequencer, state_hash: old.kernel.stateHashHex() });
    if (this.venue.kind !== "mock") await old.gate.close().catch(() => {});
    old.kernel.destroy();
    this.open(await this.venue.connect());
    const report = await recover(
      {
        kernel: this.kernel,
        executor: this.executor,
        venue: this.proc.gate,
        nowMs: () => this.clock.nowMs(),
        log: this.log,
      },
      belief,
      reconcile,
    );
    this.seededCapital = this.kernel.account().capital;
    return report;
  }

  async stop(): Promise<void> {
    await this.executor.drain(3_000);
    this.proc.gate.retire();
    await this.adapter.close().catch(() => {});
    await this.venue.stop();
    this.kernel.destroy();
  }
}

/** Starts the venue, connects an adapter, opens a kernel and seeds it from the venue balance. */
export async function startHarness(o: HarnessOptions & { venue: "mock" }): Promise<Harness<MockVenueAdapter>>;
export async function startHarness(o: HarnessOptions & { venue?: "sim" }): Promise<Harness<BingxVenueAdapter>>;
export async function startHarness(o: HarnessOptions): Promise<Harness>;
export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const log = o.log ?? (() => {});
  const venue = o.live
    ? openLiveVenue(o.live)
    : await openVenue(o.venue ?? "sim", {
        seed: o.seed,
        clock: o.clock,
        prices: o.prices ?? { "BTC-USDT": 65_000, "ETH-USDT": 3_200 },
        balance: o.balance ?? 10_000,
        positionMode: o.positionMode,
      });
  const h = new Harness(venue, o.clock, o.slots ?? 4, o.hungOrderMs ?? 60, log);
  let opened = false;
  try {
    h.open(await venue.connect());
    opened = true;
    const balance = await patiently(() => h.adapter.balance());
    h.seededCapital = balance.balance;
    const seeded = h.executor.applySystem({ type: "SEED_CAPITAL", capital: balance.balance, now_ms: o.clock.nowMs() });
    if (!seeded.accepted)
      throw new Error(`Invariant: the kernel refused its capital seed: ${JSON.stringify(seeded.diagnostics)}`);
  } catch (e) {
    await (opened ? h.stop() : venue.stop()).catch(() => {});
    throw e;
  }
  return h;
}
