/**
 * `Seam`: runs a strategy's decisions through the client — plans them against the kernel's
 * current slots and account (`planDecision`), submits each intent, and answers one `SeamResult`
 * that surfaces everything the kernel and the venue said: refusals with their codes and messages
 * (the seam's own, the edge's, the kernel's, and with `awaitVenue` the venue's), rate limits with
 * their retry hint (the edge's RATE_LIMITED: nothing was sent, so no venue answer is waited for;
 * or the venue's), and a kernel restart, after which `reconcile()` tells the strategy what
 * the kernel now holds (its belief is replaced by the kernel's, never the other way round: the
 * trades of open slots and of slots the kernel is still reconciling). Nothing is planned or pushed
 * while the kernel is dead or replaced and not reconciled (its ring would keep the intents for the
 * next kernel to run): the result is the client's refusal, `restarted`, as in the Python seam.
 * CLOSE_ALL reports `remaining` and, with `awaitVenue`, waits past fills that raced its cancels for
 * their final answers, then exits what its cancelled entries left open (`_seam_close.ts`); with
 * `awaitVenue`, a venue that did not answer in time is `venuePending`. An accepted step's WARNING and
 * CRITICAL diagnostics (its KERNEL outcome's, e.g. EXIT_LEGS_LOW, and with `awaitVenue` those of its
 * VENUE answers that are not refusals) are `warnings`; a refusal's diagnostics are only its refusal.
 * A generated trade id is `<prefix>-<ms in base 36>-<n>` on the client's clock or `nowMs`.
 *
 * Entry points: `new Seam(client, options)`, `execute(decision, {awaitVenue})`, `reconcile()`.
 */

import { clientRefusal, closeRest, fromOutcome, isVenueRefusal, tradeId, warningsOf } from "./_seam_close.ts";
import type { DitaClient } from "./client.ts";
import {
  DitaClientError,
  KernelNotRunningError,
  KernelRestartedError,
  OutcomeTimeoutError,
  RingFullError,
} from "./errors.ts";
import type { Intent } from "./intents.ts";
import type { Origin, Outcome } from "./outcome.ts";
import type { Account, Slot } from "./records.ts";
import { type Decision, planDecision } from "./seam_plan.ts";

export interface SeamRefusalReport {
  origin: "SEAM" | "EDGE" | "KERNEL" | "VENUE" | "CLIENT";
  code: string;
  message: string;
  slotId: number | null;
  retryable: boolean;
  retryAfterMs: number | null;
}

/** A WARNING or CRITICAL diagnostic of an accepted step (never of a refusal); `message` is the outcome's
 * for its first diagnostic (a record carries only that one's), else the code; `value` the diagnostic's. */
export interface SeamWarningReport {
  origin: Origin;
  code: string;
  severity: "WARNING" | "CRITICAL";
  message: string;
  slotId: number | null;
  value: number | null;
}

export interface SeamStep {
  intent: Intent;
  id: bigint | null;
  outcome: Outcome | null;
  venue: Outcome | null;
}

export interface SeamResult {
  decision: Decision;
  ok: boolean;
  steps: SeamStep[];
  skipped: Array<{ slotId: number; stage: string }>;
  refusals: SeamRefusalReport[];
  /** Accepted steps' WARNING / CRITICAL diagnostics (KERNEL; with `awaitVenue`, VENUE answers that are not refusals); `ok` ignores them. */
  warnings: SeamWarningReport[];
  rateLimited: boolean;
  /** The longest retry hint among the refusals (ms), when any gave one. */
  retryAfterMs: number | null;
  /** The kernel restarted or stopped mid-decision: call `reconcile()` before deciding again. */
  restarted: boolean;
  /** CLOSE_ALL: every slot not IDLE or CLOSED at the seam's last read (`[]`: flat); null for other decisions. */
  remaining: Array<{ slotId: number; stage: string }> | null;
  /** With `awaitVenue`: slots whose intent had no venue answer within `venueTimeoutMs` (not a refusal: `ok` stays true). */
  venuePending: number[];
}

