/**
 * Request budgets on the sim clock, as BingX counts them (BingX API docs, "Rate limit"; the
 * adapter's side is src/venue/README.md):
 * - per account UID, each endpoint its own budget over a sliding one-second window
 *   (`DEFAULT_LIMITS_PER_S`: place order 10/s; cancel and query order 5/s; position mode query
 *   and set 2/s each; close all positions, fill history and the wallet config 5/s, per the public
 *   endpoint docs). A refusal lifts when its window ends, which the headers announce.
 * - per IP, grouped: the market group (every public endpoint) 500 requests per 10 s and 1000
 *   per minute in total; the account group (every signed or API-key endpoint) 2000 per 10 s in
 *   total and 300 per 10 s per endpoint (method + path). "A throttled client is restricted and
 *   recovers after about 5 minutes": a request past an IP limit is refused and that limit (the
 *   market group, the account total, or the one endpoint) stays refused for `IP_RESTRICTION_MS`.
 * A request refused by its UID budget still counts in its IP windows (it reached the venue).
 * Refusals answer HTTP 429 / code 100410 with `X-RateLimit-Requests-Remain: 0` and
 * `X-RateLimit-Requests-Expire` = when the refusal lifts (server.ts).
 *
 * Bounds: each window keeps at most its limit of timestamps; one restriction per IP scope.
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
  fill_history: 5,
  close_all: 5,
  position_mode_read: 2,
  position_mode_write: 2,
  wallets: 5,
};

/** BingX's per-IP groups: the public market endpoints, and the account (signed) endpoints. */
export type IpGroup = "market" | "account";

/** How long an IP limit stays refused once a request went past it ("about 5 minutes"). */
export const IP_RESTRICTION_MS = 300_000;

interface IpLimit {
  scope: string;
  windowMs: number;
  limit: number;
}

const UID_WINDOW_MS = 1000;

function ipLimits(group: IpGroup, endpoint: string): IpLimit[] {
  if (group === "market")
    return [
      { scope: "ip:market", windowMs: 10_000, limit: 500 },
      { scope: "ip:market", windowMs: 60_000, limit: 1000 },
    ];
  return [
    { scope: "ip:account", windowMs: 10_000, limit: 2000 },
    { scope: `ip:account:${endpoint}`, windowMs: 10_000, limit: 300 },
  ];
}

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  expireMs: number;
}

/** Which request is being counted: its UID bucket (router.ts), IP group and method + path. */
export interface RateSubject {
  apiKey: string;
  bucket: string;
  group: IpGroup;
  endpoint: string;
}

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly restrictedUntil = new Map<string, number>();
  private readonly limits: Record<string, number>;

  /** `ip`: BingX's per-IP group limits (off only for load runs, SimOptions.ipLimits). */
  constructor(
    overrides: Partial<Record<string, number>> = {},
    private readonly ip = true,
  ) {
    this.limits = { ...DEFAULT_LIMITS_PER_S };
    for (const [k, v] of Object.entries(overrides)) {
      if (typeof v === "number" && Number.isInteger(v) && v > 0) this.limits[k] = v;
    }
  }

  check(s: RateSubject, nowMs: number): RateDecision {
    const ip = this.ip ? ipLimits(s.group, s.endpoint) : [];
    for (const l of ip) {
      const until = this.restrictedUntil.get(l.scope);
      if (until !== undefined && nowMs < until) return { allowed: false, remaining: 0, expireMs: until };
      if (until !== undefined) this.restrictedUntil.delete(l.scope);
    }
    for (const l of ip) {
      if (this.recent(l.scope, l.windowMs, nowMs).length < l.limit) continue;
      const until = nowMs + IP_RESTRICTION_MS;
      this.restrictedUntil.set(l.scope, until);
      return { allowed: false, remaining: 0, expireMs: until };
    }
    let ipDecision: RateDecision | undefined;
    for (const scope of new Set(ip.map((l) => l.scope))) {
      const keep = Math.max(...ip.filter((l) => l.scope === scope).map((l) => l.limit));
      this.record(scope, nowMs, keep);
    }
    for (const l of ip) {
      const stamps = this.recent(l.scope, l.windowMs, nowMs);
      const d = { allowed: true, remaining: l.limit - stamps.length, expireMs: (stamps[0] ?? nowMs) + l.windowMs };
      if (ipDecision === undefined || d.remaining < ipDecision.remaining) ipDecision = d;
    }
    const uidLimit = this.limits[s.bucket];
    if (uidLimit === undefined) return ipDecision as RateDecision;
    const id = `uid:${s.apiKey}\u0000${s.bucket}`;
    const stamps = this.recent(id, UID_WINDOW_MS, nowMs);
    const expireMs = (stamps[0] ?? nowMs) + UID_WINDOW_MS;
    if (stamps.length >= uidLimit) return { allowed: false, remaining: 0, expireMs };
    this.record(id, nowMs, uidLimit);
    return { allowed: true, remaining: uidLimit - stamps.length - 1, expireMs };
  }

  /** Timestamps of `id` within the last `windowMs` (oldest first). */
  private recent(id: string, windowMs: number, nowMs: number): number[] {
    return (this.windows.get(id) ?? []).filter((t) => nowMs - t < windowMs && t <= nowMs);
  }

  /** Adds `nowMs` to `id`, keeping at most `keep` timestamps, none in the future of `nowMs`. */
  private record(id: string, nowMs: number, keep: number): void {
    const stamps = (this.windows.get(id) ?? []).filter((t) => t <= nowMs);
    stamps.push(nowMs);
    this.windows.set(id, stamps.length > keep ? stamps.slice(stamps.length - keep) : stamps);
  }
}
