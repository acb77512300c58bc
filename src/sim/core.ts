/**
 * The simulator's state and its few state-wide operations: mark prices (set by admin or by the
 * seeded random walk), one order book per symbol that moves with the mark, the order table and
 * its client-id index, the fill history, the account, counters, 24 h ticker statistics, and the
 * housekeeping step (random-walk ticks, book refills, listen-key lapses) run before every request
 * and every state read, so time-driven behaviour follows the injected clock without a background
 * thread. A symbol's leverage is set here (`setLeverage`: the trade/leverage endpoint and the admin's
 * out-of-band `set_leverage`), so every change is pushed on the user stream (ACCOUNT_CONFIG_UPDATE);
 * a new stream connection hears the account's leverage at connect (`connectEvents`: one
 * ACCOUNT_CONFIG_UPDATE per symbol whose leverage was set, in catalog order).
 *
 * Determinism: all randomness comes from `Rng(seed)` (the books draw from their own generator
 * derived from the same seed); all time from the injected `Clock`.
 */

import type { Clock } from "../contracts/clock.ts";
import { Rng } from "../contracts/rng.ts";
import { Account } from "./accounts.ts";
import { OrderBooks } from "./book.ts";
import { buildCatalog, type ContractRule, DEFAULT_PRICES, floorToStep } from "./contracts_catalog.ts";
import { defaultFaults } from "./faults.ts";
import { IdSource } from "./ids.ts";
import { ListenKeys } from "./listen_keys.ts";
import { accountSummary } from "./margin.ts";
import { crossRestingOrders, releasePending } from "./matching.ts";
import { RateLimiter } from "./rate_limit.ts";
import { type StreamEvent, StreamHub } from "./stream.ts";
import { TickerStats } from "./ticker_stats.ts";
import type { SimCounters, SimFaults, SimFill, SimOptions, SimOrder, SimState } from "./types.ts";
import { accountConfigEvent } from "./views.ts";

export const ORDERS_MAX = 100_000;
const WALK_STEPS_MAX = 1000;
/** Largest relative move of one random-walk step (±0.1%). */
const WALK_STEP_FRACTION = 0.001;

export interface ClientIdEntry {
  orderId: string;
  placedMs: number;
}

export class SimCore {
  readonly rng: Rng;
  readonly ids: IdSource;
  readonly catalog: Map<string, ContractRule>;
  readonly prices = new Map<string, number>();
  readonly account: Account;
  readonly orders = new Map<string, SimOrder>();
  readonly fills: SimFill[] = [];
  readonly books: OrderBooks;
  readonly stats: TickerStats;
  readonly byClientId = new Map<string, ClientIdEntry>();
  /** Ids of orders held PENDING (`pending_ms` fault), until the engine takes them. */
  readonly pending = new Set<string>();
  readonly faults: SimFaults = defaultFaults();
  readonly stream: StreamHub;
  readonly listenKeys: ListenKeys;
  readonly limiter: RateLimiter;
  readonly counters: SimCounters = {
    requests: 0,
    placed_by_client_id: {},
    orders_placed: 0,
    stream_events_sent: 0,
    rate_limited: 0,
    ip_banned: 0,
  };
  /** Until when (sim ms) the `ip_ban` fault answers 418 to everything; -Infinity when not banned. */
  ipBannedUntil = Number.NEGATIVE_INFINITY;
  private lastWalkMs: number;

  constructor(
    readonly opts: SimOptions,
    readonly clock: Clock,
  ) {
    this.rng = new Rng(opts.seed);
    this.ids = new IdSource(this.rng);
    const prices = opts.prices && Object.keys(opts.prices).length > 0 ? opts.prices : DEFAULT_PRICES;
    for (const [symbol, price] of Object.entries(prices)) {
      if (!(price > 0 && Number.isFinite(price)))
        throw new Error(`Condition failed: price of ${symbol} must be > 0, got ${price}`);
      this.prices.set(symbol, price);
    }
    this.catalog = buildCatalog([...this.prices.keys()]);
    this.account = new Account(opts.balance ?? 10_000);
    if (opts.positionMode !== undefined && opts.positionMode !== "hedge" && opts.positionMode !== "oneway")
      throw new Error(`Condition failed: positionMode must be "hedge" or "oneway", got ${String(opts.positionMode)}`);
    this.account.mode = opts.positionMode ?? "hedge";
    this.books = new OrderBooks(opts.seed, this.catalog);
    this.stats = new TickerStats(this.prices, clock.nowMs());
    this.stream = new StreamHub(this.rng, opts.pingIntervalMs ?? 5000, () => this.connectEvents());
    this.listenKeys = new ListenKeys(opts.listenKeyTtlMs ?? 3_600_000);
    this.limiter = new RateLimiter(opts.rateLimitsPerS ?? {}, opts.ipLimits ?? true);
    this.lastWalkMs = clock.nowMs();
  }

