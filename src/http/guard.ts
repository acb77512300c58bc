/**
 * Who may read what, and the headers every browser gets.
 *
 * Rules (README "Exposure"):
 *   1. Mutating routes always need `Authorization: Bearer <token>` (checked in app.ts).
 *   2. When the server listens on a non-loopback address (`exposed`), every route except
 *      `/health` and the console's static assets needs the token, GET included. The assets hold
 *      no state: everything they show is read from token-guarded routes.
 *   3. A presented Authorization header is always checked, on every route but `/health` and the
 *      assets: a wrong token is refused even where none is needed (the console checks a token this
 *      way before keeping it).
 *   4. On loopback, a request naming another host (`Host:` header) is refused with 403: a web page
 *      whose DNS name was rebound to 127.0.0.1 must not read this server's state.
 *   5. Every answer carries the browser headers: a Content-Security-Policy without inline script
 *      or style (`default-src 'self'`, `frame-ancestors 'none'`), `X-Frame-Options: DENY`,
 *      `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`; state routes carry
 *      `Cache-Control: no-store` (the assets are revalidated by ETag instead).
 *
 * The rules are decided framework-free (`admission`, `tokenRequired`, `secureHeaders`): the hono
 * middleware applies them to every hono route, and `intents_route.ts` to `POST /intents`, which
 * serve answers on Bun's own router.
 *
 * Entry points: `isLoopbackHost`, `guard`, `admission`, `tokenRequired`, `refusalResponse`,
 * `secureHeaders`, `CONTENT_SECURITY_POLICY`.
 */

import type { MiddlewareHandler } from "hono";
import { bearerCredentials, bearerMatches } from "./_auth.ts";
import { jsonResponse } from "./_body.ts";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const BROWSER_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Content-Security-Policy", CONTENT_SECURITY_POLICY],
  ["X-Frame-Options", "DENY"],
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "no-referrer"],
];

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4 === null) return false;
  return v4[1] === "127" && v4.slice(2).every((o) => Number(o) <= 255);
}

export interface GuardOptions {
  exposed: boolean;
  /** Paths served without a token (the console's static assets). */
  publicPaths: ReadonlySet<string>;
  token: () => string;
}

export function guard(o: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    const open = path === "/health" || o.publicPaths.has(path);
    const denied = admission(o, c.req.header("Host"), c.req.header("Authorization"), open);
    if (denied) {
      c.res = refusalResponse(denied);
    } else {
      await next();
    }
    secureHeaders(c.res.headers, o.publicPaths.has(path));
  };
}

/** Why a request may not reach its route (401 a token, 403 a foreign Host), framework-free. */
export interface Refusal {
  status: 401 | 403;
  error: string;
}

/**
 * Rules 2–4 for one request: a foreign Host on loopback, then (unless the route is `open`) a
 * token missing where the server is exposed or a presented token that is wrong. Null: go on.
 */
export function admission(
  o: Pick<GuardOptions, "exposed" | "token">,
  host: string | undefined,
  authorization: string | undefined,
  open: boolean,
): Refusal | null {
  if (!o.exposed && host !== undefined && !isLoopbackHost(hostName(host)))
    return {
      status: 403,
      error: `Host '${host.slice(0, 100)}' refused: this server listens on loopback and answers loopback names only`,
    };
  if (open) return null;
  if (authorization === undefined) {
    if (!o.exposed) return null;
    return {
      status: 401,
      error:
        "missing bearer token: this server listens beyond loopback, so every route but /health needs it (see <state dir>/operator.token)",
    };
  }
  return tokenRequired(authorization, o.token());
}

/** Rule 1, for mutating routes: the token must be presented and right. Null: go on. */
export function tokenRequired(authorization: string | undefined, token: string): Refusal | null {
  return bearerMatches(authorization, token) ? null : { status: 401, error: wrongTokenMessage(authorization) };
}

function wrongTokenMessage(header: string | undefined): string {
  if (header === undefined) return "missing bearer token (see <state dir>/operator.token)";
  if (bearerCredentials(header) === null) return "the Authorization header must be 'Bearer <token>'";
  return "wrong bearer token (see <state dir>/operator.token)";
}

/** The refusal as the JSON answer every route gives (401s name the Bearer realm). */
export function refusalResponse(r: Refusal): Response {
  return jsonResponse(
    { error: r.error },
    r.status,
    r.status === 401 ? { "WWW-Authenticate": 'Bearer realm="dita-v2"' } : {},
  );
}

/** Rule 5: the browser headers, and `no-store` on state routes (not on the console's files). */
export function secureHeaders(headers: Headers, publicPath: boolean): void {
  for (const [name, value] of BROWSER_HEADERS) headers.set(name, value);
  if (!publicPath) headers.set("Cache-Control", "no-store");
}

/** The Host header's name without its port: `[::1]:7878` → `::1`, `127.0.0.1:7878` → `127.0.0.1`. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(host);
  if (bracketed) return bracketed[1]!;
  return host.replace(/:\d*$/, "");
}
