/**
 * Request builders for every BingX endpoint the adapter uses (USDT-M perpetual, either position
 * mode). Each returns a `RestRequest` (method, path, params, signed); the REST client adds
 * timestamp, recvWindow and signature. Values are already exact decimal text (see
 * contract_rules.ts).
 *
 * Hedge mode: `positionSide` LONG/SHORT with `side` BUY/SELL says open or close (close long =
 * SELL+LONG), so `reduceOnly` is not sent (BingX: "not accepted for both long and short positions
 * mode"); the kernel's `reduce_only` is enforced by the side pairing.
 * One-way mode: `positionSide` BOTH ("required for single position as BOTH"), and an exit goes
 * with `reduceOnly=true` so it can never open the opposite side; leverage is set with side BOTH.
 *
 * Rate budgets live next to the endpoints so there is one list: `RATE_TABLE` gives every request
 * the adapter sends its budget group (BingX limits each endpoint per account UID and the public
 * ones per IP; bingx-sim enforces the same numbers under the same names) and its priority
 * (requests that change orders are served before reads waiting on the same budget). See src/venue/README.md for the sources.
 *
 * Entry points: `PATHS`, `placeOrder`, `cancelOrder`, `queryOrder`, `openOrders`, `positions`,
 * `balance`, `contracts`, `setLeverage`, `getLeverage`, `positionMode`, `premiumIndex`,
 * `listenKeyCreate`, `listenKeyExtend`, `listenKeyClose`, `serverTime`, `RATE_LIMITS_PER_S`,
 * `MARKET_BUDGET`, `RATE_BUDGETS`, `RATE_WINDOW_MS`, `SIGNED_IP_BUDGET`, `RATE_WAIT_MAX_MS`, `rateCapacities`, `rateOf`.
 */

import type { OrderSide, OrderType, PositionSide } from "../../contracts/venue.ts";
import type { RestRequest } from "./rest_client.ts";

export const PATHS = {
  order: "/openApi/swap/v2/trade/order",
  openOrders: "/openApi/swap/v2/trade/openOrders",
  positions: "/openApi/swap/v2/user/positions",
  balance: "/openApi/swap/v2/user/balance",
  contracts: "/openApi/swap/v2/quote/contracts",
  leverage: "/openApi/swap/v2/trade/leverage",
  premiumIndex: "/openApi/swap/v2/quote/premiumIndex",
  positionMode: "/openApi/swap/v1/positionSide/dual",
  listenKey: "/openApi/user/auth/userDataStream",
  serverTime: "/openApi/swap/v2/server/time",
} as const;

/** A budget BingX counts per account UID, one second at a time (each endpoint's page). */
export type UidRateGroup =
  | "place_order"
  | "cancel_order"
  | "query_order"
  | "open_orders"
  | "positions"
  | "balance"
  | "leverage"
  | "listen_key"
  | "position_mode_read";

/** A budget the venue counts separately: the per-UID groups, and `market`, BingX's per-IP market group. */
export type RateGroup = UidRateGroup | "market";

/** `order`: the request changes orders (place, cancel, set leverage); `query`: it only reads. */
export type RatePriority = "order" | "query";

/** The window of the per-UID budgets: a sliding second, as BingX states those limits. */
export const RATE_WINDOW_MS = 1000;

/**
 * Requests per second per UID group, from each endpoint's BingX page ("rate limitation by UID:
 * N/s"); bingx-sim enforces the same numbers under the same names (`DEFAULT_LIMITS_PER_S`).
 *
 * BingX also counts the signed endpoints per IP (`SIGNED_IP_BUDGET`): 2000 per 10 s in total and
 * 300 per 10 s per endpoint. Alone on its IP these numbers cannot exceed that: one group sends at
 * most 100 per 10 s, all together at most 470. Sharing the IP is `rateCapacities`' `share`.
 * (Raising `ThrottleOptions.limitsPerS` past 30/s for one group, or 200/s in total, at share 1
 * lifts that guarantee: for benchmarks against a raised sim only.)
 */
export const RATE_LIMITS_PER_S: Readonly<Record<UidRateGroup, number>> = {
  place_order: 10,
  cancel_order: 5,
  query_order: 5,
  open_orders: 5,
  positions: 5,
  balance: 5,
  leverage: 5,
  listen_key: 5,
  position_mode_read: 2,
};

/**
 * The market group (every public endpoint) is limited per IP twice, 500 per 10 s and 1000 per
 * minute, and a client past either is refused for about 5 minutes. One budget keeps both: 500
 * per 60 s window. A bucket never lets more than its capacity into one window (a token comes back
 * a full window after its answer), so no minute, and no 10 s inside one, sees more than
 * 500 × margin. (50 per second kept the 10 s limit but let 3000 through in a minute. Two buckets,
 * 500 per 10 s and 1000 per minute, would allow twice the sustained rate for twice the code; the
 * adapter reads market data at connect and after placements only, far below either.)
 * A 429 without a hint pauses the group for the 5-minute restriction, not one window; an answer
 * saying none remain (another client on the IP) frees one token at its hint (_throttle.ts).
 */