  now(): number {
    return this.clock.nowMs();
  }

  mark(symbol: string): number {
    const p = this.prices.get(symbol);
    if (p === undefined) throw new Error(`Invariant: no price for listed symbol ${symbol}`);
    return p;
  }

  setPrice(symbol: string, price: number): void {
    const rule = this.catalog.get(symbol);
    if (!rule) throw new Error(`Condition failed: unknown symbol ${symbol}`);
    if (!(price > 0 && Number.isFinite(price) && price < 1e12))
      throw new Error(`Condition failed: price must be > 0, got ${price}`);
    this.prices.set(symbol, price);
    this.books.moved(symbol);
    this.stats.price(symbol, price, this.now());
    crossRestingOrders(this, symbol);
  }

  /**
   * Sets `symbol`'s leverage (both sides for BOTH, a one-way account's one leverage; a held position's
   * too); a change of either side is pushed as BingX does, whoever asked: ACCOUNT_CONFIG_UPDATE with both.
   */
  setLeverage(symbol: string, side: "LONG" | "SHORT" | "BOTH", leverage: number): void {
    const before = `${this.account.leverage(symbol, "LONG")}/${this.account.leverage(symbol, "SHORT")}`;
    this.account.setLeverage(symbol, side, leverage);
    const long = this.account.leverage(symbol, "LONG");
    const short = this.account.leverage(symbol, "SHORT");
    if (`${long}/${short}` === before) return;
    this.stream.publish([{ payload: accountConfigEvent(symbol, long, short, this.now()) }], this.faults);
  }

  /**
   * What BingX pushes at connect: the leverage of each symbol whose leverage the account set (both
   * sides), not the whole catalog (the project's reference does not say BingX's "full" push covers
   * symbols never touched).
   */
  connectEvents(): StreamEvent[] {
    const now = this.now();
    return [...this.catalog.keys()]
      .filter((symbol) => this.account.leverageSet(symbol))
      .map((symbol) => ({
        payload: accountConfigEvent(
          symbol,
          this.account.leverage(symbol, "LONG"),
          this.account.leverage(symbol, "SHORT"),
          now,
        ),
      }));
  }

  /** Time-driven work: random-walk steps due on the clock, PENDING holds that ended, then listen keys that lapsed. */
  housekeeping(): void {
    const now = this.now();
    const step = this.opts.priceStepMs ?? 0;
    if (step > 0 && now > this.lastWalkMs) {
      const due = Math.min(Math.floor((now - this.lastWalkMs) / step), WALK_STEPS_MAX);
      this.lastWalkMs += due * step;
      for (let i = 0; i < due; i++) this.walkOnce();
    }
    if (this.pending.size > 0) releasePending(this, now);
    for (const symbol of this.books.housekeeping(now)) crossRestingOrders(this, symbol);
    for (const key of this.listenKeys.sweep(now)) this.stream.expire(key, now);
  }

  private walkOnce(): void {
    for (const [symbol, rule] of this.catalog) {
      const price = this.mark(symbol);
      const moved = price * (1 + (this.rng.next() * 2 - 1) * WALK_STEP_FRACTION);
      const next = floorToStep(moved, rule.pricePrecision);
      this.setPrice(symbol, next > 0 ? next : price);
    }
  }

  snapshot(): SimState {
    return {
      seed: this.opts.seed,
      now_ms: this.now(),
      position_mode: this.account.mode,
      prices: Object.fromEntries(this.prices),
      books: Object.fromEntries(
        [...this.prices].map(([s, mark]) => {
          const { bid, ask } = this.books.best(s, mark);
          return [s, { bid: bid.price, ask: ask.price }];
        }),
      ),
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      fills: this.fills.map((f) => ({ ...f })),
      positions: this.account.openPositions().map((p) => ({ ...p })),
      balance: accountSummary(this),
      counters: {
        ...this.counters,
        placed_by_client_id: { ...this.counters.placed_by_client_id },
        stream_events_sent: this.stream.sent,
      },
      faults: {
        ...this.faults,
        rate_limit: { ...this.faults.rate_limit },
        ...(this.faults.ip_ban ? { ip_ban: { ...this.faults.ip_ban } } : {}),
      },
      listen_keys: this.listenKeys.size,
      stream_connections: this.stream.sockets.size,
    };
  }
}
