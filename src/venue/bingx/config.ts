/**
 * BingX adapter configuration and the live-venue guard.
 *
 * `bingxConfigFromEnv` reads BINGX_API_KEY, BINGX_API_SECRET, BINGX_BASE_URL (default: the VST
 * demo host) and BINGX_WS_URL (default: the VST swap stream, as published by third-party
 * clients; confirm before live use), and answers a one-line error naming the variable when one
 * is missing or invalid. The error text never contains a key or secret value.
 * DITA_V2_BINGX_RATE_MARGIN (default 0.8) is the fraction of each BingX rate limit the adapter's
 * throttle uses: a decimal in (0, 1]. DITA_V2_BINGX_IP_SHARE (default 1) is how many kernels or
 * other BingX clients send from this host's IP: an integer in 1..64; the throttle divides BingX's
 * per-IP limits by it (endpoints.ts `rateCapacities`).
 *
 * `contractsRefreshMs` (no environment variable; default 10 minutes) is how often the adapter reads
 * the contract list again in the background (_contracts_refresh.ts): an integer in 1 s..24 h.
 *
 * Nothing live is contacted by accident: the adapter refuses a non-loopback URL unless the
 * config says `allowLive`, which `bingxConfigFromEnv` sets only when `assertLiveAllowed(env)`
 * passes (BINGX_SMOKE_LIVE=1 and both keys set).
 *
 * Entry points: `BingxConfig`, `bingxConfigFromEnv`, `bingxTuningError`, `parseIpShare`, `assertLiveAllowed`,
 * `isLoopbackUrl`, `contractsRefreshMs`.
 */

import type { Clock } from "../../contracts/clock.ts";
import { IP_SHARE_MAX } from "./endpoints.ts";

/** Fraction of each BingX rate limit the adapter uses unless DITA_V2_BINGX_RATE_MARGIN says otherwise. */
export const DEFAULT_RATE_MARGIN = 0.8;

export const VST_BASE_URL = "https://open-api-vst.bingx.com";
export const VST_WS_URL = "wss://vst-open-api-ws.bingx.com/swap-market";

export interface BingxConfig {
  apiKey: string;
  secret: string;
  baseUrl: string;
  wsUrl: string;
  recvWindowMs: number;
  clock: Clock;
  timeoutMs: number;
  /** Permit non-loopback hosts. Only `bingxConfigFromEnv` under BINGX_SMOKE_LIVE=1 sets it. */
  allowLive?: boolean;
  /** Fraction of each BingX rate limit the throttle uses, in (0, 1]; DEFAULT_RATE_MARGIN when absent. */
  rateMargin?: number;
  /** How many BingX clients send from this IP (1..64); 1 when absent. */
  ipShare?: number;
  /** How often the contract list is read again, ms in 1_000..86_400_000; DEFAULT_CONTRACTS_REFRESH_MS when absent. */
  contractsRefreshMs?: number;
}

/** The contract list is read again every 10 minutes unless the config says otherwise. */
export const DEFAULT_CONTRACTS_REFRESH_MS = 600_000;

/** The config's refresh interval, or a one-line error for a value out of bounds. */
export function contractsRefreshMs(config: BingxConfig): number {
  const ms = config.contractsRefreshMs ?? DEFAULT_CONTRACTS_REFRESH_MS;
  if (!(Number.isInteger(ms) && ms >= 1_000 && ms <= 86_400_000))
    throw new Error(
      `Condition failed: contractsRefreshMs must be an integer in 1000..86400000 (ms between reads of the contract list), got ${String(ms).slice(0, 40)}`,
    );
  return ms;
}

export type Env = Record<string, string | undefined>;

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  } catch {
    return false;
  }
}

/** Throws a one-line error unless BINGX_SMOKE_LIVE=1 and both keys are set. */
export function assertLiveAllowed(env: Env): void {
  if (env.BINGX_SMOKE_LIVE !== "1")
    throw new Error("Condition failed: live BingX is off; set BINGX_SMOKE_LIVE=1 to allow it");
  for (const name of ["BINGX_API_KEY", "BINGX_API_SECRET"] as const) {
    if (!env[name] || env[name]?.trim() === "")
      throw new Error(`Condition failed: ${name} is not set (required when BINGX_SMOKE_LIVE=1)`);
  }
}