export const MARKET_BUDGET = { limit: 500, windowMs: 60_000, restrictedMs: 300_000, oneAtHint: true } as const;

/** Every group's limit, its window, how long a refusal without a hint lasts, and Remain 0 handling. */
export interface RateBudget {
  limit: number;
  windowMs: number;
  restrictedMs: number;
  oneAtHint: boolean;
}

export const RATE_BUDGETS: Readonly<Record<RateGroup, RateBudget>> = {
  ...(Object.fromEntries(
    Object.entries(RATE_LIMITS_PER_S).map(([g, limit]) => [
      g,
      { limit, windowMs: RATE_WINDOW_MS, restrictedMs: RATE_WINDOW_MS, oneAtHint: false },
    ]),
  ) as Record<UidRateGroup, RateBudget>),
  market: MARKET_BUDGET,
};

/** BingX's per-IP limits of the signed endpoints: per `windowMs`, one endpoint and all of them together. */
export const SIGNED_IP_BUDGET = { perEndpoint: 300, total: 2000, windowMs: 10_000 } as const;

/** How many kernels or other clients may share one IP (DITA_V2_BINGX_IP_SHARE). */
export const IP_SHARE_MAX = 64;

/** One group's bucket: `capacity` tokens, each back one `windowMs` after its answer. */
export interface GroupCapacity {
  capacity: number;
  windowMs: number;
}

/**
 * Each group's bucket when `share` clients (1..IP_SHARE_MAX) send from this IP and each budgets
 * the same way, from the venue's `limits` (per window of `RATE_BUDGETS`) and the `margin`:
 * - market: floor(limit × margin / share) per 60 s (at least 1), so the IP sees at most 500 × margin.
 * - signed, share 1: floor(limit × margin) per second (at least 1), unchanged; the defaults fit.
 * - signed, share > 1: per 10 s each group's floor(limit × margin) × 10 is capped at
 *   floor(300 / share), then all are scaled down proportionally (floors, at least 1 each, the largest
 *   trimmed until they fit) to sum to at most floor(2000 / share). The IP then sees at most 300 per
 *   endpoint and 2000 in all. n ≥ 10 per 10 s is floor(n / 10) per second; n < 10 is 1 per
 *   ceil(10 000 / n) ms (at most n in any 10 s), since 1 per second would break the limit at large shares.
 */
export function rateCapacities(
  limits: Readonly<Record<RateGroup, number>>,
  margin: number,
  share: number,
): Record<RateGroup, GroupCapacity> {
  if (!(Number.isInteger(share) && share >= 1 && share <= IP_SHARE_MAX))
    throw new Error(`Invariant: IP share must be an integer in 1..${IP_SHARE_MAX}, got ${share}`);
  const perWindow = (limit: number, div: number) => Math.max(1, Math.floor((limit * margin) / div + 1e-9));
  const { perEndpoint, total, windowMs } = SIGNED_IP_BUDGET;
  const seconds = windowMs / RATE_WINDOW_MS;
  // Each signed group's requests per 10 s.
  const per = new Map(
    (Object.keys(RATE_LIMITS_PER_S) as UidRateGroup[]).map((g) => [g, perWindow(limits[g], 1) * seconds]),
  );
  if (share > 1) {
    for (const [g, n] of per) per.set(g, Math.max(1, Math.min(n, Math.floor(perEndpoint / share))));
    const cap = Math.floor(total / share);
    const sum = sumOf(per);
    if (sum > cap) for (const [g, n] of per) per.set(g, Math.max(1, Math.floor((n * cap) / sum)));
    // Floors of at least 1 may still overshoot: trim the largest (cap >= 31 >= the number of groups).
    for (let over = sumOf(per) - cap; over > 0; over--) {
      const [g, n] = [...per].reduce((a, b) => (b[1] > a[1] ? b : a));
      per.set(g, Math.max(1, n - 1));
    }
  }
  const out: Partial<Record<RateGroup, GroupCapacity>> = {
    market: { capacity: perWindow(limits.market, share), windowMs: MARKET_BUDGET.windowMs },
  };
  for (const [g, n] of per)
    out[g] =
      n >= seconds
        ? { capacity: Math.floor(n / seconds), windowMs: RATE_WINDOW_MS }
        : { capacity: 1, windowMs: Math.ceil(windowMs / n) };
  return out as Record<RateGroup, GroupCapacity>;
}

function sumOf(m: Map<unknown, number>): number {
  let s = 0;
  for (const n of m.values()) s += n;
  return s;
}

/** How long the adapter's throttle lets a request wait for its budget (its default `waitMaxMs`); past it, refused at once. */
export const RATE_WAIT_MAX_MS = 10_000;

