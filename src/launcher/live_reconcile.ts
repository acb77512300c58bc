/**
 * Live reconciliation (docs/architecture.md §8): every `DITA_V2_RECONCILE_INTERVAL_MS` the venue's
 * positions and open orders are compared with the kernel's belief, so a change made behind the
 * kernel's back (a position closed on the exchange, an order cancelled with no stream event, a
 * position opened by hand) is found within one interval, not at the next restart.
 *
 * One pass: read positions and open orders (two calls for the whole account, waiting out rate
 * limits like recovery), split the positions across the trading slots (`allocatePositions`, the
 * restart path), and list the slots that disagree. A disagreement is confirmed by a second read
 * before anything is done (a stream event may simply be late); then, for each slot whose version
 * did not change since the first read, the launcher reports VENUE_MISMATCH and takes the restart
 * path: MARK_STALE (DIVERGENCE) and RECONCILE to the venue's truth, synchronously (no venue event
 * can interleave). Capital is re-seeded from the wallet after a slot was reconciled (a trade the
 * venue closed settles there, not here). A position no slot owns is an ORPHAN_POSITION, reported
 * once per change.
 *
 * Invariants: the reconciler decides no state (the kernel does, through MARK_STALE/RECONCILE);
 * a slot with an order in flight (PENDING_SUBMIT, CANCEL_REQUESTED) or that changed during the
 * reads is left alone this pass; one pass at a time.
 *
 * Entry point: `new LiveReconciler(deps)`, `pass()`, `stats`.
 */

import type { Clock } from "../contracts/clock.ts";
import type { ReconcileTruth } from "../contracts/intents.ts";
import { isTradingStage, stageWorkingOrder } from "../contracts/order_status.ts";
import type { DiagnosticRecord, SlotRecord } from "../contracts/records.ts";
import type { VenueAdapter, VenueOrderState, VenuePosition } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";
import type { Executor } from "./executor.ts";
import { type Assignment, allocatePositions, slotClaim } from "./position_allocation.ts";
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
}

const E8 = 100_000_000;
const sameSize = (a: number, b: number) => Math.round(a * E8) === Math.round(b * E8);

export class LiveReconciler {
  readonly stats: ReconcileStats = {
    passes: 0,
    mismatches_total: 0,
    last_pass_at_ms: null,
    last_mismatches: [],
    last_error: null,
  };
  private running: Promise<number[]> | null = null;
  private orphansSeen = "";

  constructor(private readonly d: LiveReconcileDeps) {}

