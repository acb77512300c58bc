/**
 * Executor: the loop between the kernel and the venue. Intents and venue events go into the
 * kernel (stamped with the injected clock); every accepted transition that asks for venue work
 * (ENTER → place the entry order, EXIT → place an exit leg, CANCEL → cancel the working order)
 * is sent to the venue; the venue's answers come back as normalized events. The kernel decides,
 * the executor only carries. In-flight venue calls are tracked so shutdown can bound them.
 *
 * Invariants: every kernel call goes through `applyInput`, which journals, mirrors and projects;
 * a venue call's failure becomes a kernel input (REJECT) or stays for the query/TICK path, never
 * an exception that escapes.
 */

import type { Clock } from "../contracts/clock.ts";
import type { KernelOutcome, SlotRecord, TransitionRecord } from "../contracts/records.ts";
import type { OrderRequest, VenueAdapter, VenueEvent } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";

export interface ExecutorHooks {
  /** Called after every kernel call with the input and its outcome (journal flush, projection, metrics). */
  afterApply(input: unknown, outcome: KernelOutcome): void;
  /** Venue call latency in ms, for metrics. */
  venueLatency?(op: "submit" | "cancel", ms: number): void;
  log?(line: string): void;
}

export class Executor {
  private inflight = new Set<Promise<unknown>>();
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

  /** Applies an intent from HTTP, the CLI or the Zinc ring; `now_ms` is stamped here. */
  submitIntent(intent: unknown): KernelOutcome {
    const stamped = typeof intent === "object" && intent !== null && !Array.isArray(intent)
      ? { ...(intent as Record<string, unknown>), now_ms: this.clock.nowMs() }
      : intent;
    const outcome = this.applyInput(stamped);
    this.dispatch(outcome.transitions);
    return outcome;
  }

  onVenueEvent(event: VenueEvent): KernelOutcome {
    return this.applyInput({ type: "VENUE_EVENT", slot_id: null, event, now_ms: this.clock.nowMs() });
  }

  applyInput(input: unknown): KernelOutcome {
    const outcome = this.kernel.apply(input);
    this.hooks.afterApply(input, outcome);
    return outcome;
  }

  /** Starts the venue work that accepted transitions ask for (also used after ring batches). */
  dispatch(transitions: readonly TransitionRecord[]): void {
    for (const t of transitions) {
      if (t.trigger === "ENTER" || t.trigger === "EXIT") this.track(this.place(t.slot_id));
      else if (t.trigger === "CANCEL") this.track(this.cancel(t.slot_id));
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
    if (!order || order.status !== "PENDING_SUBMIT") return;
    const started = this.clock.monoNs();
    const result = await this.venue.submit(orderRequest(slot, order.role)).catch((e: unknown) => ({
      status: "UNKNOWN" as const, reason: e instanceof Error ? e.message : String(e),
    }));
    this.hooks.venueLatency?.("submit", Number(this.clock.monoNs() - started) / 1e6);
    if (result.status === "REJECTED") this.onVenueEvent(result.event);
    else if (result.status === "UNKNOWN") {
      this.hooks.log?.(`slot ${slotId}: outcome of ${order.client_order_id} unknown (${result.reason}); left to query and TICK`);
    }
  }

  private async cancel(slotId: number): Promise<void> {
    const slot = this.kernel.slot(slotId);
    const order = slot.stage === "EXIT_WORKING" ? slot.exit_order : slot.entry_order;
    if (!order) return;
    const started = this.clock.monoNs();
    const result = await this.venue.cancel(slot.asset, order.client_order_id).catch((e: unknown) => ({
      status: "UNKNOWN" as const, reason: e instanceof Error ? e.message : String(e),
    }));
    this.hooks.venueLatency?.("cancel", Number(this.clock.monoNs() - started) / 1e6);
    if (result.status === "REJECTED") this.onVenueEvent(result.event);
  }
}

/** The venue order for a slot's pending order, from the kernel's own record of it. */
export function orderRequest(slot: SlotRecord, role: "ENTRY" | "EXIT"): OrderRequest {
  const order = role === "ENTRY" ? slot.entry_order! : slot.exit_order!;
  const positionSide = slot.side ?? "LONG";
  return {
    client_order_id: order.client_order_id,
    asset: slot.asset,
    side: order.side,
    position_side: positionSide,
    type: order.order_type,
    size: order.intended_size,
    ...(order.limit_price !== null ? { price: order.limit_price } : {}),
    reduce_only: role === "EXIT",
    ...(role === "ENTRY" ? { leverage: slot.leverage } : {}),
  };
}
