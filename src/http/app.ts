/**
 * The HTTP API, loopback by default: health, status, slots, metrics, intents, control, and
 * for browsers the operator console, `GET /events` and `GET /equity` (`_browser.ts`). Who needs
 * the token and which headers every answer carries is `guard.ts`: mutating endpoints always need
 * `Authorization: Bearer <token>`, and every route but /health and the console's files when the
 * server is exposed beyond loopback. Bodies are limited to 16 KiB and must
 * be JSON objects that name each key once. Every error is a JSON body `{ "error": "..." }` with a specific status,
 * one printable line (a control character it echoes from the request is shown escaped); an
 * exception inside a handler becomes a 500 with one line, never a crashed process.
 *
 * `POST /intents` is a strategy edge on the order path: it is answered on Bun's own router
 * (intents_route.ts, under the same rules), every other route by the hono app built here.
 * `createHttp` returns both, as `Bun.serve` takes them.
 *
 * `POST /flatten` (token; body empty or `{"timeout_ms": N}`) answers when the flatten finished or
 * its bound passed: 200 with the per-slot report (`complete` says whether the venue is flat).
 * `GET /fleet`: every kernel heartbeating into the Hazelcast cluster (404 with the cluster off, 503
 * when it cannot be read).
 *
 * `GET /openapi.json` describes all of it (openapi.ts), from the schemas the parsers use; the app
 * refuses to be created with a route the document does not describe.
 *
 * `POST /control` with an empty object is a 400 (nothing changes, the version stays), as the
 * control region refuses an empty change. Once shutdown began, `POST /control` and `POST /flatten`
 * are refused like `POST /intents`: 503 `{"error": "shutting down: ..."}`, nothing started.
 *
 * Status codes: 200 ok; 400 malformed JSON or body, or a query string (a POST's, or on a read of the API); 401 missing/wrong token; 404 unknown route
 * or slot; 413 body too large; 422 refused: at the edge (`error` says why) or by the kernel
 * (body: the outcome with its diagnostics); 429 an ENTER or EXIT refused while the venue adapter
 * would not send an order (RATE_LIMITED) or by max_orders_per_minute (`Retry-After`); 503 not able
 * to trade (health) or shutting down.
 */

import { type Context, Hono } from "hono";
import { ControlError } from "../contracts/control.ts";
import { parseFlattenRequest } from "../contracts/flatten.ts";
import { VERSION } from "../contracts/version.ts";
import {
  BODY_LIMIT_BYTES,
  bodyWithin,
  internalError,
  noQuery,
  oneLineError,
  parseObject,
  queryRefusal,
} from "./_body.ts";
import { mountBrowserRoutes } from "./_browser.ts";
import { type HttpDeps, IntakeClosedError, type StaticAsset } from "./deps.ts";
import { guard, refusalResponse, tokenRequired } from "./guard.ts";
import { INTENTS_PATH, intentsRoute } from "./intents_route.ts";
import { openApiDocument, undocumentedRoutes } from "./openapi.ts";

export interface AppOptions {
  /** True when the server listens beyond loopback: every route but /health needs the token. */
  exposed?: boolean;
  /** The console's files (src/console), served without a token. */
  assets?: readonly StaticAsset[];
}

/** What serve hands to `Bun.serve`: Bun's own routes (`POST /intents`) and the hono app for the rest. */
export interface HttpServer {
  routes: Record<string, { POST: (req: Request) => Promise<Response> }>;
  fetch: (req: Request) => Response | Promise<Response>;
}

export function createHttp(deps: HttpDeps, options: AppOptions = {}): HttpServer {
  const app = new Hono();
  const assets = options.assets ?? [];
  const limit = bodyWithin(BODY_LIMIT_BYTES);

  app.use("*", async (c, next) => {
    await next();
    // An error that echoes the client's text (a path, a query key, a JSON key) stays one printable line.
    const answer = c.res.status >= 400 ? await oneLineError(c.res) : c.res;
    if (answer !== c.res) c.res = answer;
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

  // /health takes any query: a load balancer's probe may add a cache-buster (`?t=...`).
  app.get("/health", (c) => {
    const h = deps.health();
    return c.json(h.ok ? { status: "ok" } : { status: "unavailable", reasons: h.reasons }, h.ok ? 200 : 503);
  });
  app.get("/status", noQuery, (c) => c.json(deps.status()));
  app.get("/slots", noQuery, (c) => c.json(deps.slots()));
  app.get("/slots/:id", noQuery, (c) => {
    const raw = c.req.param("id");
    const slots = `slots are 0..${deps.slotCount() - 1}`;
    if (!/^\d+$/.test(raw))
      return c.json({ error: `slot id must be a non-negative integer (${slots}), got '${raw.slice(0, 20)}'` }, 400);
    // Any other integer names no slot: 404, as the document says (not a 400 for `1000`).
    const id = Number(raw);
    if (id >= deps.slotCount())
      return c.json({ error: `no slot ${raw.replace(/^0+(?=\d)/, "").slice(0, 20)}: ${slots}` }, 404);
    return c.json(deps.slot(id));
  });
  app.get("/metrics", noQuery, (c) =>
    c.text(deps.metrics(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }),
  );
  app.get("/control", noQuery, (c) => c.json(deps.controlSnapshot()));
  app.get("/fleet", noQuery, async (c) => {
    if (deps.fleet === undefined) return c.json({ error: "no fleet: this serve runs with DITA_V2_HAZELCAST=OFF" }, 404);
    try {
      return c.json(await deps.fleet());
    } catch (e) {
      // A client library may reject with a non-Error: still the cluster's failure, not a 500.
      const why = e instanceof Error ? e.message : e === undefined || e === null ? "no reason given" : String(e);
      return c.json({ error: `fleet unreadable: ${why.split("\n")[0]}` }, 503);
    }
  });

  app.post("/control", limit, async (c) => {
    const denied = authorize(c, deps);
    if (denied) return denied;
    const body = await jsonObject(c);
    if (body instanceof Response) return body;
    if (Object.keys(body).length === 0) return c.json({ error: EMPTY_CONTROL_CHANGE }, 400);
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
  app.get("/openapi.json", noQuery, (c) => c.json(doc));
  const routes = { [INTENTS_PATH]: { POST: intentsRoute(deps, { exposed: options.exposed ?? false }) } };
  const native = Object.entries(routes).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method, path })),
  );
  const missing = undocumentedRoutes([...app.routes, ...native], doc);
  if (missing.length > 0) throw new Error(`Invariant: routes missing from the OpenAPI document: ${missing.join(", ")}`);

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  // Once shutdown began, a change (control, flatten) is refused as `POST /intents` is: 503, nothing changed.
  app.onError((e, c) =>
    e instanceof IntakeClosedError
      ? c.json({ error: e.message }, 503)
      : internalError(e, `${c.req.method} ${new URL(c.req.url).pathname}`, deps.log),
  );
  return { routes, fetch: app.fetch };
}

/** The control region refuses an empty change as MALFORMED; the HTTP edge refuses it the same way. */
const EMPTY_CONTROL_CHANGE = 'control change has no keys: name at least one, e.g. {"trading_state":"HALTED"}';

/** The token, then no query string (a change's parameters are in its body): null, go on. */
function authorize(c: Context, deps: HttpDeps): Response | null {
  const refused = tokenRequired(c.req.header("Authorization"), deps.operatorToken());
  if (refused !== null) return refusalResponse(refused);
  const query = queryRefusal(c.req.url, c.req.routePath);
  return query === null ? null : c.json({ error: query }, 400);
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
