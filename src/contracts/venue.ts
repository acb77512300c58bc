/**
 * Venue contract: the normalized events the kernel consumes and the adapter interface every
 * venue (mock, BingX) implements. The kernel never sees a raw exchange payload; adapters turn
 * venue payloads into `VenueEvent`s and refuse malformed ones with a `VenueDiagnostic`.
 *
 * Invariants:
 * - order ids are strings end to end (BingX ids exceed 2^53);
 * - `filled_size_cumulative` is the venue's cumulative filled quantity of the order (monotonic
 *   at the venue), `fee_cumulative` likewise; the kernel applies fills from these, so duplicated
 *   or reordered delivery converges;
 * - `event_id` is stable for one venue fact (order id + status + cumulative quantity, or the
 *   venue's trade id), so a re-delivered frame dedupes.
 */

export type VenueEventKind = "ACK" | "PARTIAL_FILL" | "FULL_FILL" | "CANCEL_ACK" | "CANCEL_REJECT" | "REJECT";
export type RejectReason = "VENUE" | "RATE_LIMITED";
export type OrderSide = "BUY" | "SELL";
export type PositionSide = "LONG" | "SHORT";
export type OrderType = "MARKET" | "LIMIT";

export interface VenueEvent {
  kind: VenueEventKind;
  event_id: string;
  venue_order_id: string;
  client_order_id: string;
  asset: string;
  filled_size_cumulative: number;
  avg_price: number;
  last_fill_size: number;
  last_fill_price: number;
  fee_cumulative: number;
  venue_time_ms: number;
  reject_reason?: RejectReason;
  /** Rate-limit hint from the venue, when it gave one. */
  retry_after_ms?: number;
  /** Venue's own code/message for rejects, for operators (never contains secrets). */
  venue_code?: string;
  venue_message?: string;
}

/** An order the kernel asks the venue to place. `client_order_id` comes from the kernel. */
export interface OrderRequest {
  client_order_id: string;
  asset: string;
  side: OrderSide;
  position_side: PositionSide;
  type: OrderType;
  size: number;
  price?: number;
  reduce_only: boolean;
  /**
   * True for an exit of its slot's whole remaining position (the kernel's record: the exit's
   * size is the slot's size; a flatten's exit): the venue's opening minimums (quantity, notional)
   * are not applied to it locally, the venue judges it. Absent or false: every minimum applies.
   */
  closes_position?: boolean;
  leverage?: number;
}

export type SubmitResult =
  | { status: "ACCEPTED"; venue_order_id: string }
  | { status: "REJECTED"; event: VenueEvent }
  /** The request may or may not have executed; the adapter already tried to resolve it by query. */
  | { status: "UNKNOWN"; reason: string };

export type CancelResult =
  | { status: "REQUESTED" }
  | { status: "REJECTED"; event: VenueEvent }
  | { status: "UNKNOWN"; reason: string };

export interface VenueOrderState {
  venue_order_id: string;
  client_order_id: string;
  asset: string;
  side: OrderSide;
  position_side: PositionSide;
  type: OrderType;
  status: "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "EXPIRED";
  size: number;
  filled_size_cumulative: number;
  avg_price: number;
  fee_cumulative: number;
  updated_ms: number;
  /** When the venue created the order (venue ms), when its answer says: a reused client id finds old orders. */
  created_ms?: number;
}

export interface VenuePosition {
  asset: string;
  side: PositionSide;
  size: number;
  avg_price: number;
  unrealized_pnl: number;
  leverage: number;
}

export interface VenueBalance {
  asset: string;
  balance: number;
  equity: number;
  available_margin: number;
}

export interface ContractRules {
  asset: string;
  quantity_step: number;
  price_step: number;
  min_quantity: number;
  min_notional: number;
  max_leverage: number;
  /** Why the venue does not trade the contract now (e.g. "contract status 0"); absent while it trades. */
  not_trading?: string;
}

