/**
 * Flatten: the operator's emergency exit (docs/architecture.md §3, §9). Trading goes HALTED first; then every slot not
 * flat gets the kernel's FLATTEN (a working entry or limit exit is cancelled, an open position exited whole at market,
 * reason MANUAL), repeated as the venue answers (a refused exit is retried with a growing pause; none is placed while
 * the adapter holds orders for a rate limit, `orderHoldMs`: it could only be refused, and spend an exit leg) until
 * every slot is IDLE or CLOSED or the bound passes; then the venue confirms (open orders read before positions; read
 * again, paused, while it lags a book the kernel holds flat: at most 5 reads within the bound) and the answer is per
 * slot. The venue's truth (a live reconciliation pass) comes first for a stale slot, one whose cancel the venue
 * refused (the order filled or ended there, its event lost) and one whose exit it refused (its position may be smaller
 * than the kernel's: the same exit would only be refused again). A CANCEL_REQUESTED order with no cancel running has
 * its cancel sent again; a market exit with no call running is looked up.
 *
 * Invariants: the flattener decides nothing about a slot's state (the kernel does, through FLATTEN); it never gives
 * up silently (every slot left open is named with why; a flatten that throws is logged, and its mailbox request
 * answered REJECTED); a second flatten while one runs joins it; a flatten of a flat book sends no order.
 * Bounds: each flatten races its waits against a wake promise of its own (one per process kept every race for weeks).
 *
 * Entry points: `new Flattener(deps).run(request)`, `stop` (shutdown), `mailboxFlatten` (in _control_sync.ts).
 */

import type { Clock } from "../contracts/clock.ts";
import type { FlattenEvent, FlattenReport, FlattenRequest, FlattenSlot } from "../contracts/flatten.ts";
import { isFlatStage, stageWorkingOrder } from "../contracts/order_status.ts";
import type { SlotRecord } from "../contracts/records.ts";
import type { VenueAdapter } from "../contracts/venue.ts";
import { IntakeClosedError } from "../http/index.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";
import type { Executor } from "./executor.ts";

export interface FlattenDeps {
  kernel: ExecutionKernel;
  executor: Executor;
  venue: VenueAdapter;
  clock: Clock;
  /** Sets the trading state HALTED (a control change, so the kernel and every reader follow). */
  halt(): void;
  /** One live reconciliation pass (converges STALE_STATE_RECONCILING slots with the venue). */
  reconcileNow(): Promise<unknown>;
  sleep(ms: number): Promise<void>;
  log(line: string): void;
  /** Told when a flatten starts (after the halt) and when it answers (the event stream). */
  notify?(event: FlattenEvent): void;
}

const POLL_MS = 50;
const REPEAT_MS = 1_000;
const REFUSED_PAUSE_MS = { first: 250, max: 8_000 } as const;
const RECONCILE_EVERY_MS = 2_000;
/** The venue's confirmation of a book the kernel holds flat: reads at most, and the pause between. */
const SETTLE = { reads: 5, pauseMs: 500 } as const;

interface Pace {
  at: number;
  pauseMs: number;
}

export class Flattener {
  private running: Promise<FlattenReport> | null = null;
  /** The last finished flatten's report (for /status), null before the first. */
  last: FlattenReport | null = null;
  /** Shutdown began and the running flatten's grace passed: it stops, and answers with what is open. */
  private stopping = false;
  private wake = () => {}; // settles the running flatten's own wake promise (`stop` ends its waits)

  constructor(private readonly d: FlattenDeps) {}

  /** A line in the flattener's log (the mailbox's answer failures go there). */
  log(line: string): void {
    this.d.log(line);
  }

  /** Why a new flatten is refused now (shutdown began, none running to join), or null. */
  refusal(): string | null {
    const closed = this.running === null && this.d.executor.accepting === false;
    return closed ? "shutting down: intake is closed, no flatten starts" : null;
  }