  /** One pass (or the one already running); resolves with the slots it reconciled. */
  pass(): Promise<number[]> {
    this.running ??= this.run()
      .catch((e: unknown) => {
        this.stats.last_error = e instanceof Error ? e.message : String(e);
        this.d.log(`live reconciliation failed: ${this.stats.last_error}`);
        return [];
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async run(): Promise<number[]> {
    const { kernel } = this.d;
    const versions = new Map(kernel.slots().map((s) => [s.slot_id, s.version]));
    const first = await this.read();
    const suspects = this.disagreements(first).filter((id) => kernel.slot(id).version === versions.get(id));
    let reconciled: number[] = [];
    let view = first;
    if (suspects.length > 0) {
      view = await this.read(); // confirm: a late stream event is not a mismatch
      const confirmed = new Set(this.disagreements(view));
      reconciled = suspects.filter((id) => confirmed.has(id) && kernel.slot(id).version === versions.get(id));
      const truths = this.truths(view);
      for (const id of reconciled) this.converge(id, truths.get(id)!, view);
      if (reconciled.length > 0) await this.reseed();
    }
    this.reportOrphans(view);
    Object.assign(this.stats, {
      passes: this.stats.passes + 1,
      mismatches_total: this.stats.mismatches_total + reconciled.length,
      last_pass_at_ms: this.d.clock.nowMs(),
      last_mismatches: reconciled,
      last_error: null,
    });
    return reconciled;
  }

  private async read(): Promise<VenueView> {
    const wait = { sleep: this.d.sleep };
    const positions = await readWithRateLimitWaits(
      "live reconcile: positions",
      () => this.d.venue.positions(),
      this.d.log,
      wait,
    );
    const orders = await readWithRateLimitWaits(
      "live reconcile: open orders",
      () => this.d.venue.openOrders(),
      this.d.log,
      wait,
    );
    return { positions: positions.filter((p) => p.size > 0), orders };
  }

  /** Each trading slot's share of the venue's positions (the restart split), by slot id. */
  private truths(view: VenueView): Map<number, Assignment> {
    const claims = this.d.kernel
      .slots()
      .filter((s) => isTradingStage(s.stage))
      .map(slotClaim);
    return new Map(allocatePositions(claims, view.positions).assignments.map((a) => [a.slot_id, a]));
  }

  /** Slots whose belief the venue contradicts (slots with an order in flight are not judged). */
  private disagreements(view: VenueView): number[] {
    const shares = this.truths(view);
    const out: number[] = [];
    for (const s of this.d.kernel.slots()) {
      if (!isTradingStage(s.stage) || inFlight(s)) continue;
      const share = shares.get(s.slot_id)?.size ?? 0;
      const order = stageWorkingOrder(s);
      const orderGone = order !== null && openOrderFor(view, s.asset, order.client_order_id) === null;
      const held =
        s.stage === "POSITION_OPEN"
          ? !sameSize(share, s.size)
          : s.stage === "ENTRY_WORKING"
            ? share < s.size && !sameSize(share, s.size) // entry fills only add
            : share > s.size && !sameSize(share, s.size); // exit fills only remove
      if (orderGone || held) out.push(s.slot_id);
    }
    return out;
  }

  private converge(slotId: number, share: Assignment, view: VenueView): void {
    const { executor, clock } = this.d;
    const before = this.d.kernel.slot(slotId);
    const order = stageWorkingOrder(before);
    const open = order ? openOrderFor(view, before.asset, order.client_order_id) : null;
    const truth: ReconcileTruth = {
      side: share.size > 0 ? share.side : null,
      size: share.size,
      avg_price: share.size > 0 ? share.avg_price || before.entry_price : 0,
      open_order:
        open && order
          ? {
              role: order.role,
              venue_order_id: open.venue_order_id,
              client_order_id: order.client_order_id,
              size: open.size,
              filled_size: open.filled_size_cumulative,
              avg_price: open.avg_price,
            }
          : null,
    };
    const what = order && !open ? `${order.role} order ${order.client_order_id} is no longer open there` : "";
    this.d.report({
      code: "VENUE_MISMATCH",
      severity: "WARNING",
      slot_id: slotId,
      message:
        `venue differs from slot ${slotId} (${before.stage}, size ${before.size}): venue holds ${share.size}${what ? `; ${what}` : ""}; reconciling`.slice(
          0,
          240,
        ),
      details: { asset: before.asset, stage: before.stage, value: share.size },
      input_index: 0,
      now_ms: clock.nowMs(),
    });
    executor.applySystem({ type: "MARK_STALE", slot_id: slotId, reason: "DIVERGENCE", now_ms: clock.nowMs() });
    executor.applySystem({ type: "RECONCILE", slot_id: slotId, truth, now_ms: clock.nowMs() });
    this.d.log(
      `live reconcile: slot ${slotId} ${before.stage} -> ${this.d.kernel.slot(slotId).stage} (venue size ${share.size})`,
    );
  }

  /** Capital follows the wallet after the venue closed or changed a trade behind the kernel. */
  private async reseed(): Promise<void> {
    const balance = await readWithRateLimitWaits("live reconcile: balance", () => this.d.venue.balance(), this.d.log, {
      sleep: this.d.sleep,
    });
    const now = this.d.clock.nowMs();
    this.d.executor.applySystem({
      type: "SEED_CAPITAL",
      capital: Math.max(0, balance.balance),
      recovery: true,
      now_ms: now,
    });
  }

  private reportOrphans(view: VenueView): void {
    const { orphans } = allocatePositions(
      this.d.kernel
        .slots()
        .filter((s) => isTradingStage(s.stage))
        .map(slotClaim),
      view.positions,
    );
    const key = orphans.map((o) => `${o.asset}:${o.side}:${o.size}`).join(",");
    if (key === this.orphansSeen) return;
    this.orphansSeen = key;
    for (const o of orphans) this.d.report(orphanDiagnostic(o, this.d.clock.nowMs()));
  }
}

function inFlight(s: SlotRecord): boolean {
  const o = stageWorkingOrder(s);
  return o !== null && (o.status === "PENDING_SUBMIT" || o.status === "CANCEL_REQUESTED");
}

function openOrderFor(view: VenueView, asset: string, clientOrderId: string): VenueOrderState | null {
  const id = clientOrderId.toLowerCase();
  return view.orders.find((o) => o.asset === asset && o.client_order_id.toLowerCase() === id) ?? null;
}