/**
 * An order a slot of the kernel names at start (its entry or exit, working or ended), as the launcher tells the
 * adapter after a restart (`rememberClientIds`): the kernel's client id, its venue order id ("" when the kernel never
 * heard one), the slot's asset, and when the kernel created it (local ms).
 */
export interface RestoredOrder {
  client_order_id: string;
  venue_order_id: string;
  asset: string;
  created_at_ms: number;
}

/**
 * How every adapter fails a call the venue refused for its rate limit (nothing was executed): the
 * thrown error carries `rate_limited: true` and, when the venue hinted, `retry_after_ms`.
 */
export interface RateLimitedFailure {
  readonly rate_limited: true;
  readonly retry_after_ms?: number;
}

/** The rate-limit refusal inside a thrown value, or null for any other failure. */
export function rateLimited(e: unknown): RateLimitedFailure | null {
  return typeof e === "object" && e !== null && (e as { rate_limited?: unknown }).rate_limited === true
    ? (e as RateLimitedFailure)
    : null;
}

/**
 * What an adapter's client-side rate throttle did (BingX; the mock has none). Waits are the time
 * a request spent queued for a token before it was sent; percentiles cover the last 4096 requests
 * (zeros included), totals cover the adapter's life.
 */
export interface VenueRateStats {
  /** Fraction of each venue limit the throttle uses. */
  margin: number;
  /** Requests sent through the throttle. */
  requests: number;
  /** Of those, how many waited for a token. */
  waited: number;
  wait_ms_total: number;
  wait_ms_p50: number;
  wait_ms_p99: number;
  wait_ms_max: number;
  /** Requests waiting now, and the most that ever waited at once. */
  queued: number;
  queued_max: number;
  /** Requests refused before sending (queue bound or wait bound), surfaced as RATE_LIMITED. */
  refused: number;
  /** 429 / 100410 answers the venue still gave. */
  rate_limited: number;
  /** Answers saying no request remained in the window (the budget paused until it ended). */
  exhausted: number;
}

/** A payload the adapter could not normalize: reported, never applied, never fatal. */
export interface VenueDiagnostic {
  code: "MALFORMED_PAYLOAD" | "STREAM_GAP" | "STREAM_RECONNECT" | "LOCAL_RULE" | "TIME_SYNC";
  message: string;
  details?: Record<string, unknown>;
}

/**
 * A symbol's leverage as the venue pushed it, whoever set it (BingX: the user stream's
 * ACCOUNT_CONFIG_UPDATE, at connect, on a change and periodically; the mock: when `setLeverage`
 * changes a value). Each leverage a whole number in 1..125; never a guessed number.
 */
export interface VenueLeverage {
  asset: string;
  long: number;
  short: number;
  margin_mode: "cross" | "isolated";
  venue_time_ms: number;
}

/**
 * The positions of one account change as the venue pushed them (BingX: the user stream's ACCOUNT_UPDATE
 * `a.P`: after a fill, a liquidation or ADL, a close on the exchange's page). `size` is the side's whole
 * position in base units, never negative (a one-way account's net position is read as its side, the
 * other side 0). A hint to reconcile at once, never the truth: live reconciliation reads the venue.
 */
export interface VenuePositionPush {
  asset: string;
  side: PositionSide;
  size: number;
}

export type VenueEventListener = (event: VenueEvent) => void;
export type VenueDiagnosticListener = (diagnostic: VenueDiagnostic) => void;
export type VenueLeverageListener = (pushed: VenueLeverage) => void;
export type VenuePositionListener = (pushed: readonly VenuePositionPush[]) => void;