export function bingxConfigFromEnv(
  env: Env,
  clock: Clock,
): { ok: true; config: BingxConfig } | { ok: false; error: string } {
  const apiKey = env.BINGX_API_KEY?.trim() ?? "";
  const secret = env.BINGX_API_SECRET?.trim() ?? "";
  if (apiKey === "") return { ok: false, error: "BINGX_API_KEY is not set" };
  if (!/^[\x21-\x7e]{8,256}$/.test(apiKey))
    return { ok: false, error: "BINGX_API_KEY is malformed (expected 8–256 printable characters)" };
  if (secret === "") return { ok: false, error: "BINGX_API_SECRET is not set" };
  if (!/^[\x21-\x7e]{8,256}$/.test(secret))
    return { ok: false, error: "BINGX_API_SECRET is malformed (expected 8–256 printable characters)" };
  const baseUrl = (env.BINGX_BASE_URL?.trim() || VST_BASE_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+$/.test(baseUrl))
    return { ok: false, error: `BINGX_BASE_URL must be an http(s) origin without a path, got ${baseUrl.slice(0, 80)}` };
  const wsUrl = env.BINGX_WS_URL?.trim() || VST_WS_URL;
  if (!/^wss?:\/\/\S+$/.test(wsUrl))
    return { ok: false, error: `BINGX_WS_URL must be a ws(s) URL, got ${wsUrl.slice(0, 80)}` };
  const rateMargin = parseRateMargin(env.DITA_V2_BINGX_RATE_MARGIN);
  if (typeof rateMargin === "string") return { ok: false, error: rateMargin };
  const ipShare = parseIpShare(env.DITA_V2_BINGX_IP_SHARE);
  if (typeof ipShare === "string") return { ok: false, error: ipShare };
  let allowLive = false;
  try {
    assertLiveAllowed(env);
    allowLive = true;
  } catch {
    allowLive = false;
  }
  return {
    ok: true,
    config: {
      apiKey,
      secret,
      baseUrl,
      wsUrl,
      recvWindowMs: 5000,
      clock,
      timeoutMs: 10_000,
      allowLive,
      rateMargin,
      ipShare,
    },
  };
}

/**
 * The one-line error of a bad DITA_V2_BINGX_RATE_MARGIN or DITA_V2_BINGX_IP_SHARE, or null. The
 * launcher checks them whatever the venue: a MOCK configuration that starts must not carry a value
 * the same configuration switched to BINGX refuses.
 */
export function bingxTuningError(env: Env): { variable: string; sentence: string } | null {
  const margin = parseRateMargin(env.DITA_V2_BINGX_RATE_MARGIN);
  if (typeof margin === "string") return { variable: "DITA_V2_BINGX_RATE_MARGIN", sentence: margin };
  const share = parseIpShare(env.DITA_V2_BINGX_IP_SHARE);
  if (typeof share === "string") return { variable: "DITA_V2_BINGX_IP_SHARE", sentence: share };
  return null;
}

/** The margin as a number, or the one-line error (naming the variable) for a bad value. */
function parseRateMargin(raw: string | undefined): number | string {
  const text = raw?.trim() ?? "";
  if (text === "") return DEFAULT_RATE_MARGIN;
  const n = /^(0|1)?(\.\d{1,6})?$/.test(text) && text !== "." ? Number(text) : Number.NaN;
  if (!(n > 0 && n <= 1))
    return `DITA_V2_BINGX_RATE_MARGIN must be a decimal in (0, 1] (the fraction of each BingX rate limit the adapter uses), got ${JSON.stringify(text.slice(0, 40))}`;
  return n;
}

/** The share as a number, or the one-line error (naming the variable) for a bad value. */
export function parseIpShare(raw: string | undefined): number | string {
  const text = raw?.trim() ?? "";
  if (text === "") return 1;
  const n = /^\d{1,2}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= IP_SHARE_MAX))
    return `DITA_V2_BINGX_IP_SHARE must be an integer in 1..${IP_SHARE_MAX} (how many kernels or other BingX clients send from this host's IP), got ${JSON.stringify(text.slice(0, 40))}`;
  return n;
}

/** Refuses non-loopback URLs unless the config allows live venues. */
export function assertUrlsAllowed(config: BingxConfig): void {
  if (config.allowLive === true) return;
  for (const [name, url] of [
    ["baseUrl", config.baseUrl],
    ["wsUrl", config.wsUrl],
  ] as const) {
    if (!isLoopbackUrl(url)) {
      throw new Error(
        `Condition failed: ${name} ${url.slice(0, 80)} is not loopback; a live venue needs BINGX_SMOKE_LIVE=1 (assertLiveAllowed)`,
      );
    }
  }
}
