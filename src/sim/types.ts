/**
 * Public types of bingx-sim: the options, the handle, the fault knobs and the state snapshot
 * that tests assert on. `index.ts` re-exports them; the names and shapes of `SimOptions`,
 * `SimHandle` and `startBingxSim` are a contract shared with the BingX adapter's author.
 *
 * Extensions beyond the agreed contract are all optional (`pingIntervalMs`, `listenKeyTtlMs`,
 * `rateLimitsPerS`, `positionMode`) and default to BingX-like values.
 */

import type { Clock } from "../contracts/clock.ts";
import type { ContractPatch } from "./contracts_catalog.ts";

export interface SimOptions {
  port?: number /* 0 = ephemeral */;
  host?: "127.0.0.1";
  apiKey: string;
  secret: string;
  seed: number;
  clock?: Clock;
  prices?: Record<string, number> /* e.g. {"BTC-USDT": 65000} */;
  balance?: number /* USDT, default 10000 */;
  priceStepMs?: number /* seeded random-walk tick interval, default 0 = prices move only via admin */;
  /** Real-time interval between server "Ping" frames on the user stream (default 5000). */
  pingIntervalMs?: number;
  /** Listen-key lifetime without a PUT, measured on the injected clock (default 3_600_000). */
  listenKeyTtlMs?: number;
  /** Per-UID, per-endpoint request budget per second; keys are bucket names (see rate_limit.ts). BingX's per-IP group limits stay. */
  rateLimitsPerS?: Partial<Record<string, number>>;
  /**
   * BingX's per-IP group limits and their 5-minute restriction (rate_limit.ts), on by default.
   * false turns them off for load runs that raise the per-UID limits far past them on purpose
   * (chaos, benchmarks): BingX would restrict such a run, which is not what they measure.
   */
  ipLimits?: boolean;
  /** The account's position mode at start (default "hedge"); switch later over REST. */
  positionMode?: PositionMode;
}

/** BingX's two position modes: dual-side ("hedge", LONG/SHORT) and single-side ("oneway", BOTH). */
export type PositionMode = "hedge" | "oneway";

export interface RateLimitFault {
  count: number;
  retry_hint: boolean;
}

/** `count` bans still to start; `retry_hint`: the 418 answers say when the ban ends. */
export interface IpBanFault {
  count: number;
  retry_hint: boolean;
}

export interface SimFaults {
  latency_ms: number;
  drop_responses: number;
  http_5xx: number;
  rate_limit: RateLimitFault;
  duplicate_events: boolean;
  reorder_events: boolean;
  stream_disconnect: number;
  partial_fill_legs: number;
  cancel_reject: boolean;
  /** For auditor canaries: fills are reported at book price × (1 + skew); the wallet books the true price. */
  fill_price_skew: number;
  /** For auditor canaries: positions move by fill quantity × (1 + skew); reports keep the true fill. */
  fill_qty_skew: number;
  /** Sim time (ms) a placement stays PENDING before the engine takes it (0 = none; optional: older knob sets lack it). */
  pending_ms?: number;
  /** The next n accepted placements are then REJECTED by the engine, nothing filled. */
  reject_orders?: number;
  /** The next request starts an IP ban: HTTP 418 to every request for 5 minutes of sim clock. */
  ip_ban?: IpBanFault;
}

export type SimOrderStatus = "PENDING" | "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELLED" | "EXPIRED" | "REJECTED";

export interface SimOrder {
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: "BUY" | "SELL";
  /** LONG/SHORT in hedge mode, BOTH in one-way mode. */
  positionSide: "LONG" | "SHORT" | "BOTH";
  type: "MARKET" | "LIMIT";
  timeInForce: string;
  origQty: number;
  price: number;
  executedQty: number;
  cumQuote: number;
  avgPrice: number;
  commission: number;
  profit: number;
  status: SimOrderStatus;
  time: number;
  updateTime: number;
  /** Hedge mode: SELL+LONG or BUY+SHORT. One-way mode: the order was sent reduce-only. */
  closing: boolean;
  /** While PENDING: the sim instant at which the engine takes it (`pending_ms` fault). */
  pendingUntil?: number;
  /** While a MARKET is PENDING: the mark when it was accepted, its margin reservation's price (margin.ts). */
  acceptedMark?: number;
  /**
   * Out of every client's reach (out of band `hide_order`) until `land_order`: query and cancel answer 80016, no
   * list shows it, nothing fills it (a PENDING hold does not end); it keeps its margin reservation and client id.
   */
  hidden?: boolean;
}

/** One execution of an order against the book, as `allFillOrders` reports it. */
export interface SimFill {
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: "BUY" | "SELL";
  positionSide: "LONG" | "SHORT" | "BOTH";
  type: "MARKET" | "LIMIT";
  qty: number;
  /** The reported price (the book's price unless `fill_price_skew` is set). */
  price: number;
  commission: number;
  maker: boolean;
  time: number;
}

/** A position by direction; in one-way mode a symbol has at most one with an amount. */
export interface SimPosition {
  symbol: string;
  positionSide: "LONG" | "SHORT";
  positionAmt: number;
  avgPrice: number;
  realisedProfit: number;
  leverage: number;
}

export interface SimCounters {
  /** Every HTTP request that reached the sim, admin routes excluded. */
  requests: number;
  /** Orders created (executed) per client order id; a value above 1 would be a duplicate. */
  placed_by_client_id: Record<string, number>;
  orders_placed: number;
  stream_events_sent: number;
  /** Requests answered 429 (the per-endpoint limit or the injected `rate_limit` fault). */
  rate_limited: number;
  /** Requests answered 418 during an IP ban (`ip_ban` fault). */
  ip_banned: number;
}

export interface SimState {
  seed: number;
  now_ms: number;
  position_mode: PositionMode;
  prices: Record<string, number>;
  /** Best bid and ask of each symbol's book. */
  books: Record<string, { bid: number; ask: number }>;
  orders: SimOrder[];
  fills: SimFill[];
  positions: SimPosition[];
  balance: {
    wallet: number;
    equity: number;
    available_margin: number;
    used_margin: number;
    /** Reserved by working opening orders (margin.ts), out of `available_margin`. */
    freezed_margin: number;
    unrealized: number;
    realised: number;
  };
  counters: SimCounters;
  faults: SimFaults;
  listen_keys: number;
  stream_connections: number;
}

export interface SimHandle {
  url: string /* http://127.0.0.1:PORT */;
  wsUrl: string /* ws://127.0.0.1:PORT/swap-market */;
  port: number;
  seed: number;
  faults: SimFaults /* live-mutable */;
  setPrice(symbol: string, price: number): void;
  /** Changes a listed contract as GET contracts reports it (step, tick, minimums, status); throws on bad input. */
  setContract(symbol: string, patch: ContractPatch): void;
  state(): SimState;
  stop(): Promise<void>;
}
