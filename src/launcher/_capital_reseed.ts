/**
 * Live reconciliation's capital re-seed: after a slot was taken to the venue's truth (a trade the venue
 * changed behind the kernel), capital follows the wallet: SEED_CAPITAL (recovery) from the balance the
 * venue holds. It must count every trade once, so it is made only when the kernel has applied every fill
 * the wallet holds: while one may be on its way (`slotsFillPending`: an order in flight or no longer
 * listed open, a slot a fill or transition moved during the reads; a mark, every tick, is none) it waits;
 * a failed read waits too.
 *
 * A re-seed that waits is tried again on its own, after pauses (250 ms doubling, at most 8 s, RESEED_TRIES
 * attempts in all), not only at the next pass: with live reconciliation off (interval 0) the pass that
 * reconciled the slot (the hung-order query's, a flatten's) may be the last, and the kernel's capital, the
 * only capital authority, would miss what the venue settled (a fill the stream lost) until a restart.
 * Past the tries, the next pass takes it (a log line says so). One attempt at a time (a pass's and a
 * retry's share it); nothing is applied once `stopped()` (shutdown) and the retries end then.
 *
 * A late fill of a slot's ended exit order that the kernel books as the exit's (kernel/README.md decision 38:
 * `lateExitFillBooked`, a fill event moving a POSITION_OPEN slot to POSITION_OPEN or CLOSED) makes a re-seed due
 * again (`followOutcome`): that exit may have filled at the venue before a re-seed read the wallet and its event come
 * after (no wait can see it: the kernel ended the order, the venue no longer lists it), so the re-seeded capital
 * counted its PnL already and the kernel's settlement counts it again. SEED_CAPITAL is absolute: made again, capital
 * is the wallet, each fill counted once (harmless when it agreed already).
 *
 * Entry point: `new CapitalReseed(deps)`, `due()`, `attempt()`, `followOutcome()`, `pending`, `lateExitFillBooked`.
 */

import type { Clock } from "../contracts/clock.ts";
import type { KernelInput } from "../contracts/intents.ts";
import type { SlotRecord, TransitionRecord } from "../contracts/records.ts";
import type { VenueBalance, VenueOrderState } from "../contracts/venue.ts";
import { settledView, slotsFillPending } from "./_reconcile_truth.ts";

/** Attempts a waiting re-seed makes on its own (about 30 s of pauses), before it is left to the next pass. */
export const RESEED_TRIES = 8;
const PAUSE_MS = { first: 250, max: 8_000 } as const;

/**
 * True for the transition of a late exit fill the kernel booked as the exit's (decision 38): a fill event (PARTIAL_FILL,
 * FULL_FILL, CANCEL_ACK) moving a POSITION_OPEN slot, where no order works, to POSITION_OPEN or CLOSED. An OVERFILL
 * (to STALE_STATE_RECONCILING) is not one: its slot's RECONCILE makes a re-seed due.
 */
export function lateExitFillBooked(t: Pick<TransitionRecord, "from" | "to" | "trigger">): boolean {
  const fill = t.trigger === "PARTIAL_FILL" || t.trigger === "FULL_FILL" || t.trigger === "CANCEL_ACK";
  return fill && t.from === "POSITION_OPEN" && (t.to === "POSITION_OPEN" || t.to === "CLOSED");
}

export interface CapitalReseedDeps {
  kernel: { slots(): SlotRecord[] };
  executor: { applySystem(input: KernelInput): unknown };
  venue: { balance(): Promise<VenueBalance>; openOrders(): Promise<VenueOrderState[]> };
  clock: Clock;
  log(line: string): void;
  sleep(ms: number): Promise<void>;
  /** The pass's rate-limit-waiting read (`what` names it in the log). */
  read<T>(what: string, call: () => Promise<T>): Promise<T>;
  /** True once shutdown began: nothing more is applied. */
  stopped(): boolean;
  /** Where a failed attempt's error goes (the reconciler's `last_error`). */
  failed(error: string): void;
}

export class CapitalReseed {
  /** A slot was reconciled and capital has not followed the wallet since. */
  private isDue = false;
  private running: Promise<boolean> | null = null;
  private following = false;

  constructor(private readonly d: CapitalReseedDeps) {}

  /** Capital must follow the wallet (a slot was reconciled). */
  due(): void {
    this.isDue = true;
  }

  /**
   * A kernel outcome (each venue event's): when it booked a late exit fill (`lateExitFillBooked`), a re-seed is due
   * again and attempted now (the wallet may have held that fill when capital last followed it). Not once shutdown began.
   */
  followOutcome(outcome: { transitions: readonly TransitionRecord[] }): void {
    if (this.d.stopped() || !outcome.transitions.some(lateExitFillBooked)) return;
    this.due();
    void this.attempt();
  }

  /** True while a re-seed is due and not made yet. */
  get pending(): boolean {
    return this.isDue;
  }

  /** One attempt now when one is due (or joins the one running); when it waits, the retries follow on their own. */
  async attempt(): Promise<void> {
    if (!this.isDue) return;
    if (!(await this.once())) this.follow();
  }

  private once(): Promise<boolean> {
    this.running ??= this.reseed().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Retries a waiting re-seed after pauses until it is made, shutdown, or RESEED_TRIES attempts in all. */
  private follow(): void {
    if (this.following) return;
    this.following = true;
    void (async () => {
      try {
        for (let tries = 1; tries < RESEED_TRIES; tries++) {
          await this.d.sleep(Math.min(PAUSE_MS.first * 2 ** (tries - 1), PAUSE_MS.max));
          if (!this.isDue || this.d.stopped() || (await this.once())) return;
        }
        if (this.isDue && !this.d.stopped())
          this.d.log(`live reconcile: capital re-seed still waits after ${RESEED_TRIES} tries: the next pass makes it`);
      } finally {
        this.following = false;
      }
    })();
  }

  /** True when capital followed the wallet (or nothing is due any more); false when it waits. */
  private async reseed(): Promise<boolean> {
    const { kernel, log } = this.d;
    const before = new Map(kernel.slots().map((s) => [s.slot_id, settledView(s)])); // a mark moves no fill
    try {
      const balance = await this.d.read("balance", () => this.d.venue.balance());
      const orders = await this.d.read("open orders", () => this.d.venue.openOrders());
      if (this.d.stopped()) return true;
      const busy = slotsFillPending(kernel.slots(), before, orders);
      if (busy.length > 0) {
        log(`live reconcile: capital re-seed waits: slots ${JSON.stringify(busy)} may have a fill on its way`);
        return false;
      }
      const seed = { capital: Math.max(0, balance.balance), recovery: true, now_ms: this.d.clock.nowMs() };
      this.d.executor.applySystem({ type: "SEED_CAPITAL", ...seed });
      this.isDue = false;
      return true;
    } catch (e) {
      const error = `capital re-seed: ${e instanceof Error ? e.message : String(e)}`;
      this.d.failed(error);
      if (!this.d.stopped()) log(`live reconciliation: ${error}; tried again shortly`);
      return false;
    }
  }
}
