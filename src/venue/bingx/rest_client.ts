/**
 * BingX REST client: signs private requests (X-BX-APIKEY header, `timestamp` = clock + server
 * offset, `recvWindow`), enforces a timeout, reads the `{code,msg,data}` envelope with ids kept
 * as exact strings, and turns every failure into a `VenueRequestError` (see errors.ts).
 *
 * The server-time offset is measured at `syncTime()` (called at connect) and again whenever the
 * venue answers 100421, after which the refused request is sent once more (it was refused
 * unexecuted, so re-sending cannot duplicate it).
 *
 * Every request passes the throttle (_throttle.ts) first: it waits for a token of its endpoint's
 * budget group (endpoints.ts `rateOf`), holds it while in flight and returns it when answered. A
 * 429 / 109429 (100410 before) pauses that group until the venue's hint; a 418 (IP banned) pauses
 * every group until the hint or for BingX's 5 minutes; an answer with
 * `X-RateLimit-Requests-Remain: 0` pauses it until `X-RateLimit-Requests-Expire` (without one, for
 * the group's whole window).
 *
 * Secrets never leave this module except inside the HMAC and the API-key header: error messages
 * carry method, path, status and venue code/message only.
 *
 * Requests go out on kept-alive connections this thread writes itself (`http_wire.ts`): an
 * order's bytes leave in the caller's turn, not after a hand-over to another thread.
 *
 * Entry points: `new BingxRestClient(config)`, `request`, `syncTime`, `buildRequest`, `rateStats`, `refusedForMs`,
 * `close`.
 */

import type { Clock } from "../../contracts/clock.ts";
import type { VenueRateStats } from "../../contracts/venue.ts";
import { parseJsonSafe } from "./_safe_json.ts";
import { Throttle } from "./_throttle.ts";
import { DEFAULT_RATE_MARGIN } from "./config.ts";
import { PATHS, type RateGroup, type RatePriority, rateOf } from "./endpoints.ts";
import { classifyCode, redact, VenueRequestError } from "./errors.ts";
import { HttpWire } from "./http_wire.ts";
import { encodeParams, type Params, signQuery } from "./signer.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RestRequest {
  method: HttpMethod;
  path: string;
  params?: Params;
  signed?: boolean;
}

export interface RestClientConfig {
  apiKey: string;
  secret: string;
  baseUrl: string;
  recvWindowMs: number;
  clock: Clock;
  timeoutMs: number;
  /** Injected for tests; defaults to kept-alive connections written from this thread (http_wire.ts). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** The rate throttle; defaults to one at DEFAULT_RATE_MARGIN of BingX's limits, sleeping on real timers. */
  throttle?: Throttle;
}

export class BingxRestClient {
  private offsetMs = 0;
  private readonly doFetch: (url: string, init: RequestInit) => Promise<Response>;
  private readonly throttle: Throttle;
  /** The kept-alive connections to the venue (absent when a `fetch` is injected). */
  private readonly wire: HttpWire | null = null;

  constructor(private readonly cfg: RestClientConfig) {
    if (!(cfg.timeoutMs > 0 && cfg.timeoutMs <= 120_000))
      throw new Error(`Condition failed: timeoutMs must be within 1..120000, got ${cfg.timeoutMs}`);
    if (!(cfg.recvWindowMs >= 0 && cfg.recvWindowMs <= 60_000))
      throw new Error(`Condition failed: recvWindowMs must be within 0..60000, got ${cfg.recvWindowMs}`);
    if (cfg.fetch === undefined) this.wire = new HttpWire(cfg.baseUrl, { nowMs: () => cfg.clock.nowMs() });
    this.doFetch = cfg.fetch ?? this.wire!.fetch;
    this.throttle =
      cfg.throttle ??
      new Throttle({
        clock: cfg.clock,
        margin: DEFAULT_RATE_MARGIN,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      });
  }

  /** Closes the kept-alive connections (requests after this go through the global fetch). */
  close(): void {
    this.wire?.close();
  }