  /**
   * Flattens everything, or joins the flatten already running; a flatten that throws is logged, told
   * (FAILED) and rejects; once shutdown began a new one rejects with IntakeClosedError, starting nothing.
   */
  run(request: FlattenRequest): Promise<FlattenReport> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(new IntakeClosedError(refused));
    this.running ??= this.flatten(request)
      .then(
        (report) => {
          this.last = report;
          return report;
        },
        (e: unknown) => {
          this.d.log(`flatten: FAILED: ${errorText(e)}`);
          this.d.notify?.({ phase: "FAILED", failed_at_ms: this.d.clock.nowMs(), error: errorText(e) });
          throw e;
        },
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async flatten(request: FlattenRequest): Promise<FlattenReport> {
    const { kernel, clock } = this.d;
    const started = clock.nowMs();
    const deadline = started + request.timeout_ms;
    const woken = new Promise<void>((resolve) => (this.wake = resolve)); // this flatten's own, gone with it
    this.d.halt();
    const before = kernel.slots();
    const notFlat = before.filter((s) => !isFlatStage(s.stage)).map((s) => s.slot_id);
    this.d.log(`flatten: started (${notFlat.length} slots not flat)`);
    this.d.notify?.({
      phase: "STARTED",
      started_at_ms: started,
      timeout_ms: request.timeout_ms,
      slots_not_flat: notFlat,
    });
    const attempts = { flatten_inputs: 0, after_refusal: 0 };
    const pace = new Map<number, Pace>();
    /** Per slot, the working order whose cancel FLATTEN asked. */
    const cancelAsked = new Map<number, string>();
    let reconciledAt = Number.NEGATIVE_INFINITY;
    for (;;) {
      const open = kernel.slots().filter((s) => !isFlatStage(s.stage));
      const now = clock.nowMs();
      if (open.length === 0 || now >= deadline || this.stopping) break;
      const needTruth = open.some(
        (s) => s.stage === "STALE_STATE_RECONCILING" || cancelRefused(s, cancelAsked) || afterRefusal(s),
      );
      if (needTruth && now - reconciledAt >= RECONCILE_EVERY_MS) {
        // Bounded by the flatten's own: a pass waiting out venue rate limits goes on by itself.
        const pass = this.d.reconcileNow().catch((e: unknown) => this.d.log(`flatten: reconcile failed: ${String(e)}`));
        await Promise.race([pass, this.d.sleep(Math.max(1, deadline - now)), woken]);
        // Counted from the pass's end: a pass as long as the interval (a slow venue) must not start the next
        // at once, or a slot whose exit was refused never gets its FLATTEN again.
        reconciledAt = clock.nowMs();
        continue;
      }
      for (const s of open) {
        const p = pace.get(s.slot_id);
        if (p !== undefined && now < p.at) continue;
        if (!needsFlatten(s, this.d.venue)) {
          // A cancel whose answer was lost is sent again; a market exit is looked up: both paced like FLATTEN.
          if (this.d.executor.resendCancel(s.slot_id) || this.lookUpExit(s))
            pace.set(s.slot_id, { at: now + REPEAT_MS, pauseMs: 0 });
          continue;
        }
        const refused = afterRefusal(s);
        const outcome = this.d.executor.applySystem({ type: "FLATTEN", slot_id: s.slot_id, now_ms: now });
        this.d.executor.dispatch(outcome.transitions);
        const cancelled = stageWorkingOrder(s);
        if (outcome.accepted && cancelled !== null) cancelAsked.set(s.slot_id, cancelled.client_order_id);
        attempts.flatten_inputs++;
        if (refused) attempts.after_refusal++;
        const pauseMs = refused ? Math.min((p?.pauseMs ?? REFUSED_PAUSE_MS.first / 2) * 2, REFUSED_PAUSE_MS.max) : 0;
        pace.set(s.slot_id, { at: now + Math.max(pauseMs, REPEAT_MS), pauseMs });
      }
      await this.d.sleep(Math.max(1, Math.min(POLL_MS, deadline - clock.nowMs())));
    }
    const venue = await this.confirmAtVenue(deadline);
    const slots = before.map((b) => slotResult(b, kernel.slot(b.slot_id), this.d.venue.orderHoldMs()));
    const complete =
      slots.every((s) => s.result !== "STILL_OPEN") &&
      venue.checked &&
      venue.positions.length === 0 &&
      venue.open_orders.length === 0;
    const report: FlattenReport = {
      complete,
      trading_state: "HALTED",
      started_at_ms: started,
      finished_at_ms: clock.nowMs(),
      slots,
      venue,
      capital: kernel.account().capital,
      attempts,
    };
    this.d.log(
      `flatten: ${complete ? "complete" : "INCOMPLETE"}: ${slots.filter((s) => s.result === "CLOSED").length} closed, ` +
        `${slots.filter((s) => s.result === "STILL_OPEN").length} still open, venue positions ${venue.positions.length}, ` +
        `open orders ${venue.open_orders.length}${venue.error ? ` (${venue.error})` : ""}${this.stopping ? "; stopped: shutting down" : ""}`,
    );
    this.d.notify?.({ phase: "FINISHED", report });
    return report;
  }

  /** Shutdown: a running flatten goes on `graceMs`, then stops (one venue read, `graceMs` more) and answers. */
  async stop(graceMs: number): Promise<number> {
    const started = this.d.clock.nowMs();
    const settled = this.running?.then(noop, noop);
    if (settled === undefined) return 0;
    await within(settled, graceMs);
    this.stopping = true;
    this.wake();
    await within(settled, graceMs);
    return this.d.clock.nowMs() - started;
  }

  /** A market exit, no call of it running, asked at the venue (a lost 5xx answer or events; absent: rejected). */
  private lookUpExit(s: SlotRecord): boolean {
    const o = s.stage === "EXIT_WORKING" ? s.exit_order : null;
    if (o?.order_type !== "MARKET" || this.d.executor.callRunning(o.client_order_id)) return false;
    const failed = (e: unknown) => this.d.log(`flatten: lookup of ${o.client_order_id} failed: ${errorText(e)}`);
    this.d.executor.resolveByQuery(s.slot_id).catch(failed);
    return true;
  }

  /** The venue's word, read again while it lags the kernel's flat book (SETTLE; no pause past the deadline). */
  private async confirmAtVenue(deadline: number): Promise<FlattenReport["venue"]> {
    for (let reads = 1; ; reads++) {
      const v = await this.readVenue();
      if (v.checked && v.positions.length === 0 && v.open_orders.length === 0) return v;
      const kernelFlat = this.d.kernel.slots().every((s) => isFlatStage(s.stage));
      if (!kernelFlat || this.stopping || reads >= SETTLE.reads || this.d.clock.nowMs() + SETTLE.pauseMs > deadline)
        return v;
      this.d.log(`flatten: the venue does not confirm flat yet (read ${reads}); reading again`);
      await this.d.sleep(SETTLE.pauseMs);
    }
  }

  /** Open orders, then positions (a fill between the two shows in the positions), then the balance. */
  private async readVenue(): Promise<FlattenReport["venue"]> {
    const read = <T>(what: string, call: () => Promise<T>) =>
      readWithRateLimitWaits(`flatten: ${what}`, call, this.d.log, { sleep: this.d.sleep });
    try {
      const orders = await read("open orders", () => this.d.venue.openOrders());
      const positions = await read("positions", () => this.d.venue.positions());
      const balance = await read("balance", () => this.d.venue.balance());
      return {
        checked: true,
        positions: positions.filter((p) => p.size > 0).map((p) => ({ asset: p.asset, side: p.side, size: p.size })),
        open_orders: orders.map((o) => ({ asset: o.asset, client_order_id: o.client_order_id })),
        balance: balance.balance,
        error: null,
      };
    } catch (e) {
      const error = `the venue could not confirm: ${e instanceof Error ? e.message : String(e)}`;
      return { checked: false, positions: [], open_orders: [], balance: null, error };
    }
  }
}

const noop = () => {};

/** Waits for `p`, at most `ms` (the timer is cleared either way). */
async function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Whether FLATTEN has something to do for the slot now (a market exit in flight will fill). */
function needsFlatten(s: SlotRecord, venue: VenueAdapter): boolean {
  switch (s.stage) {
    case "POSITION_OPEN":
      return venue.orderHoldMs() === null; // else its exit could only be refused, spending an exit leg
    case "ENTRY_WORKING":
      return s.entry_order?.status !== "CANCEL_REQUESTED";
    case "EXIT_WORKING":
      return s.exit_order?.order_type === "LIMIT" && s.exit_order.status !== "CANCEL_REQUESTED";
    default:
      return false;
  }
}

/** The cancel FLATTEN asked was answered without ending the order: the venue refused it (needs its truth). */
function cancelRefused(s: SlotRecord, cancelAsked: ReadonlyMap<number, string>): boolean {
  const o = stageWorkingOrder(s);
  return o !== null && cancelAsked.get(s.slot_id) === o.client_order_id && o.status !== "CANCEL_REQUESTED";
}

/** The slot's exit was refused by the venue (rate limit or reject): pause, and take its truth first. */
function afterRefusal(s: SlotRecord): boolean {
  return s.stage === "POSITION_OPEN" && s.exit_order?.status === "REJECTED";
}

function slotResult(before: SlotRecord, after: SlotRecord, heldMs: number | null): FlattenSlot {
  const base = { slot_id: after.slot_id, asset: after.asset || before.asset, before: before.stage, after: after.stage };
  if (isFlatStage(before.stage) && isFlatStage(after.stage)) return { ...base, result: "ALREADY_FLAT", detail: "" };
  if (isFlatStage(after.stage)) return { ...base, result: "CLOSED", detail: "" };
  return { ...base, result: "STILL_OPEN", detail: stillOpenBecause(after, heldMs) };
}

function stillOpenBecause(s: SlotRecord, heldMs: number | null): string {
  const order = s.stage === "ENTRY_WORKING" ? s.entry_order : s.exit_order;
  const what = order
    ? `${order.role} ${order.order_type} ${order.client_order_id} ${order.status}, ${order.filled_size} of ${order.intended_size} filled`
    : "no order";
  switch (s.stage) {
    case "STALE_STATE_RECONCILING":
      return `stale (${s.stale_reason}): waiting for the venue's truth to reconcile`;
    case "POSITION_OPEN":
      return `position ${s.size} open; ${heldMs === null ? "" : `no exit placed: the venue's rate limit holds orders ${heldMs} ms more; `}last exit: ${what}`;
    default:
      return `${order?.status === "CANCEL_REQUESTED" ? "cancel requested, not yet acknowledged" : "order working"}: ${what}`;
  }
}
