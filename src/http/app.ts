/**
 * The HTTP API (hono), loopback by default: health, status, slots, metrics, intents, control, and
 * for browsers the operator console, `GET /events` and `GET /equity` (`_browser.ts`). Who needs
 * the token and which headers every answer carries is `guard.ts`: mutating endpoints always need
 * `Authorization: Bearer <token>`, and every route but /health and the console's files when the
 * server is exposed beyond loopback. Bodies are limited to 16 KiB and must
 * be JSON objects. Every error is a JSON body `{ "error": "..." }` with a specific status; an
 * exception inside a handler becomes a 500 with one line, never a crashed process.
 *
 * `POST /intents` is a strategy edge: the body is parsed into a typed strategy intent before
 * anything else; a VENUE or SYSTEM input type is refused with INPUT_SOURCE_REFUSED and a wrong
 * shape with INVALID_INTENT, both before the kernel (it never sees them).
 *
 * `POST /flatten` (token; body empty or `{"timeout_ms": N}`) answers when the flatten finished or
 * its bound passed: 200 with the per-slot report (`complete` says whether the venue is flat).
 * `GET /fleet`: every kernel heartbeating into the Hazelcast cluster (404 with the cluster off, 503
 * when it cannot be read).
 *
 * `GET /openapi.json` describes all of it (openapi.ts), from the schemas the parsers use; the app
 * refuses to be created with a route the document does not describe.
 *
 * Status codes: 200 ok; 400 malformed JSON or body; 401 missing/wrong token; 404 unknown route
 * or slot; 413 body too large; 422 refused: at the edge (`error` says why) or by the kernel
 * (body: the outcome with its diagnostics); 503 not able to trade (health) or shutting down.
 */

import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ControlError } from "../contracts/control.ts";
import { parseFlattenRequest } from "../contracts/flatten.ts";
import { parseStrategyIntent } from "../contracts/intent_parse.ts";
import { VERSION } from "../contracts/version.ts";
import { bearerMatches } from "./_auth.ts";
import { mountBrowserRoutes } from "./_browser.ts";
import { type HttpDeps, IntakeClosedError, type StaticAsset } from "./deps.ts";
import { guard, unauthorized, wrongTokenMessage } from "./guard.ts";
import { openApiDocument, undocumentedRoutes } from "./openapi.ts";

export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppOptions {
  /** True when the server listens beyond loopback: every route but /health needs the token. */
  exposed?: boolean;
  /** The console's files (src/console), served without a token. */
  assets?: readonly StaticAsset[];
}

export function createApp(deps: HttpDeps, options: AppOptions = {}): Hono {
  const app = new Hono();
  const assets = options.assets ?? [];
  const limit = bodyLimit({
    maxSize: BODY_LIMIT_BYTES,
    onError: (c) => c.json({ error: `body exceeds ${BODY_LIMIT_BYTES} bytes` }, 413),
  });

  app.use("*", async (c, next) => {
    await next();
    deps.countRequest?.(c.req.routePath, c.res.status);
  });
  app.use(
    "*",
    guard({
      exposed: options.exposed ?? false,
      publicPaths: new Set(assets.map((a) => a.path)),
      token: () => deps.operatorToken(),
    }),
  );
  mountBrowserRoutes(app, deps, assets);

  app.get("/health", (c) => {
    const h = deps.health();
    return c.json(h.ok ? { status: "ok" } : { status: "unavailable", reasons: h.reasons }, h.ok ? 200 : 503);
  });
  app.get("/status", (c) => c.json(deps.status()));
  app.get("/slots", (c) => c.json(deps.slots()));
  app.get("/slots/:id", (c) => {
    const raw = c.req.param("id");
    if (!/^\d{1,3}$/.test(raw))
      return c.json({ error: `slot id must be an integer 0..${deps.slotCount() - 1}, got '${raw.slice(0, 20)}'` }, 400);
    const id = Number(raw);
    if (id >= deps.slotCount()) return c.json({ error: `no slot ${id}: slots are 0..${deps.slotCount() - 1}` }, 404);
    return c.json(deps.slot(id));
  });
  app.get("/metrics", (c) =>
    c.text(deps.metrics(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }),
  );
  app.get("/control", (c) => c.json(deps.controlSnapshot()));
  app.get("/fleet", async (c) => {
    if (deps.fleet === undefined) return c.json({ error: "no fleet: this serve runs with DITA_V2_HAZELCAST=OFF" }, 404);
    try {
      return c.json(await deps.fleet());
    } catch (e) {
      return c.json({ error: `fleet unreadable: ${(e as Error).message.split("\n")[0]}` }, 503);
    }
  });

  app.post("/intents", limit, async (c) => {
    const denied = authorize(c, deps);
    if (denied) return denied;
    const body = await jsonObject(c);
    if (body instanceof Response) return body;
    const parsed = parseStrategyIntent(body);
    if (!parsed.ok) {
      // A VENUE or SYSTEM input, or a wrong shape: refused here, before the kernel; 422 with one message.
      return c.json({ error: parsed.refusal.message, ...deps.refuseIntent(parsed.refusal) }, 422);
    }
    try {
      const outcome = deps.submitIntent(parsed.value);
      if (outcome.accepted) return c.json(outcome, 200);
      // Every refusal carries one `error` line (its first diagnostic) beside the outcome.
      return c.json({ error: outcome.diagnostics[0]?.message ?? "refused", ...outcome }, 422);
    } catch (e) {
      if (e instanceof IntakeClosedError) return c.json({ error: e.message }, 503);
      throw e;
    }
  });

  app.post("/control", limit, async (c) => {
    const denied = authorize(c, deps);
    if (denied) return denied;
    const body = await jsonObject(c);
    if (body instanceof Response) return body;
    try {
      return c.json(deps.control(body));
    } catch (e) {
      if (e instanceof ControlError) return c.json({ error: e.message, key: e.key }, 400);
      throw e;
    }
  });

  app.post("/flatten", limit, async (c) => {
    const denied = authorize(c, deps);
    if (denied) return denied;
    const text = await c.req.text().catch(() => null);
    if (text === null) return c.json({ error: "could not read the request body" }, 400);
    const body = text.trim() === "" ? {} : parseObject(text);
    if (typeof body === "string") return c.json({ error: body }, 400);
    const request = parseFlattenRequest(body);
    if (typeof request === "string") return c.json({ error: request }, 400);
    return c.json(await deps.flatten(request));
  });

  const doc = openApiDocument({ slotCount: deps.slotCount(), version: VERSION });
  app.get("/openapi.json", (c) => c.json(doc));
  const missing = undocumentedRoutes(app.routes, doc);
  if (missing.length > 0) throw new Error(`Invariant: routes missing from the OpenAPI document: ${missing.join(", ")}`);

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((e, c) => c.json({ error: `internal error: ${(e.message.split("\n")[0] ?? "").slice(0, 200)}` }, 500));
  return app;
}

function authorize(c: Context, deps: HttpDeps): Response | null {
  const header = c.req.header("Authorization");
  if (bearerMatches(header, deps.operatorToken())) return null;
  return unauthorized(c, wrongTokenMessage(header));
}

async function jsonObject(c: Context): Promise<Record<string, unknown> | Response> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return c.json({ error: "could not read the request body" }, 400);
  }
  const parsed = parseObject(text);
  return typeof parsed === "string" ? c.json({ error: parsed }, 400) : parsed;
}

/** A JSON object, or a string saying why the text is not one. */
function parseObject(text: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return `malformed JSON: ${(e as Error).message.slice(0, 160)}`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "body must be a JSON object";
  return parsed as Record<string, unknown>;
}