  /** What the throttle did so far. */
  rateStats(): VenueRateStats {
    return this.throttle.stats();
  }

  /** The estimated wait (ms) when the throttle would refuse a request of `rate` now (`Throttle.refusal`); else null. */
  refusedForMs(rate: { group: RateGroup; priority: RatePriority }): number | null {
    return this.throttle.refusal(rate.group, rate.priority)?.waitMs ?? null;
  }

  get timeOffsetMs(): number {
    return this.offsetMs;
  }

  /** Venue time as this client estimates it. */
  venueNowMs(): number {
    return this.cfg.clock.nowMs() + this.offsetMs;
  }

  /**
   * Measures the server-time offset (midpoint of the round trip). Returns the offset. The round
   * trip starts when the request leaves, after any wait for a rate token: the market group is
   * shared per IP and may be paused, and a wait counted in would shift the offset by half of it.
   */
  async syncTime(): Promise<number> {
    const sent = { atMs: 0 };
    const data = await this.send({ method: "GET", path: PATHS.serverTime, signed: false }, sent);
    const before = sent.atMs;
    const after = this.cfg.clock.nowMs();
    const serverTime = (data as { serverTime?: unknown } | null)?.serverTime;
    if (typeof serverTime !== "number" || !Number.isFinite(serverTime)) {
      throw new VenueRequestError("MALFORMED", `GET ${PATHS.serverTime}: serverTime missing or not a number`);
    }
    this.offsetMs = Math.round(serverTime - (before + after) / 2);
    return this.offsetMs;
  }

  /** Sends the request; on 100421 re-syncs time and sends it once more. Returns `data`. */
  async request(req: RestRequest): Promise<unknown> {
    try {
      return await this.send(req);
    } catch (err) {
      if (!(err instanceof VenueRequestError) || err.kind !== "TIME_SYNC" || req.signed === false) throw err;
      await this.syncTime();
      return await this.send(req);
    }
  }

  /** Signs `req` and builds its bytes as `send` would, and sends nothing (the path warmer's rehearsal). */
  rehearse(req: RestRequest): void {
    const { url, headers } = this.buildRequest(req, this.venueNowMs());
    this.wire?.rehearse(url, { method: req.method, headers });
  }

  /** The URL and headers a request would be sent with (pure; used by tests and the bench). */
  buildRequest(req: RestRequest, nowMs: number): { url: string; headers: Record<string, string> } {
    const headers: Record<string, string> = {};
    if (req.signed === false) {
      const q = encodeParams(req.params ?? {});
      return { url: `${this.cfg.baseUrl}${req.path}${q ? `?${q}` : ""}`, headers };
    }
    const params: Params = { ...req.params, timestamp: nowMs, recvWindow: this.cfg.recvWindowMs };
    const { query } = signQuery(params, this.cfg.secret);
    headers["X-BX-APIKEY"] = this.cfg.apiKey;
    return { url: `${this.cfg.baseUrl}${req.path}?${query}`, headers };
  }