export interface VenueAdapter {
  readonly name: "MOCK" | "BINGX";
  connect(): Promise<void>;
  close(): Promise<void>;
  submit(order: OrderRequest): Promise<SubmitResult>;
  cancel(asset: string, client_order_id: string): Promise<CancelResult>;
  /**
   * The order the venue holds under `client_order_id`. `created_at_ms`, when given: when the kernel
   * created its order (local ms, `OrderRecord.created_at_ms`); an order the venue created more than
   * a margin (clock error) before that is another one under a reused id, reported under the venue's
   * spelling, never the caller's (BingX; the mock's ids never outlive it: ignored there).
   */
  queryOrder(asset: string, client_order_id: string, created_at_ms?: number): Promise<VenueOrderState | null>;
  openOrders(asset?: string): Promise<VenueOrderState[]>;
  positions(asset?: string): Promise<VenuePosition[]>;
  balance(): Promise<VenueBalance>;
  contractRules(asset: string): Promise<ContractRules>;
  /** The rules loaded at connect, without a venue call; null for an asset not (yet) known. */
  knownRules(asset: string): ContractRules | null;
  /**
   * Whether the venue lists `asset`, by what the adapter holds (no venue call): true when it does
   * (trading or not: `knownRules` says), false only when the adapter holds the venue's whole list
   * of contracts and `asset` is not on it (an order for it could never be placed), null while it
   * holds no list (BingX: before connect read one). A later read of the list may add an asset.
   */
  knownListed(asset: string): boolean | null;
  /** The mark a MARKET order's notional is judged by locally, without a venue call; null when none is fresh. */
  knownMark(asset: string): number | null;
  setLeverage(asset: string, side: PositionSide, leverage: number): Promise<void>;
  /**
   * The leverage the venue holds now for `asset`, per side (a one-way account's one leverage is both
   * sides'; a side never set: the venue's default), whoever set it. A read: nothing changes. An answer
   * that is not a whole leverage within the contract's maximum fails (BingX: MALFORMED), never a
   * guessed number. Live reconciliation compares it with the leverage this process set.
   */
  leverageOf(asset: string): Promise<Record<PositionSide, number>>;
  onEvent(listener: VenueEventListener): () => void;
  onDiagnostic(listener: VenueDiagnosticListener): () => void;
  /**
   * Each leverage the venue pushes (a change made by anyone, this process included, or a periodic
   * repeat): a hint to check it at once, never the only way a change is seen (live reconciliation
   * reads it too). Returns the unsubscribe.
   */
  onLeverage(listener: VenueLeverageListener): () => void;
  /** Each change of positions the venue pushes (BingX only: ACCOUNT_UPDATE): a hint to reconcile at once. */
  onPositions?(listener: VenuePositionListener): () => void;
  /** True while the adapter can trade (connected, stream healthy). */
  connected(): boolean;
  /**
   * How long (ms) an order placed now would be refused for the rate limit without reaching the
   * venue, as the adapter already knows (BingX: an IP ban, a wait for the venue's retry hint past
   * the throttle's bound, a full queue; the mock: a refusal's hint still running), else null. The
   * runtime refuses ENTER and EXIT before the kernel meanwhile: a stop-loss re-sent through a long
   * rate limit must not spend the trade's exit legs on orders that are never sent.
   */
  orderHoldMs(): number | null;
  /**
   * At start, before `connect` (the journal's slots) and once the belief is restored: the orders the kernel's slots
   * name, so a later event of one (an order taken as ended that lands after the restart) carries the kernel's client id. BingX lower-cases client ids and its adapter
   * knows no spelling after a restart: an event under the venue's spelling is an UNKNOWN_ORDER to the kernel (or, routed
   * by venue order id, not that order's own). Another venue order under one of those ids (another venue order id, symbol,
   * or one created before the kernel's order) keeps the venue's spelling. Bounded; nothing is asked of the venue. The
   * mock has none (its orders never outlive it).
   */
  rememberClientIds?(orders: readonly RestoredOrder[]): void;
  /** The client-side rate throttle's counters, for adapters that have one. */
  rateStats?(): VenueRateStats;
  /**
   * Runs the order path's local steps (rules, signing, request bytes) on the last order, sending,
   * tracking and counting nothing, so they are warm in the CPU's caches when an order comes.
   */
  rehearseOrder?(): void;
}
