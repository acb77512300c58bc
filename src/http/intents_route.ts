/**
 * `POST /intents` on Bun's own router: serve registers it beside the hono app, so the strategy
 * edge on the order path has no framework's routing and middleware chain, run as cold code by a
 * sporadic request, before the order (bench/clients.ts: HTTP intent → first byte at the venue
 * p50 949 → 796 µs against the hono route, side by side).
 * It keeps every rule the hono routes keep: guard.ts's admission (loopback Host, presented token)
 * and token requirement, the 16 KiB body limit (413), the JSON-object body (400), the browser
 * headers, the request counted as route `/intents`, and a 500 with one line for an exception.
 *
 * The body is parsed into a typed strategy intent before anything else: a VENUE or SYSTEM input
 * type is refused with INPUT_SOURCE_REFUSED and a wrong shape with INVALID_INTENT (422), both
 * before the kernel. An accepted intent's order leaves in this call (the runtime's order path). An
 * ENTER or EXIT refused because the venue adapter would not send an order now (RATE_LIMITED: an IP
 * ban, a long venue retry hint), or by the kernel's own order rate (RISK_LIMIT `max_orders_per_minute`,
 * retryable with the ms until the window has room), is 429 with `Retry-After` (seconds, at least 1);
 * other refusals 422.
 *
 * Entry point: `intentsRoute(deps, { exposed })`.
 */

import { parseStrategyIntent } from "../contracts/intent_parse.ts";
import { BODY_LIMIT_BYTES, BODY_TOO_LARGE, internalError, jsonResponse, parseObject, queryRefusal } from "./_body.ts";
import { type HttpDeps, IntakeClosedError } from "./deps.ts";
import { admission, refusalResponse, secureHeaders, tokenRequired } from "./guard.ts";

export const INTENTS_PATH = "/intents";

export function intentsRoute(deps: HttpDeps, o: { exposed: boolean }): (req: Request) => Promise<Response> {
  const policy = { exposed: o.exposed, token: () => deps.operatorToken() };
  const answer = async (req: Request): Promise<Response> => {
    const authorization = req.headers.get("Authorization") ?? undefined;
    const denied = admission(policy, req.headers.get("Host") ?? undefined, authorization, false);
    if (denied) return refusalResponse(denied);
    if (Number(req.headers.get("Content-Length") ?? 0) > BODY_LIMIT_BYTES)
      return jsonResponse({ error: BODY_TOO_LARGE }, 413);
    // A presented token was checked by `admission`; only a missing one is left to refuse.
    const unauthorized = authorization === undefined ? tokenRequired(authorization, deps.operatorToken()) : null;
    if (unauthorized) return refusalResponse(unauthorized);
    const query = queryRefusal(req.url, INTENTS_PATH);
    if (query !== null) return jsonResponse({ error: query }, 400);
    let bytes: Uint8Array;
    try {
      bytes = await req.bytes();
    } catch {
      return jsonResponse({ error: "could not read the request body" }, 400);
    }
    if (bytes.byteLength > BODY_LIMIT_BYTES) return jsonResponse({ error: BODY_TOO_LARGE }, 413);
    const body = parseObject(new TextDecoder().decode(bytes));
    if (typeof body === "string") return jsonResponse({ error: body }, 400);
    const parsed = parseStrategyIntent(body);
    if (!parsed.ok) return jsonResponse({ error: parsed.refusal.message, ...deps.refuseIntent(parsed.refusal) }, 422);
    try {
      const outcome = deps.submitIntent(parsed.value);
      if (outcome.accepted) return jsonResponse(outcome, 200);
      // Every refusal carries one `error` line (its first diagnostic) beside the outcome.
      const first = outcome.diagnostics[0];
      const refused = { error: first?.message ?? "refused", ...outcome };
      const retryLater = first?.code === "RATE_LIMITED" || (first?.code === "RISK_LIMIT" && first.details.retryable);
      if (!retryLater) return jsonResponse(refused, 422);
      const res = jsonResponse(refused, 429); // a rate (the venue's or the desk's own) refused it: try after the hint
      res.headers.set("Retry-After", String(Math.max(1, Math.ceil(Number(first.details.retry_after_ms ?? 0) / 1000))));
      return res;
    } catch (e) {
      if (e instanceof IntakeClosedError) return jsonResponse({ error: e.message }, 503);
      throw e;
    }
  };
  return async (req) => {
    let res: Response;
    try {
      res = await answer(req);
    } catch (e) {
      res = internalError(e, `POST ${INTENTS_PATH}`, deps.log);
    }
    secureHeaders(res.headers, false);
    deps.countRequest?.(INTENTS_PATH, res.status);
    return res;
  };
}
