/**
 * Executor: the loop between the kernel and the venue. Intents and venue events go into the
 * kernel (stamped with the injected clock); every accepted transition that asks for venue work
 * (ENTER → place the entry order, EXIT → place an exit leg, CANCEL → cancel the working order)
 * is sent to the venue; the venue's answers come back as normalized events. The kernel decides,
 * the executor only carries. In-flight venue calls are tracked so shutdown can bound them.
 *
 * Inputs arrive by source, each through its own method, so the wrong source does not compile:
 * `submitStrategy` (HTTP, CLI; the ring drains through the runtime), `onVenueEvent` (the adapter's
 * normalized events, subscribed here), `applySystem` (the launcher's ticks, reconciles, seeds).
 *
 * Invariants: every kernel call goes through `apply`, which journals, mirrors and projects;
 * a venue call's failure becomes a kernel input (REJECT) or stays for the query/TICK path, never
 * an exception that escapes.
 */

import type { Clock } from "../contracts/clock.ts";
import type { KernelInput, StrategyIntent, SystemInput } from "../contracts/intents.ts";
import { isTerminalOrder, stageWorkingOrder } from "../contracts/order_status.ts";
import type { KernelOutcome, SlotRecord, TransitionRecord } from "../contracts/records.ts";
import { type PositionSide, rateLimited, type VenueAdapter, type VenueEvent } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { eventFromOrderState, localReject, orderRequest } from "./_order_event.ts";

/** A cancel refused for the rate limit is sent this often in all, waiting the hint between. */
const CANCEL_RATE_LIMIT_TRIES = 4;
/** The longest wait for a venue's rate-limit hint before an idempotent call is sent again. */
const RETRY_WAIT_MAX_MS = 5_000;

export interface ExecutorHooks {
  /** Makes the inputs applied so far durable in the journal (before any order they asked for leaves). */
  writeAhead?(): void;
  /** Called after every kernel call with the input and its outcome (journal flush, projection, metrics). */
  afterApply(input: KernelInput, outcome: KernelOutcome): void;
  /** Venue call latency in ms, for metrics. */
  venueLatency?(op: "submit" | "cancel", ms: number): void;
  log?(line: string): void;
}

export class Executor {
  private inflight = new Set<Promise<unknown>>();
  /**
   * Client order ids whose placement call is still running (never declared absent meanwhile),
   * each with a promise that settles when the placement answered (a cancel waits for it).
   */
  private placing = new Map<string, Promise<void>>();
  /** Leverage this process last set per `asset:side` (the venue keeps it per symbol and side). */
  private leverageSet = new Map<string, number>();
  /** A leverage call in flight per `asset:side`, shared by the entries that need the same value. */
  private readonly leverageInFlight = new Map<string, { leverage: number; done: Promise<void> }>();
  private intake = true;