  /** `sent.atMs` is set to the local time at which the request left (after the throttle's wait). */
  private async send(req: RestRequest, sent?: { atMs: number }): Promise<unknown> {
    const where = `${req.method} ${req.path}`;
    const { group, priority } = rateOf(req);
    // With budget to spare the token is taken synchronously: the request is written in the
    // caller's turn (an order leaves before the work queued behind it), not a microtask later.
    const lease = this.throttle.tryAcquire(group, priority) ?? (await this.throttle.acquire(group, priority, where));
    // Signed after the wait, so the timestamp is the sending time.
    const { url, headers } = this.buildRequest(req, this.venueNowMs());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.cfg.timeoutMs);
    let res: Response;
    let text: string;
    try {
      if (sent !== undefined) sent.atMs = this.cfg.clock.nowMs();
      res = await this.doFetch(url, { method: req.method, headers, signal: controller.signal });
      text = await res.text();
    } catch (err) {
      const aborted = controller.signal.aborted;
      const why = aborted
        ? `no answer within ${this.cfg.timeoutMs} ms`
        : `connection failed (${this.clean(errorName(err))})`;
      throw new VenueRequestError("UNKNOWN", `${where}: ${why}; outcome unknown`);
    } finally {
      clearTimeout(timer);
      lease.done();
    }
    return this.readResponse(where, group, res, text);
  }

  private readResponse(where: string, group: RateGroup, res: Response, text: string): unknown {
    const hint = retryAfterMs(res.headers, this.venueNowMs());
    if (res.status === 418) {
      this.throttle.ipBanned(hint);
      throw new VenueRequestError("RATE_LIMIT", `${where}: HTTP 418 IP banned after 429s`, 100410, 418, hint);
    }
    if (res.status === 429) {
      this.throttle.rateLimited(group, hint);
      throw new VenueRequestError("RATE_LIMIT", `${where}: HTTP 429 rate limited`, 100410, 429, hint);
    }
    if (res.headers.get("X-RateLimit-Requests-Remain")?.trim() === "0") this.throttle.exhausted(group, hint);
    if (res.status >= 500)
      throw new VenueRequestError("UNKNOWN", `${where}: HTTP ${res.status}; outcome unknown`, undefined, res.status);
    const body = parseJsonSafe(text);
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      const kind = res.status >= 400 ? "REJECT" : "MALFORMED";
      throw new VenueRequestError(kind, `${where}: HTTP ${res.status} with an unreadable body`, undefined, res.status);
    }
    const env = body as { code?: unknown; msg?: unknown; data?: unknown };
    if (env.code === undefined) {
      if (res.status >= 400)
        throw new VenueRequestError("REJECT", `${where}: HTTP ${res.status}`, undefined, res.status);
      return body;
    }
    // A number or decimal digits only: Number() reads null, "", false and [] as 0, a success.
    const digits = typeof env.code === "string" && /^-?\d{1,12}$/.test(env.code.trim());
    const code = typeof env.code === "number" ? env.code : digits ? Number(env.code) : Number.NaN;
    if (!Number.isFinite(code))
      throw new VenueRequestError("MALFORMED", `${where}: envelope code is not a number`, undefined, res.status);
    if (code === 0 && res.status < 400) return env.data;
    const msg = this.clean(typeof env.msg === "string" ? env.msg : "").slice(0, 300);
    const kind = classifyCode(code);
    if (kind === "RATE_LIMIT") this.throttle.rateLimited(group, hint);
    throw new VenueRequestError(
      kind,
      `${where}: code ${code} ${msg}`.trim(),
      code,
      res.status,
      kind === "RATE_LIMIT" ? hint : undefined,
    );
  }

  private clean(text: string): string {
    return redact(text, [this.cfg.secret, this.cfg.apiKey]);
  }
}

/**
 * Milliseconds until the rate-limit window ends. `X-RateLimit-Requests-Expire` is read as an
 * epoch-ms instant when it is that large, else as a duration in ms; `Retry-After` (seconds) is
 * the fallback. Undefined when the venue gave no usable hint.
 */
export function retryAfterMs(headers: Headers, venueNowMs: number): number | undefined {
  const expire = headers.get("X-RateLimit-Requests-Expire");
  if (expire !== null && /^\d{1,16}$/.test(expire.trim())) {
    const n = Number(expire.trim());
    return n >= 1e12 ? Math.max(0, n - venueNowMs) : n;
  }
  const after = headers.get("Retry-After");
  if (after !== null && /^\d{1,9}$/.test(after.trim())) return Number(after.trim()) * 1000;
  return undefined;
}

function errorName(err: unknown): string {
  // Transport errors may quote the URL (which carries the signature): keep only a URL-free gist.
  if (err instanceof Error)
    return err.name === "Error" ? err.message.replace(/\w+:\/\/\S+/g, "<url>").slice(0, 120) : err.name;
  return "error";
}