export interface ReconcileReport {
  /** Slots holding a trade now (working or open). */
  open: Slot[];
  /** Slots the kernel is still reconciling against the venue (their trades stay believed, never `gone`). */
  reconciling: number[];
  /** Trades this seam opened that no slot holds any more (closed or reconciled away meanwhile); a
   * trade whose slot the kernel is still reconciling is not gone. */
  gone: Array<{ slotId: number; tradeId: string }>;
  /** Trades the kernel holds (open or reconciling) that this seam did not open (from before a restart, or another producer). */
  adopted: Slot[];
  account: Account;
}

export interface SeamOptions {
  steps?: Record<string, number>;
  tradeIdPrefix?: string;
  /** The wait for each intent's EDGE or KERNEL outcome (default 2000 ms); NaN: a RangeError when the seam is made. */
  timeoutMs?: number;
  /** With `awaitVenue`, the wait for its first VENUE outcome (default 5000 ms), and CLOSE_ALL's wait for its
   * cancels' final answers; NaN: a RangeError when the seam is made. */
  venueTimeoutMs?: number;
  /** The monotonic clock (ms) CLOSE_ALL's wait for its cancels' final answers is measured on (default performance.now). */
  monoMs?: () => number;
  /** The clock of generated trade ids, ms (default: the client's `nowMs`). */
  nowMs?: () => number;
}

const LIVE = new Set(["ENTRY_WORKING", "POSITION_OPEN", "EXIT_WORKING"]);
const RECONCILING = "STALE_STATE_RECONCILING";

export class Seam {
  /** slot → trade id this seam opened there (the strategy's belief; the kernel's wins on reconcile). */
  private readonly belief = new Map<number, string>();
  private counter = 0;
  private readonly timeoutMs: number;
  private readonly venueTimeoutMs: number;

  /** A NaN timeout is a RangeError here, before anything is pushed (not after an intent went out). */
  constructor(
    readonly client: DitaClient,
    private readonly o: SeamOptions = {},
  ) {
    for (const key of ["timeoutMs", "venueTimeoutMs"] as const) {
      const v: unknown = o[key];
      if (v !== undefined && (typeof v !== "number" || Number.isNaN(v)))
        throw new RangeError(`SeamOptions.${key} must be a number of ms, got ${String(v)}`);
    }
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.venueTimeoutMs = o.venueTimeoutMs ?? 5000;
  }

  believed(): ReadonlyMap<number, string> {
    return this.belief;
  }

  async execute(decision: Decision, options: { awaitVenue?: boolean } = {}): Promise<SeamResult> {
    let view: ReturnType<DitaClient["state"]>;
    try {
      view = this.client.state();
      this.client.checkKernel(); // a dead or replaced kernel: its ring would keep the intents for the next one
    } catch (e) {
      if (!(e instanceof DitaClientError)) throw e;
      // nothing planned or pushed: the result says why (a busy kernel: retry; a gone one: reconcile)
      return this.refused(decision, e);
    }
    let plan: ReturnType<typeof planDecision>;
    try {
      plan = planDecision(decision, {
        slots: view.slots,
        account: view.account,
        steps: this.o.steps ?? {},
        nextTradeId: () =>
          tradeId(
            this.o.tradeIdPrefix ?? "seam",
            this.o.nowMs ? this.o.nowMs() : this.client.nowMs(),
            () => ++this.counter,
          ),
      });
    } catch (e) {
      if (!(e instanceof DitaClientError)) throw e;
      return this.refused(decision, e); // the trade ids' clock answered no time: nothing pushed
    }
    const result = this.result(decision, plan.skipped);
    if (plan.refusal !== null) {
      result.refusals.push({ origin: "SEAM", ...plan.refusal, retryable: false, retryAfterMs: null });
      return result;
    }
    for (const intent of plan.intents) {
      const step: SeamStep = { intent, id: null, outcome: null, venue: null };
      result.steps.push(step);
      if (!(await this.run(step, result, options.awaitVenue === true))) break;
    }
    if (decision.kind === "CLOSE_ALL")
      await closeRest(
        this.client,
        decision.reason ?? "SIGNAL",
        view.slots,
        result,
        options.awaitVenue === true,
        (s) => this.run(s, result, true),
        { venueTimeoutMs: this.venueTimeoutMs, monoMs: this.o.monoMs ?? (() => performance.now()) },
      );
    result.rateLimited = result.refusals.some((r) => r.code === "RATE_LIMITED");
    const hints = result.refusals.map((r) => r.retryAfterMs).filter((x): x is number => x !== null);
    result.retryAfterMs = hints.length > 0 ? Math.max(...hints) : null;
    result.ok = result.refusals.length === 0 && !result.restarted;
    return result;
  }

