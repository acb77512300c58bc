/**
 * The HTTP/WebSocket front of the sim on 127.0.0.1 (Bun.serve). Request pipeline for
 * `/openApi/...`: count → housekeeping → injected latency → injected IP ban (418, `ip_ban`) →
 * route → injected rate limit (429)
 * → injected 5xx (500, not executed) → parameters → authentication → rate limits: BingX's
 * per-IP groups, then the per-UID endpoint budget (429 / 100410, rate_limit.ts) → handler →
 * envelope; after an executed placement, `drop_responses` turns the answer into an unknown
 * outcome (a 504 or a reset connection, chosen by the seeded rng).
 * Every answer that passed the rate limit carries `X-RateLimit-Requests-Remain` and
 * `X-RateLimit-Requests-Expire` (epoch ms) as BingX documents; every 429 is counted.
 * `/swap-market?listenKey=` upgrades to the user-data stream; `/_sim/...` is the admin API.
 * No input can crash the server: unexpected exceptions answer 500 / 100500.
 */

import type { Server } from "bun";
import { envelope, errorEnvelope, jsonResponse, RawAnswer } from "./_http.ts";
import { adminRoute } from "./admin.ts";
import type { SimCore } from "./core.ts";
import { Code, Message, SimError } from "./errors.ts";
import { takeIpBan, takeOne, takeRateLimit } from "./faults.ts";
import { readParams } from "./params.ts";
import { IP_RESTRICTION_MS } from "./rate_limit.ts";
import { lookup, type Route } from "./router.ts";
import { verifyRequest } from "./signing.ts";
import type { SocketData } from "./stream.ts";

export function serve(core: SimCore, port: number): Server<SocketData> {
  return Bun.serve<SocketData>({
    hostname: "127.0.0.1",
    port,
    fetch: (req, server) => handle(core, req, server),
    websocket: core.stream.websocketHandlers(),
    error: () => errorEnvelope(500, Code.INTERNAL, Message[Code.INTERNAL] ?? "error"),
  });
}

async function handle(core: SimCore, req: Request, server: Server<SocketData>): Promise<Response | undefined> {
  const url = new URL(req.url);
  if (url.pathname.startsWith("/_sim/")) return adminRoute(core, req, url);
  core.housekeeping();
  if (url.pathname === "/swap-market") return upgrade(core, req, url, server);
  core.counters.requests++;
  if (core.faults.latency_ms > 0) await Bun.sleep(core.faults.latency_ms);
  try {
    return await api(core, req, url);
  } catch (err) {
    if (err instanceof SimError) return errorEnvelope(200, err.code, err.message);
    return errorEnvelope(500, Code.INTERNAL, Message[Code.INTERNAL] ?? "error");
  }
}

async function api(core: SimCore, req: Request, url: URL): Promise<Response> {
  const banned = ipBanned(core);
  if (banned) return banned;
  const found = lookup(req.method, url.pathname);
  if (found.kind === "not_found") return errorEnvelope(404, Code.INVALID_ARGUMENTS, "api not found");
  if (found.kind === "bad_method") return errorEnvelope(405, Code.INVALID_ARGUMENTS, "method not allowed");
  if (takeRateLimit(core.faults)) return rateLimited(core, core.faults.rate_limit.retry_hint, 0, core.now() + 1000);
  if (takeOne(core.faults, "http_5xx")) return errorEnvelope(500, Code.INTERNAL, Message[Code.INTERNAL] ?? "error");
  const route = found.route;
  const p = await readParams(req);
  authenticate(core, req, p, route);
  const decision = core.limiter.check(
    {
      apiKey: core.opts.apiKey,
      bucket: route.bucket,
      group: route.auth === "public" ? "market" : "account",
      endpoint: `${req.method} ${url.pathname.replace(/\/+$/, "")}`,
    },
    core.now(),
  );
  if (!decision.allowed) return rateLimited(core, true, decision.remaining, decision.expireMs);
  const result = route.handler({ core, req, p });
  if (route.placement && takeOne(core.faults, "drop_responses")) return dropped(core);
  const res = result instanceof RawAnswer ? jsonResponse(result.status, result.body) : envelope(result);
  res.headers.set("X-RateLimit-Requests-Remain", String(decision.remaining));
  res.headers.set("X-RateLimit-Requests-Expire", String(decision.expireMs));
  return res;
}

function authenticate(core: SimCore, req: Request, p: Awaited<ReturnType<typeof readParams>>, route: Route): void {
  if (route.auth === "public") return;
  const creds = { apiKey: core.opts.apiKey, secret: core.opts.secret };
  if (route.auth === "signed" || p.map.has("signature")) {
    verifyRequest(req, p, creds, core.now());
    return;
  }
  const key = req.headers.get("X-BX-APIKEY");
  if (key !== core.opts.apiKey) throw new SimError(Code.INCORRECT_API_KEY);
}

function rateLimited(core: SimCore, hint: boolean, remaining: number, expireMs: number): Response {
  core.counters.rate_limited++;
  const headers: Record<string, string> = hint
    ? { "X-RateLimit-Requests-Remain": String(remaining), "X-RateLimit-Requests-Expire": String(expireMs) }
    : {};
  return errorEnvelope(429, Code.RATE_LIMITED, Message[Code.RATE_LIMITED] ?? "rate limited", headers);
}

/**
 * The `ip_ban` fault: the request that takes it starts BingX's IP ban, and every request until it
 * ends (IP_RESTRICTION_MS of sim clock) answers HTTP 418, executing nothing; with `retry_hint` the
 * answer carries `X-RateLimit-Requests-Expire` = the ban's end. Null when the IP is not banned.
 */
function ipBanned(core: SimCore): Response | null {
  const now = core.now();
  if (takeIpBan(core.faults)) core.ipBannedUntil = Math.max(core.ipBannedUntil, now + IP_RESTRICTION_MS);
  if (!(now < core.ipBannedUntil)) return null;
  core.counters.ip_banned++;
  const headers: Record<string, string> = core.faults.ip_ban?.retry_hint
    ? { "X-RateLimit-Requests-Remain": "0", "X-RateLimit-Requests-Expire": String(core.ipBannedUntil) }
    : {};
  return errorEnvelope(418, Code.RATE_LIMITED, "IP banned for continuing to send requests after 429", headers);
}

/** The order executed, but the client learns nothing: a gateway timeout or a reset socket. */
function dropped(core: SimCore): Response {
  if (core.rng.next() < 0.5)
    return new Response("<html><body>504 Gateway Time-out</body></html>", {
      status: 504,
      headers: { "Content-Type": "text/html" },
    });
  // Erroring the body stream with `undefined` makes Bun reset the connection without logging.
  return new Response(new ReadableStream({ start: (c) => c.error(undefined) }), { status: 200 });
}

function upgrade(core: SimCore, req: Request, url: URL, server: Server<SocketData>): Response | undefined {
  const key = url.searchParams.get("listenKey") ?? "";
  if (!core.listenKeys.valid(key, core.now()))
    return errorEnvelope(401, Code.INVALID_ARGUMENTS, "listenKey does not exist or has expired");
  const ok = server.upgrade(req, { data: { listenKey: key, missedPings: 0 } });
  return ok ? undefined : errorEnvelope(400, Code.INVALID_ARGUMENTS, "websocket upgrade expected");
}
