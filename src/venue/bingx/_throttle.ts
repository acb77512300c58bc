/**
 * The BingX adapter's client-side throttle: one `RateBucket` per budget group (endpoints.ts
 * `RATE_TABLE`), sized `floor(limit × margin)` (at least 1) over the group's window
 * (`RATE_BUDGETS`: one second per UID group; 60 s for the per-IP market group, which keeps both
 * its 10 s and its minute limit, see endpoints.ts), so normal load never meets a 429. With
 * `ipShare` > 1 (DITA_V2_BINGX_IP_SHARE) the per-IP budgets are divided (`rateCapacities`).
 *
 * A request takes a token before it is sent and gives it back when answered (`Lease.done`).
 * With no token free it waits in its group's queue; requests that change orders (priority
 * `order`) are served before reads (`query`) waiting on the same group, FIFO within a priority.
 * Waking up uses the injected `sleep`; time is the injected clock's monotonic reading.
 *
 * Bounded, never silent: a request that would find `queueMax` already waiting in its group, or
 * whose estimated wait exceeds `waitMaxMs`, fails at once with a RATE_LIMIT `VenueRequestError`
 * carrying `retry_after_ms` (the estimate), which the adapter surfaces as RATE_LIMITED.
 *
 * Learning from the venue: a 429 / 100410, or an answer saying `X-RateLimit-Requests-Remain: 0`
 * (another client on the same account or IP spent the budget), means the venue's window is full:
 * the group's free tokens are drained (back one window after that answer, when everything the
 * venue counted has left its window, whether it counts windows fixed or sliding; after Remain 0
 * on the market group one of them is back at the hint, where at least one request fits either
 * way, so its 60 s window does not hold a time re-sync for a minute) and nothing is sent before
 * the venue's hint (`-Expire`; when a 429 gave none, the group's `restrictedMs`: one window for a
 * UID group, BingX's 5-minute restriction for the market group; when Remain 0 gave none, the
 * group's whole window: 1 s for a UID group, 60 s for the market group).
 *
 * An HTTP 418 (the IP banned for sending on after 429s) stops every group, not one: nothing is
 * sent before the venue's hint or, without one, BingX's 5-minute restriction (`ipBanned`).
 *
 * Entry points: `new Throttle(options)`, `capacity`, `windowMs`, `tryAcquire`, `acquire`,
 * `refusal`, `rateLimited`, `exhausted`, `ipBanned`, `stats`.
 */

import type { Clock } from "../../contracts/clock.ts";
import type { VenueRateStats } from "../../contracts/venue.ts";
import { RateBucket } from "./_rate_bucket.ts";
import type { RateGroup, RatePriority } from "./endpoints.ts";
import { MARKET_BUDGET, RATE_BUDGETS, RATE_WAIT_MAX_MS, rateCapacities } from "./endpoints.ts";
import { VenueRequestError } from "./errors.ts";

export interface ThrottleOptions {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** Fraction of each venue limit the adapter uses, in (0, 1]. */
  margin: number;
  /** How many clients send from this IP, each budgeting alike (1..64, default 1): endpoints.ts `rateCapacities`. */
  ipShare?: number;
  /**
   * Per-group overrides of the venue's limit, counted over the group's window (`RATE_BUDGETS`:
   * per second for the UID groups, per 60 s for `market`); tests, benchmarks with a raised sim.
   */
  limitsPerS?: Partial<Record<RateGroup, number>>;
  /** Requests allowed to wait in one group (default 64). */
  queueMax?: number;
  /** Longest estimated wait accepted, in ms (default RATE_WAIT_MAX_MS, 10000). */
  waitMaxMs?: number;
}

/** A token held by one request; `done()` when the venue answered or the request failed. */
export interface Lease {
  readonly waitedMs: number;
  done(): void;
}

interface Waiter {
  since: number;
  grant(lease: Lease): void;
}

interface Group {
  bucket: RateBucket;
  /** How long a 429 without a hint pauses the group. */
  restrictedMs: number;
  /** After Remain 0, one drained token is back at the venue's hint (the market group's long window). */
  oneAtHint: boolean;
  orders: Waiter[];
  queries: Waiter[];
  wakeScheduled: boolean;
}

const WAITS_KEPT = 4096;
/** How long an HTTP 418 without a hint stops every group: BingX's 5-minute restriction. */
const IP_BAN_MS = MARKET_BUDGET.restrictedMs;

export class Throttle {
  private readonly groups = new Map<RateGroup, Group>();
  private readonly queueMax: number;
  private readonly waitMaxMs: number;
  private readonly waits = new Float64Array(WAITS_KEPT);
  private readonly counts = { requests: 0, waited: 0, refused: 0, rate_limited: 0, exhausted: 0, queued_max: 0 };
  private waitTotalMs = 0;
  private waitMaxSeenMs = 0;
  /** Time is measured from construction, so a large monotonic reading keeps full precision. */
  private readonly baseNs: bigint;

