/**
 * Fault knobs: defaults (all off), validation of `POST /_sim/faults` patches, and the counters
 * that consume "next n" faults. The `SimFaults` object is shared and live-mutable: tests may set
 * `handle.faults.http_5xx = 2` directly or post a JSON patch; both take effect on the next request.
 *
 * Order-status and ban knobs (none is BingX's normal path): `pending_ms` holds each placement
 * PENDING that long on the sim clock; `reject_orders` has the engine reject the next n accepted
 * placements (REJECTED); `ip_ban` starts BingX's IP ban (HTTP 418 to everything for 5 minutes).
 *
 * Bounds: latency_ms ≤ 30000, pending_ms ≤ 60000, counts ≤ 1_000_000, partial_fill_legs in 1..100,
 * fill_price_skew in [-0.5, 0.5], fill_qty_skew in [-0.9, 1].
 *
 * `fill_price_skew` and `fill_qty_skew` are for auditor canaries: they make the exchange lie
 * (reported fill price off the book's; position moved by more or less than the reported fill), so
 * an auditor that compares reports with the exchange's truth has something to find.
 */

import type { SimFaults } from "./types.ts";

export const LATENCY_MS_MAX = 30_000;
const COUNT_MAX = 1_000_000;
export const PARTIAL_LEGS_MAX = 100;
export const PENDING_MS_MAX = 60_000;
const SKEW_BOUNDS = { fill_price_skew: [-0.5, 0.5], fill_qty_skew: [-0.9, 1] } as const;

export function defaultFaults(): SimFaults {
  return {
    latency_ms: 0,
    drop_responses: 0,
    http_5xx: 0,
    rate_limit: { count: 0, retry_hint: false },
    duplicate_events: false,
    reorder_events: false,
    stream_disconnect: 0,
    partial_fill_legs: 1,
    cancel_reject: false,
    fill_price_skew: 0,
    fill_qty_skew: 0,
    pending_ms: 0,
    reject_orders: 0,
    ip_ban: { count: 0, retry_hint: false },
  };
}

/** Applies a JSON patch; returns an error sentence, or null when every field was valid. */
export function applyFaultPatch(faults: SimFaults, patch: unknown): string | null {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return "faults patch must be a JSON object";
  const next: SimFaults = { ...faults, rate_limit: { ...faults.rate_limit } };
  if (faults.ip_ban) next.ip_ban = { ...faults.ip_ban };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    const problem = applyOne(next, key, value);
    if (problem) return problem;
  }
  Object.assign(faults, next);
  return null;
}

function applyOne(f: SimFaults, key: string, value: unknown): string | null {
  switch (key) {
    case "latency_ms":
      return setCount(f, key, value, LATENCY_MS_MAX);
    case "drop_responses":
    case "http_5xx":
    case "stream_disconnect":
    case "reject_orders":
      return setCount(f, key, value, COUNT_MAX);
    case "pending_ms":
      return setCount(f, key, value, PENDING_MS_MAX);
    case "ip_ban": {
      const v = value as { count?: unknown; retry_hint?: unknown } | null;
      if (!v || typeof v !== "object" || !isInt(v.count, 0, COUNT_MAX)) return "ip_ban needs {count, retry_hint}";
      if (v.retry_hint !== undefined && typeof v.retry_hint !== "boolean") return "ip_ban.retry_hint must be a boolean";
      f.ip_ban = { count: v.count, retry_hint: v.retry_hint === true };
      return null;
    }
    case "partial_fill_legs": {
      if (!isInt(value, 1, PARTIAL_LEGS_MAX)) return `partial_fill_legs must be an integer in 1..${PARTIAL_LEGS_MAX}`;
      f.partial_fill_legs = value;
      return null;
    }
    case "duplicate_events":
    case "reorder_events":
    case "cancel_reject":
      if (typeof value !== "boolean") return `${key} must be a boolean`;
      f[key] = value;
      return null;
    case "fill_price_skew":
    case "fill_qty_skew": {
      const [lo, hi] = SKEW_BOUNDS[key];
      if (typeof value !== "number" || !Number.isFinite(value) || value < lo || value > hi)
        return `${key} must be a number in ${lo}..${hi}`;
      f[key] = value;
      return null;
    }
    case "rate_limit": {
      const v = value as { count?: unknown; retry_hint?: unknown } | null;
      if (!v || typeof v !== "object" || !isInt(v.count, 0, COUNT_MAX)) return "rate_limit needs {count, retry_hint}";
      if (v.retry_hint !== undefined && typeof v.retry_hint !== "boolean")
        return "rate_limit.retry_hint must be a boolean";
      f.rate_limit = { count: v.count, retry_hint: v.retry_hint === true };
      return null;
    }
    default:
      return `unknown fault ${key}`;
  }
}

function setCount(
  f: SimFaults,
  key: "latency_ms" | "drop_responses" | "http_5xx" | "stream_disconnect" | "reject_orders" | "pending_ms",
  value: unknown,
  max: number,
): string | null {
  if (!isInt(value, 0, max)) return `${key} must be an integer in 0..${max}`;
  f[key] = value;
  return null;
}

function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
}

/** Consumes one unit of a "next n" counter; true when the fault fires for this request. */
export function takeOne(f: SimFaults, key: "drop_responses" | "http_5xx" | "reject_orders"): boolean {
  const n = f[key];
  if (!(typeof n === "number" && n > 0)) return false;
  f[key] = n - 1;
  return true;
}

export function takeRateLimit(f: SimFaults): boolean {
  if (!(f.rate_limit.count > 0)) return false;
  f.rate_limit = { ...f.rate_limit, count: f.rate_limit.count - 1 };
  return true;
}

/** Consumes one IP ban to start; true when this request starts one. */
export function takeIpBan(f: SimFaults): boolean {
  if (!(f.ip_ban && f.ip_ban.count > 0)) return false;
  f.ip_ban = { ...f.ip_ban, count: f.ip_ban.count - 1 };
  return true;
}

export function legsOf(f: SimFaults): number {
  const n = f.partial_fill_legs;
  return Number.isInteger(n) && n >= 1 ? Math.min(n, PARTIAL_LEGS_MAX) : 1;
}