  private result(decision: Decision, skipped: SeamResult["skipped"]): SeamResult {
    return {
      decision,
      ok: false,
      steps: [],
      skipped,
      refusals: [],
      warnings: [],
      rateLimited: false,
      retryAfterMs: null,
      restarted: false,
      remaining: null,
      venuePending: [],
    };
  }

  private refused(decision: Decision, e: DitaClientError): SeamResult {
    const result = this.result(decision, []);
    result.refusals.push(clientRefusal(e));
    result.restarted = e instanceof KernelRestartedError || e instanceof KernelNotRunningError;
    return result;
  }

  /** Submits one step; false when the decision must stop (the kernel went away). A refused step (EDGE, e.g.
   * RATE_LIMITED, or KERNEL) made no order: it is a refusal, no venue answer is waited for, the decision goes on. */
  private async run(step: SeamStep, result: SeamResult, awaitVenue: boolean): Promise<boolean> {
    try {
      step.id = this.client.push(step.intent);
      step.outcome = await this.client.outcome(step.id, this.timeoutMs);
      if (!step.outcome.accepted) {
        result.refusals.push(fromOutcome(step.outcome));
        return true;
      }
      result.warnings.push(...warningsOf(step.outcome));
      if (step.intent.type === "ENTER") this.belief.set(step.intent.slotId, step.intent.tradeId);
      if (awaitVenue && step.intent.type !== "MARK_PRICE") {
        step.venue = await this.client.nextVenueOutcome(step.id, this.venueTimeoutMs).catch((e) => {
          if (e instanceof OutcomeTimeoutError) return null; // no answer yet, not a refusal: it may still fill
          throw e;
        });
        const slotId = step.intent.slotId;
        if (step.venue === null && !result.venuePending.includes(slotId)) result.venuePending.push(slotId);
        if (step.venue !== null && isVenueRefusal(step.venue)) result.refusals.push(fromOutcome(step.venue));
        if (step.venue !== null) result.warnings.push(...warningsOf(step.venue));
      }
      return true;
    } catch (e) {
      if (!(e instanceof DitaClientError)) throw e;
      result.refusals.push(clientRefusal(e, e instanceof RingFullError));
      const gone = e instanceof KernelRestartedError || e instanceof KernelNotRunningError;
      result.restarted ||= gone;
      return !gone; // the kernel went away: the decision stops
    }
  }

  /** Accepts the kernel that holds the regions now and replaces this seam's belief with its slots. */
  reconcile(): ReconcileReport {
    this.client.reconnect();
    const view = this.client.state();
    const open = view.slots.filter((s) => LIVE.has(s.stage));
    const reconciling = view.slots.filter((s) => s.stage === RECONCILING);
    // a slot the kernel is reconciling still holds its trade: not gone, and still believed
    const held = [...open, ...reconciling].filter((s) => s.tradeId !== "");
    const gone = [...this.belief]
      .filter(([slotId, tradeId]) => !held.some((s) => s.slotId === slotId && s.tradeId === tradeId))
      .map(([slotId, tradeId]) => ({ slotId, tradeId }));
    const adopted = held.filter((s) => this.belief.get(s.slotId) !== s.tradeId);
    this.belief.clear();
    for (const s of held) this.belief.set(s.slotId, s.tradeId);
    return {
      open,
      reconciling: reconciling.map((s) => s.slotId),
      gone,
      adopted,
      account: view.account,
    };
  }
}