  constructor(
    private readonly kernel: ExecutionKernel,
    private readonly venue: VenueAdapter,
    private readonly clock: Clock,
    private readonly hooks: ExecutorHooks,
  ) {
    venue.onEvent((event) => this.onVenueEvent(event));
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Stops accepting intents (SIGTERM); venue events keep flowing until close. */
  stopIntake(): void {
    this.intake = false;
  }

  get accepting(): boolean {
    return this.intake;
  }

  /** Applies a strategy's intent (parsed at its edge); `now_ms` is stamped here. */
  submitStrategy(intent: StrategyIntent): KernelOutcome {
    const input = { ...intent, now_ms: this.clock.nowMs() };
    const outcome = this.kernel.apply(input);
    // Write-ahead, then the order, then the rest: the input is in the journal before its order
    // leaves, and the projection, metrics and events of the call follow the order out.
    this.hooks.writeAhead?.();
    this.dispatch(outcome.transitions);
    this.hooks.afterApply(input, outcome);
    return outcome;
  }

  /** A normalized venue event: the adapter's stream, a query's answer, or a local REJECT. */
  onVenueEvent(event: VenueEvent): KernelOutcome {
    return this.apply({ type: "VENUE_EVENT", slot_id: null, event, now_ms: this.clock.nowMs() });
  }

  /** A launcher input (tick, reconcile, capital seed, mark stale, configure), stamped by the caller. */
  applySystem(input: SystemInput): KernelOutcome {
    return this.apply(input);
  }

  private apply(input: KernelInput): KernelOutcome {
    const outcome = this.kernel.apply(input);
    this.hooks.afterApply(input, outcome);
    return outcome;
  }

  /** Starts the venue work that accepted transitions ask for (also used after ring batches). */
  dispatch(transitions: readonly TransitionRecord[]): void {
    for (const t of transitions) {
      if (t.trigger === "ENTER" || t.trigger === "EXIT") this.track(this.place(t.slot_id));
      else if (t.trigger === "CANCEL") this.track(this.cancel(t.slot_id));
      // FLATTEN: from POSITION_OPEN it opened a market exit; in a working stage it asked a cancel.
      else if (t.trigger === "FLATTEN")
        this.track(t.from === "POSITION_OPEN" ? this.place(t.slot_id) : this.cancel(t.slot_id));
    }
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    p.finally(() => this.inflight.delete(p));
  }

  /** Waits for in-flight venue calls, at most `timeoutMs`. Returns how many were still running. */
  async drain(timeoutMs: number): Promise<number> {
    const all = Promise.allSettled([...this.inflight]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    return this.inflight.size;
  }

  private async place(slotId: number): Promise<void> {
    const slot = this.kernel.slot(slotId);
    const order = slot.stage === "ENTRY_WORKING" ? slot.entry_order : slot.exit_order;
    if (order?.status !== "PENDING_SUBMIT") return;
    const cid = order.client_order_id;
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
    const ready = role === "EXIT" || this.leverageIsSet(slot.asset, slot.side ?? "LONG", slot.leverage);
    if (!ready && !(await this.ensureLeverage(slot, cid))) return;
    const result = await this.venue.submit(orderRequest(slot, role)).catch((e: unknown) => ({
      status: "UNKNOWN" as const,
      reason: e instanceof Error ? e.message : String(e),
    }));
    this.hooks.venueLatency?.("submit", Number(this.clock.monoNs() - started) / 1e6);
    if (result.status === "REJECTED") this.onVenueEvent(result.event);
    else if (result.status === "UNKNOWN") {
      this.hooks.log?.(`slot ${slotId}: outcome of ${cid} unknown (${result.reason}); left to query and TICK`);
    }
  }

  /**
   * Sets the venue leverage for an asset and side, unless this process already set that value.
   * Setting leverage is idempotent, so a failure is retried twice: after the venue's hint for a
   * rate limit (at most 5 s), else after a short pause.
   */
  async setLeverage(asset: string, side: PositionSide, leverage: number): Promise<void> {
    const key = `${asset}:${side}`;
    if (this.leverageIsSet(asset, side, leverage)) return;
    // Entries of one asset that arrive while its leverage call is in flight share that call
    // (otherwise each would send its own and a burst would meet the venue's leverage rate limit).
    const pending = this.leverageInFlight.get(key);
    if (pending?.leverage === leverage) return pending.done;
    const done = this.sendLeverage(key, asset, side, leverage).finally(() => {
      if (this.leverageInFlight.get(key)?.done === done) this.leverageInFlight.delete(key);
    });
    this.leverageInFlight.set(key, { leverage, done });
    return done;
  }

  private async sendLeverage(key: string, asset: string, side: PositionSide, leverage: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.venue.setLeverage(asset, side, leverage);
        this.leverageSet.set(key, leverage);
        return;
      } catch (e) {
        if (attempt >= 2) throw e;
        const limited = rateLimited(e);
        const hint = limited ? (limited.retry_after_ms ?? 500) : 100 * 3 ** attempt;
        await Bun.sleep(Math.min(Math.max(hint, 50), RETRY_WAIT_MAX_MS));
      }
    }
  }

  private leverageIsSet(asset: string, side: PositionSide, leverage: number): boolean {
    return this.leverageSet.get(`${asset}:${side}`) === leverage;
  }