  constructor(private readonly o: ThrottleOptions) {
    this.baseNs = o.clock.monoNs();
    if (!(o.margin > 0 && o.margin <= 1))
      throw new Error(`Invariant: throttle margin must be in (0, 1], got ${o.margin}`);
    this.queueMax = o.queueMax ?? 64;
    this.waitMaxMs = o.waitMaxMs ?? RATE_WAIT_MAX_MS;
    if (!(Number.isInteger(this.queueMax) && this.queueMax >= 0 && this.queueMax <= 100_000))
      throw new Error(`Invariant: throttle queueMax must be an integer in 0..100000, got ${this.queueMax}`);
    if (!(this.waitMaxMs >= 0)) throw new Error(`Invariant: throttle waitMaxMs must be >= 0, got ${this.waitMaxMs}`);
    for (const group of Object.keys(o.limitsPerS ?? {}))
      if (!(group in RATE_BUDGETS)) throw new Error(`Invariant: ${group} is not a rate group (endpoints.ts)`);
    const limits = {} as Record<RateGroup, number>;
    for (const [group, budget] of Object.entries(RATE_BUDGETS)) {
      const venueLimit = o.limitsPerS?.[group as RateGroup] ?? budget.limit;
      if (!(Number.isInteger(venueLimit) && venueLimit >= 1))
        throw new Error(`Invariant: rate limit of ${group} must be a positive integer, got ${venueLimit}`);
      limits[group as RateGroup] = venueLimit;
    }
    const sized = rateCapacities(limits, o.margin, o.ipShare ?? 1);
    for (const [group, budget] of Object.entries(RATE_BUDGETS)) {
      const { capacity, windowMs } = sized[group as RateGroup];
      const bucket = new RateBucket(capacity, windowMs);
      const { restrictedMs, oneAtHint } = budget;
      const g: Group = { bucket, restrictedMs, oneAtHint, orders: [], queries: [], wakeScheduled: false };
      this.groups.set(group as RateGroup, g);
    }
  }

  /** The tokens one group hands out per window. */
  capacity(group: RateGroup): number {
    return this.group(group).bucket.capacity;
  }

  /** The window (ms) one group's tokens are counted over. */
  windowMs(group: RateGroup): number {
    return this.group(group).bucket.windowMs;
  }

  /**
   * A token of `group` now, or null when one would have to be waited for (nobody of this priority
   * or above is queued and the bucket has one). Synchronous, so a request with budget to spare
   * is written without an event-loop hop.
   */
  tryAcquire(group: RateGroup, priority: RatePriority): Lease | null {
    const g = this.group(group);
    const now = this.nowMs();
    const ahead = priority === "order" ? g.orders.length : g.orders.length + g.queries.length;
    if (ahead !== 0 || g.bucket.available(now) <= 0) return null;
    g.bucket.take(now);
    return this.lease(g, now, now);
  }

  /**
   * Whether a request of `group` asked now would be refused at once (`acquire`'s bounds: a full
   * queue, or an estimated wait past `waitMaxMs`, as during a ban or before the venue's hint): the
   * estimated wait and why, else null (a token is free, or the wait is within bounds). Reads only.
   */
  refusal(group: RateGroup, priority: RatePriority): { waitMs: number; why: string } | null {
    const g = this.group(group);
    const now = this.nowMs();
    const ahead = priority === "order" ? g.orders.length : g.orders.length + g.queries.length;
    if (ahead === 0 && g.bucket.available(now) > 0) return null;
    const waitMs = Math.ceil(Math.max(0, g.bucket.etaMs(ahead, now) - now));
    const queued = g.orders.length + g.queries.length;
    if (queued >= this.queueMax) return { waitMs, why: `${queued} requests already waiting` };
    return waitMs > this.waitMaxMs ? { waitMs, why: `an estimated wait of ${waitMs} ms` } : null;
  }

  /** Waits for a token of `group`; refuses at once (RATE_LIMIT, with a hint) past the queue's bounds. */
  acquire(group: RateGroup, priority: RatePriority, where: string): Promise<Lease> {
    const free = this.tryAcquire(group, priority);
    if (free !== null) return Promise.resolve(free);
    const refused = this.refusal(group, priority);
    if (refused !== null) {
      this.counts.refused++;
      const message = `${where}: not sent, client-side rate budget ${group} exhausted (${refused.why})`;
      return Promise.reject(new VenueRequestError("RATE_LIMIT", message, undefined, undefined, refused.waitMs));
    }
    const g = this.group(group);
    return new Promise<Lease>((resolve) => {
      (priority === "order" ? g.orders : g.queries).push({ since: this.nowMs(), grant: resolve });
      this.counts.queued_max = Math.max(this.counts.queued_max, this.queued());
      this.pump(g);
    });
  }

