/**
 * LeaseKeeper: the agent's hold on the account lease, one `step()` per heartbeat, and the halt that
 * follows its loss.
 *
 * Times are the clock's monotonic time (`monoNs`), so a wall-clock step never moves the fence.
 *
 * - held: the step renews conditionally (`AccountLease.renew`, bounded by `renewalBudgetMsOf(ttl)`,
 *   a sixth of the TTL). Local fencing: the lease counts as held only until the send time of the
 *   last successful renewal or acquire + TTL − that budget. The member expires the entry no earlier
 *   than TTL after running that call (which it did after it was sent), so a kernel cut off from the
 *   cluster stops trading at least one budget before another kernel can take the lease. Past that
 *   instant without a successful renewal the lease is `lost` (holder unknown) and trading halts.
 * - pending or lost: the step tries to take it (`acquire`; when it is still this kernel's, a
 *   conditional renewal). Re-taken after a loss, trading stays HALTED: the operator resumes it.
 * - lost: every step applies the halt (`onLeaseLost`) unless `halted()` says trading is HALTED; the
 *   log says HALTED only once a halt worked, and a failing halt is logged once, then retried.
 *
 * The fence is due between beats (a beat every third of the TTL, the fence at TTL − a sixth): the
 * agent wakes at `msToFence()` and applies it (`fence()`, `haltWhileLost()`) without waiting for a beat.
 *
 * Entry points: `new LeaseKeeper(opts, lease, state, sentAtMs?)`, `step()`, `fence()`, `msToFence()`,
 * `haltWhileLost()`, `state`, `holder()`.
 */

import type { Clock } from "../contracts/clock.ts";
import type { FleetAgentOptions } from "./agent.ts";
import { renewalBudgetMsOf } from "./entry.ts";
import { type AccountLease, holderText, type LeaseHolder } from "./lease.ts";

/** The clock's monotonic time in ms: fencing must not move with a wall-clock step (NTP). */
export function monoMs(clock: Clock): number {
  return Number(clock.monoNs() / 1_000_000n);
}

type KeeperOptions = Pick<FleetAgentOptions, "ttlMs" | "clock" | "log" | "onLeaseLost" | "halted">;

export class LeaseKeeper {
  state: "held" | "pending" | "lost";
  private otherHolder: LeaseHolder | null = null;
  /** The instant (monotonic ms, `monoMs`) past which the lease no longer counts as held without a renewal. */
  private heldUntilMs: number;
  private readonly budgetMs: number;
  /** This loss was logged as HALTED (or found HALTED already); a failing halt was logged. */
  private haltLogged = false;
  private haltFailLogged = false;

  constructor(
    private readonly o: KeeperOptions,
    private readonly lease: AccountLease,
    state: "held" | "pending",
    sentAtMs?: number,
  ) {
    this.state = state;
    this.budgetMs = renewalBudgetMsOf(o.ttlMs);
    this.heldUntilMs = this.fenceFrom(sentAtMs ?? monoMs(o.clock));
  }

  /** This kernel while it holds the lease, the other kernel once lost to one, else null. */
  holder(): LeaseHolder | null {
    if (this.state === "lost") return this.otherHolder;
    return this.state === "held" ? this.lease.me : null; // pending: nobody known to hold it
  }

  /** One beat: renew or take the lease, then fence and halt. Throws when the cluster call failed. */
  async step(): Promise<void> {
    const sent = monoMs(this.o.clock);
    try {
      if (this.state === "held") await this.renew(sent);
      else await this.take(sent);
    } finally {
      this.fence();
      this.haltWhileLost();
    }
  }

  private async renew(sent: number): Promise<boolean> {
    const r = await this.lease.renew(this.budgetMs);
    if (r.kind === "lost") {
      this.lose(r.holder);
      return false;
    }
    this.heldUntilMs = this.fenceFrom(sent);
    if (r.kind === "reacquired" && this.state === "held")
      this.o.log("account lease: re-taken (it had expired or the cluster lost it; nobody else held it)");
    return true;
  }

  private async take(sent: number): Promise<void> {
    const d = await this.lease.acquire();
    if (d.kind === "held") return this.lose(d.holder);
    // Still ours at the cluster (a fenced kernel whose entry did not expire): renew it conditionally.
    if (d.kind === "mine" && !(await this.renew(sent))) return;
    this.heldUntilMs = this.fenceFrom(sent);
    const was = this.state;
    this.state = "held";
    this.otherHolder = null;
    this.haltLogged = false;
    this.haltFailLogged = false;
    this.o.log(
      was === "lost"
        ? "account lease: re-taken (free again, or still this kernel's); trading stays HALTED until the operator sets ACTIVE"
        : "account lease: taken (the cluster answered again)",
    );
  }

  private fenceFrom(sentMs: number): number {
    return sentMs + this.o.ttlMs - this.budgetMs;
  }

  private lose(holder: LeaseHolder): void {
    this.state = "lost";
    this.otherHolder = holder;
  }

  /** Ms until the fence while the lease is held (0: due now), else null: the agent wakes then, between beats. */
  msToFence(): number | null {
    return this.state === "held" ? Math.max(0, this.heldUntilMs - monoMs(this.o.clock)) : null;
  }

  /** Held past its fence without a renewal: it may expire at the cluster, so it counts as lost. */
  fence(): void {
    if (this.state !== "held" || monoMs(this.o.clock) < this.heldUntilMs) return;
    this.state = "lost";
    this.otherHolder = null;
  }

  private why(): string {
    return this.otherHolder !== null
      ? `account lease: held by ${holderText(this.otherHolder)}; two kernels on one account`
      : `account lease: not renewed within ${this.o.ttlMs - this.budgetMs} ms of the last renewal (another kernel could take it)`;
  }

  /** While lost: halts trading unless it is HALTED already; never throws. */
  haltWhileLost(): void {
    if (this.state !== "lost") return;
    if (this.o.halted?.() === true) {
      if (!this.haltLogged) this.o.log(`${this.why()}: trading HALTED`);
      this.haltLogged = true;
      return;
    }
    try {
      this.o.onLeaseLost(this.otherHolder);
    } catch (e) {
      if (!this.haltFailLogged)
        this.o.log(`${this.why()}: halting trading FAILED (${(e as Error).message}); retried at every beat`);
      this.haltFailLogged = true;
      return;
    }
    if (!this.haltLogged) this.o.log(`${this.why()}: trading HALTED`);
    this.haltLogged = true;
  }
}
