/**
 * Per-key, per-endpoint request budgets over a sliding one-second window of the sim clock, as
 * BingX limits by UID per endpoint (place order 10/s; cancel and query order 5/s; position mode
 * query and set 2/s each; close all positions, fill history and the wallet config 5/s, per the
 * public endpoint docs). A refused request answers HTTP 429 / code 100410 with the
 * `X-RateLimit-Requests-Remain` and `X-RateLimit-Requests-Expire` headers.
 *
 * Bound: each window keeps at most `limit` timestamps.
 */

export const DEFAULT_LIMITS_PER_S: Record<string, number> = {
  place_order: 10,
  test_order: 10,
  cancel_order: 5,
  cancel_all: 5,
  query_order: 5,
  open_orders: 5,
  all_orders: 5,
  positions: 5,
  balance: 5,
  leverage: 5,
  listen_key: 5,
  market: 50,
  fill_history: 5,
  close_all: 5,
  position_mode_read: 2,
  position_mode_write: 2,
  wallets: 5,
};

const WINDOW_MS = 1000;

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  expireMs: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly limits: Record<string, number>;

  constructor(overrides: Partial<Record<string, number>> = {}) {
    this.limits = { ...DEFAULT_LIMITS_PER_S };
    for (const [k, v] of Object.entries(overrides)) {
      if (typeof v === "number" && Number.isInteger(v) && v > 0) this.limits[k] = v;
    }
  }

  check(apiKey: string, endpoint: string, nowMs: number): RateDecision {
    const limit = this.limits[endpoint] ?? 10;
    const id = `${apiKey}\u0000${endpoint}`;
    const stamps = (this.windows.get(id) ?? []).filter((t) => nowMs - t < WINDOW_MS && t <= nowMs);
    const expireMs = (stamps[0] ?? nowMs) + WINDOW_MS;
    if (stamps.length >= limit) {
      this.windows.set(id, stamps);
      return { allowed: false, remaining: 0, expireMs };
    }
    stamps.push(nowMs);
    this.windows.set(id, stamps);
    return { allowed: true, remaining: limit - stamps.length, expireMs };
  }
}