  /** The venue refused a request of `group` for its rate limit: drain, and send nothing before the hint. */
  rateLimited(group: RateGroup, retryAfterMs: number | undefined): void {
    this.counts.rate_limited++;
    this.pauseFor(group, retryAfterMs ?? this.group(group).restrictedMs);
  }

  /**
   * HTTP 418: the venue banned this IP for sending on after 429s. A ban covers every endpoint, so
   * every group sends nothing before the venue's hint or, without one, BingX's restriction
   * (`IP_BAN_MS`, "recovers after 5 minutes"): each request sent during a ban prolongs it.
   */
  ipBanned(retryAfterMs: number | undefined): void {
    this.counts.rate_limited++;
    const now = this.nowMs();
    const until = now + Math.max(0, Math.min(retryAfterMs ?? IP_BAN_MS, 3_600_000));
    for (const g of this.groups.values()) {
      g.bucket.pause(until);
      this.pump(g);
    }
  }

  /**
   * The venue said no request of `group` remains until `expireInMs` from now: drain and pause
   * likewise. Without an expiry (`undefined`) the pause is the group's whole window: the one
   * instant at which everything the venue counted has surely left it.
   */
  exhausted(group: RateGroup, expireInMs: number | undefined): void {
    this.counts.exhausted++;
    const g = this.group(group);
    this.pauseFor(group, expireInMs ?? g.bucket.windowMs, g.oneAtHint);
  }

  stats(): VenueRateStats {
    const n = Math.min(this.counts.requests, WAITS_KEPT);
    const recent = Array.from(this.waits.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number) => (n === 0 ? 0 : recent[Math.min(n - 1, Math.floor(q * n))]!);
    return {
      margin: this.o.margin,
      requests: this.counts.requests,
      waited: this.counts.waited,
      wait_ms_total: round3(this.waitTotalMs),
      wait_ms_p50: round3(at(0.5)),
      wait_ms_p99: round3(at(0.99)),
      wait_ms_max: round3(this.waitMaxSeenMs),
      queued: this.queued(),
      queued_max: this.counts.queued_max,
      refused: this.counts.refused,
      rate_limited: this.counts.rate_limited,
      exhausted: this.counts.exhausted,
    };
  }

  private pauseFor(group: RateGroup, ms: number, oneAtHint = false): void {
    const g = this.group(group);
    const now = this.nowMs();
    const until = now + Math.max(0, Math.min(ms, 3_600_000));
    g.bucket.drain(now, oneAtHint ? until : undefined);
    g.bucket.pause(until);
    this.pump(g);
  }

  /** Hands free tokens to waiters (orders first), then sleeps until the next one can be free. */
  private pump(g: Group): void {
    const now = this.nowMs();
    while (g.orders.length + g.queries.length > 0 && g.bucket.available(now) > 0) {
      const w = (g.orders.length > 0 ? g.orders : g.queries).shift()!;
      g.bucket.take(now);
      w.grant(this.lease(g, w.since, now));
    }
    if (g.orders.length + g.queries.length === 0 || g.wakeScheduled) return;
    const at = g.bucket.nextAt(now);
    if (at === null) return; // every token is in flight: the next answer pumps again
    g.wakeScheduled = true;
    // At least 1 ms: a wake-up that finds nothing free can never spin.
    void this.o.sleep(Math.max(1, at - now)).then(() => {
      g.wakeScheduled = false;
      this.pump(g);
    });
  }

  private lease(g: Group, since: number, now: number): Lease {
    const waitedMs = now - since;
    this.waits[this.counts.requests % WAITS_KEPT] = waitedMs;
    this.counts.requests++;
    if (waitedMs > 0) this.counts.waited++;
    this.waitTotalMs += waitedMs;
    this.waitMaxSeenMs = Math.max(this.waitMaxSeenMs, waitedMs);
    let open = true;
    return {
      waitedMs,
      done: () => {
        if (!open) return;
        open = false;
        g.bucket.settle(this.nowMs());
        this.pump(g);
      },
    };
  }

  private queued(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.orders.length + g.queries.length;
    return n;
  }

  private group(group: RateGroup): Group {
    const g = this.groups.get(group);
    if (g === undefined) throw new Error(`Invariant: no rate group ${group}`);
    return g;
  }

  private nowMs(): number {
    return Number(this.o.clock.monoNs() - this.baseNs) / 1e6;
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