// biome-ignore format: one row per endpoint, aligned as a table
const RATE_TABLE: ReadonlyArray<[method: string, path: string, group: RateGroup, priority: RatePriority]> = [
  ["POST",   PATHS.order,          "place_order",        "order"],
  ["DELETE", PATHS.order,          "cancel_order",       "order"],
  ["GET",    PATHS.order,          "query_order",        "query"],
  ["GET",    PATHS.openOrders,     "open_orders",        "query"],
  ["GET",    PATHS.positions,      "positions",          "query"],
  ["GET",    PATHS.balance,        "balance",            "query"],
  ["POST",   PATHS.leverage,       "leverage",           "order"], // set before an entry is placed
  ["GET",    PATHS.leverage,       "leverage",           "query"],
  ["GET",    PATHS.positionMode,   "position_mode_read", "query"],
  ["POST",   PATHS.listenKey,      "listen_key",         "query"],
  ["PUT",    PATHS.listenKey,      "listen_key",         "query"],
  ["DELETE", PATHS.listenKey,      "listen_key",         "query"],
  ["GET",    PATHS.contracts,      "market",             "query"],
  ["GET",    PATHS.premiumIndex,   "market",             "query"],
  ["GET",    PATHS.serverTime,     "market",             "query"],
];

const RATES = new Map(RATE_TABLE.map(([m, path, group, priority]) => [`${m} ${path}`, { group, priority }]));

/** The budget group and priority of a request; an endpoint missing from the table is a programmer error. */
export function rateOf(req: RestRequest): { group: RateGroup; priority: RatePriority } {
  const r = RATES.get(`${req.method} ${req.path}`);
  if (r === undefined) throw new Error(`Invariant: ${req.method} ${req.path} has no rate group in RATE_TABLE`);
  return r;
}

export interface PlaceOrderParams {
  symbol: string;
  side: OrderSide;
  /** LONG/SHORT in hedge mode, BOTH in one-way mode. */
  positionSide: PositionSide | "BOTH";
  type: OrderType;
  quantity: string;
  price?: string;
  clientOrderID: string;
  /** One-way mode only: true for an order that may only reduce the position. */
  reduceOnly?: boolean;
}

export function placeOrder(p: PlaceOrderParams): RestRequest {
  const params: Record<string, string> = {
    symbol: p.symbol,
    side: p.side,
    positionSide: p.positionSide,
    type: p.type,
    quantity: p.quantity,
    clientOrderID: p.clientOrderID,
  };
  if (p.positionSide === "BOTH") params.reduceOnly = p.reduceOnly === true ? "true" : "false";
  else if (p.reduceOnly !== undefined) throw new Error("Invariant: reduceOnly is sent in one-way mode only");
  if (p.type === "LIMIT") {
    if (p.price === undefined) throw new Error("Invariant: a LIMIT order needs a price");
    params.price = p.price;
    params.timeInForce = "GTC";
  }
  return { method: "POST", path: PATHS.order, params };
}

export function cancelOrder(symbol: string, clientOrderID: string): RestRequest {
  return { method: "DELETE", path: PATHS.order, params: { symbol, clientOrderID } };
}

export function queryOrder(symbol: string, clientOrderID: string): RestRequest {
  return { method: "GET", path: PATHS.order, params: { symbol, clientOrderID } };
}

export function openOrders(symbol?: string): RestRequest {
  return { method: "GET", path: PATHS.openOrders, params: symbol ? { symbol } : {} };
}

export function positions(symbol?: string): RestRequest {
  return { method: "GET", path: PATHS.positions, params: symbol ? { symbol } : {} };
}

export function balance(): RestRequest {
  return { method: "GET", path: PATHS.balance, params: {} };
}

export function contracts(): RestRequest {
  return { method: "GET", path: PATHS.contracts, params: {}, signed: false };
}

export function setLeverage(symbol: string, side: PositionSide | "BOTH", leverage: number): RestRequest {
  if (!(Number.isInteger(leverage) && leverage >= 1 && leverage <= 150))
    throw new Error(`Condition failed: leverage must be an integer in 1..150, got ${leverage}`);
  return { method: "POST", path: PATHS.leverage, params: { symbol, side, leverage } };
}

export function getLeverage(symbol: string): RestRequest {
  return { method: "GET", path: PATHS.leverage, params: { symbol } };
}

export function positionMode(): RestRequest {
  return { method: "GET", path: PATHS.positionMode, params: {} };
}

export function premiumIndex(symbol: string): RestRequest {
  return { method: "GET", path: PATHS.premiumIndex, params: { symbol }, signed: false };
}

export function listenKeyCreate(): RestRequest {
  return { method: "POST", path: PATHS.listenKey, params: {} };
}

export function listenKeyExtend(listenKey: string): RestRequest {
  return { method: "PUT", path: PATHS.listenKey, params: { listenKey } };
}

export function listenKeyClose(listenKey: string): RestRequest {
  return { method: "DELETE", path: PATHS.listenKey, params: { listenKey } };
}

export function serverTime(): RestRequest {
  return { method: "GET", path: PATHS.serverTime, signed: false };
}
