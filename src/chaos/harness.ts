/**
 * Harness: one real execution path assembled for chaos runs and venue integration tests —
 * ExecutionKernel + Executor + BingxVenueAdapter over loopback HTTP and WebSocket to a bingx-sim
 * it starts (or, only when handed a live config, the BingX demo account). Every kernel input goes
 * through the executor and is recorded by the EventSequencer; every outcome's diagnostics and
 * settlements are kept for the auditor.
 *
 * Quiescence (`settle`): no venue call in flight, the stream open, and no kernel input for a quiet
 * window. Hung resolution (`resolveHung`) is the launcher's TICK path: a TICK flags orders without
 * a venue update for `hungOrderMs`; each flagged order goes through `Executor.resolveByQuery`:
 * what the venue knows comes back as a normalized event, and an order the venue never received
 * (placement outcome UNKNOWN, then "order not exist") is rejected instead of hanging for ever.
 *
 * Bounds: diagnostics kept ≤ DIAGS_MAX; every wait is bounded by its `maxMs` in 10 ms steps.
 * Entry points: `startHarness(options)`, `Harness`.
 */

import type { Clock } from "../contracts/clock.ts";
import { parseStrategyIntent, refusedOutcome } from "../contracts/intent_parse.ts";
import type { DiagnosticRecord, KernelOutcome } from "../contracts/records.ts";
import type { VenueDiagnostic } from "../contracts/venue.ts";
import { ExecutionKernel } from "../kernel/index.ts";
import { Executor } from "../launcher/executor.ts";
import { type SimHandle, startBingxSim } from "../sim/index.ts";
import { type BingxConfig, BingxVenueAdapter } from "../venue/index.ts";
import { EventSequencer } from "./sequencer.ts";
import { adapterTruth, simTruth, type VenueTruth } from "./truth.ts";

const DIAGS_MAX = 50_000;
const SIM_KEY = "chaosKeyAAAAbbbbCCCCdddd01234567";
const SIM_SECRET = "chaosSecretZZZZyyyyXXXXwwww98765432";

export interface HarnessOptions {
  seed: number;
  clock: Clock;
  slots?: number;
  hungOrderMs?: number;
  prices?: Record<string, number>;
  balance?: number;
  /** The sim account's position mode at start (default hedge); ignored for a live venue. */
  positionMode?: "hedge" | "oneway";
  /** A live venue config (BINGX_SMOKE_LIVE=1 and keys, checked by the caller); null = bingx-sim. */
  live?: BingxConfig | null;
  log?: (line: string) => void;
}

/** A closed trade's settlement as the kernel booked it (capital may change only by these). */
export interface Settlement {
  slot_id: number;
  trade_id: string;
  amount: number;
}

export class Harness {
  readonly sequencer: EventSequencer;
  readonly diagnostics: DiagnosticRecord[] = [];
  readonly venueDiagnostics: VenueDiagnostic[] = [];
  readonly settlements: Settlement[] = [];
  /** Every kernel diagnostic code seen, counted (never cleared). */
  readonly diagnosticCounts: Record<string, number> = {};
  readonly executor: Executor;
  seededCapital = 0;

  constructor(
    sequencer: EventSequencer,
    readonly kernel: ExecutionKernel,
    readonly adapter: BingxVenueAdapter,
    readonly sim: SimHandle | null,
    readonly clock: Clock,
    readonly hungOrderMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.sequencer = sequencer;
    this.executor = new Executor(kernel, adapter, clock, { afterApply: (_i, o) => this.afterApply(o), log });
    adapter.onDiagnostic((d) => {
      if (this.venueDiagnostics.length < DIAGS_MAX) this.venueDiagnostics.push(d);
    });
  }

  private afterApply(o: KernelOutcome): void {
    for (const d of o.diagnostics) {
      this.diagnosticCounts[d.code] = (this.diagnosticCounts[d.code] ?? 0) + 1;
      if (this.diagnostics.length < DIAGS_MAX) this.diagnostics.push(d);
    }
    for (const t of o.transitions) {
      if (t.to !== "CLOSED" || t.from === "CLOSED") continue;
      const s = this.kernel.slot(t.slot_id);
      this.settlements.push({ slot_id: s.slot_id, trade_id: s.trade_id, amount: s.realized_pnl - s.fees });
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
    return this.sim ? simTruth(this.sim) : adapterTruth(this.adapter);
  }

  async stop(): Promise<void> {
    await this.executor.drain(3_000);
    await this.adapter.close().catch(() => {});
    await this.sim?.stop();
    this.kernel.destroy();
  }
}

/** The sim's per-endpoint limits in chaos runs: raised so faults, not BingX's budget, drive the run. */
const SIM_RAISED_LIMITS = { place_order: 1000, cancel_order: 1000, query_order: 1000, open_orders: 1000, market: 1000 };

/** Starts the sim (unless live), connects the adapter, opens a kernel and seeds it from the venue balance. */
export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const log = o.log ?? (() => {});
  const sim = o.live
    ? null
    : await startBingxSim({
        port: 0,
        apiKey: SIM_KEY,
        secret: SIM_SECRET,
        seed: o.seed,
        clock: o.clock,
        balance: o.balance ?? 10_000,
        positionMode: o.positionMode ?? "hedge",
        prices: o.prices ?? { "BTC-USDT": 65_000, "ETH-USDT": 3_200 },
        rateLimitsPerS: SIM_RAISED_LIMITS,
      });
  const config: BingxConfig = o.live ?? {
    apiKey: SIM_KEY,
    secret: SIM_SECRET,
    baseUrl: sim!.url,
    wsUrl: sim!.wsUrl,
    recvWindowMs: 5000,
    clock: o.clock,
    timeoutMs: 1_000,
  };
  const adapter = new BingxVenueAdapter(config, {
    // Against the raised sim the adapter's throttle is raised alike; live, it keeps BingX's limits.
    ...(sim ? { throttle: { limitsPerS: SIM_RAISED_LIMITS } } : {}),
    resolveDelaysMs: [0, 50, 150],
    stream: { backoffBaseMs: 20, backoffMaxMs: 200, openTimeoutMs: 2_000 },
  });
  const hungOrderMs = o.hungOrderMs ?? 60;
  const sequencer = new EventSequencer();
  const kernel = ExecutionKernel.open({ slotCount: o.slots ?? 4, hungOrderMs, journal: sequencer });
  const h = new Harness(sequencer, kernel, adapter, sim, o.clock, hungOrderMs, log);
  try {
    await adapter.connect();
    const balance = await adapter.balance();
    h.seededCapital = balance.balance;
    const seeded = h.executor.applySystem({ type: "SEED_CAPITAL", capital: balance.balance, now_ms: o.clock.nowMs() });
    if (!seeded.accepted)
      throw new Error(`Invariant: the kernel refused its capital seed: ${JSON.stringify(seeded.diagnostics)}`);
  } catch (e) {
    await h.stop();
    throw e;
  }
  return h;
}