  /**
   * Sets the entry's leverage first. A failure rejects the entry (nothing is placed): trading at
   * a leverage other than the one the strategy asked for is not an acceptable fallback.
   */
  private async ensureLeverage(slot: SlotRecord, clientOrderId: string): Promise<boolean> {
    try {
      await this.setLeverage(slot.asset, slot.side ?? "LONG", slot.leverage);
      return true;
    } catch (e) {
      const limited = rateLimited(e);
      const text = e instanceof Error ? e.message : String(e);
      this.onVenueEvent(
        localReject("LEVERAGE", clientOrderId, slot.asset, this.clock.nowMs(), {
          reason: limited ? "RATE_LIMITED" : "VENUE",
          ...(limited?.retry_after_ms !== undefined ? { retryAfterMs: limited.retry_after_ms } : {}),
          message: `leverage ${slot.leverage} could not be set: ${text.slice(0, 120)}`,
        }),
      );
      return false;
    }
  }

  private async cancel(slotId: number): Promise<void> {
    const slot = this.kernel.slot(slotId);
    const order = slot.stage === "EXIT_WORKING" ? slot.exit_order : slot.entry_order;
    if (!order) return;
    const placing = this.placing.get(order.client_order_id);
    if (placing !== undefined) {
      // A cancel that reached the venue before the order would be refused and the order would
      // then rest: wait for the placement's answer, then cancel if the kernel still asks for it.
      await placing;
      const now = stageWorkingOrder(this.kernel.slot(slotId));
      if (now?.client_order_id !== order.client_order_id || now.status !== "CANCEL_REQUESTED") return;
    }
    for (let attempt = 1; ; attempt++) {
      const started = this.clock.monoNs();
      const result = await this.venue.cancel(slot.asset, order.client_order_id).catch((e: unknown) => ({
        status: "UNKNOWN" as const,
        reason: e instanceof Error ? e.message : String(e),
      }));
      this.hooks.venueLatency?.("cancel", Number(this.clock.monoNs() - started) / 1e6);
      if (result.status !== "REJECTED") return;
      const e = result.event;
      this.onVenueEvent(e); // the kernel records CANCEL_REJECTED (the adapter also delivered it)
      if (e.reject_reason !== "RATE_LIMITED" || attempt >= CANCEL_RATE_LIMIT_TRIES) return;
      // Refused for the venue's rate limit, nothing executed: the cancel is sent again after the
      // hint while the order still works; the venue's CANCEL_ACK then ends it as usual.
      await Bun.sleep(Math.min(Math.max(e.retry_after_ms ?? 500, 50), RETRY_WAIT_MAX_MS));
      const now = stageWorkingOrder(this.kernel.slot(slotId));
      if (now?.client_order_id !== order.client_order_id || isTerminalOrder(now.status)) return;
    }
  }

  /**
   * The hung-order path: asks the venue about the slot's working order and applies what it knows
   * as an event. An order the venue has never heard of while the kernel still holds it
   * PENDING_SUBMIT (no placement call running) never reached the venue — its placement ended
   * UNKNOWN and the adapter's queries and retry did not find it — so it is rejected (VENUE,
   * code 80016) instead of leaving the slot working for ever. A late execution of it would show
   * up as an event for a finished order: OVERFILL, then reconcile.
   */
  async resolveByQuery(slotId: number): Promise<"EVENT" | "ABSENT_REJECTED" | "UNKNOWN" | "NONE"> {
    const order = stageWorkingOrder(this.kernel.slot(slotId));
    if (!order) return "NONE";
    const asset = this.kernel.slot(slotId).asset;
    const state = await this.venue.queryOrder(asset, order.client_order_id).catch(() => undefined);
    if (state === undefined) return "UNKNOWN";
    if (state !== null) {
      this.onVenueEvent(eventFromOrderState(state));
      return "EVENT";
    }
    const now = stageWorkingOrder(this.kernel.slot(slotId));
    if (
      now?.client_order_id !== order.client_order_id ||
      now.status !== "PENDING_SUBMIT" ||
      this.placing.has(order.client_order_id)
    )
      return "NONE";
    this.onVenueEvent(
      localReject("ABSENT", order.client_order_id, asset, this.clock.nowMs(), {
        reason: "VENUE",
        code: "80016",
        message: "order not found at the venue after its placement outcome stayed unknown",
      }),
    );
    return "ABSENT_REJECTED";
  }
}
