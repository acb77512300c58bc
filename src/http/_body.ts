/**
 * Bodies and answers shared by the hono routes (app.ts) and `POST /intents` on Bun's router
 * (intents_route.ts): the body limit, the JSON-object parse with its one-line reasons (a key
 * named twice in one object is refused, `duplicateKey`), the refusal of a query string (on a POST,
 * `queryRefusal`; on a read, `noQuery`), and the JSON answer, whose `error` is one printable line
 * (`printableLine`, src/contracts: a control character an error echoes from the client's path, query, key or body
 * is shown escaped; `jsonResponse` for Bun's route, `oneLineError` for each hono answer).
 */

import type { MiddlewareHandler } from "hono";
import { hasControlCharacter, printableLine } from "../contracts/printable.ts";

export const BODY_LIMIT_BYTES = 16 * 1024;

export const BODY_TOO_LARGE = `body exceeds ${BODY_LIMIT_BYTES} bytes`;

/** A JSON object, or a string saying why the text is not one. */
export function parseObject(text: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return `malformed JSON: ${(e as Error).message.slice(0, 160)}`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "body must be a JSON object";
  // JSON.parse keeps the last of two values silently: `"size":0.01,...,"size":1` would be an order
  // 100 times the first size. A body that names a key twice says two things; it is refused.
  const twice = duplicateKey(text);
  if (twice !== null) return `duplicate key '${twice.slice(0, 40)}': a key may appear once in an object`;
  return parsed as Record<string, unknown>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * The first key some object of `json` names twice, or null. `json` must be valid JSON (it is
 * scanned, not checked). Escaped spellings of one key (`"a"`, `"\u0061"`) are the same key.
 */
export function duplicateKey(json: string): string | null {
  const open: Array<Set<string> | null> = []; // per open container: an object's keys, null for an array
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (ch === QUOTE) {
      const start = i;
      let escaped = false;
      for (i++; json.charCodeAt(i) !== QUOTE; i++) {
        if (json.charCodeAt(i) === BACKSLASH) {
          i++; // the escaped character, which may be a quote
          escaped = true;
        }
      }
      if (!expectKey) continue; // a value
      expectKey = false;
      const key = escaped ? (JSON.parse(json.slice(start, i + 1)) as string) : json.slice(start + 1, i);
      const keys = open[open.length - 1]!;
      if (keys.has(key)) return key;
      keys.add(key);
    } else if (ch === OPEN_BRACE) {
      open.push(new Set());
      expectKey = true;
    } else if (ch === OPEN_BRACKET) open.push(null);
    else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      open.pop();
      expectKey = false;
    } else if (ch === COMMA) expectKey = open[open.length - 1] != null;
  }
  return null;
}

/**
 * Why a POST may not carry a query string, or null: every parameter of a change belongs in its JSON
 * body, and one given in the URL was ignored without a word (`POST /control?trading_state=HALTED`).
 */
export function queryRefusal(url: string, route: string): string | null {
  const first = firstQueryKey(url);
  if (first === null) return null;
  return `POST ${route} takes no query string (got '${first.slice(0, 40)}'): send the request in the JSON body`;
}

/** The first parameter's name of a URL's query string ("" for a bare `?`), or null: no query string. */
function firstQueryKey(url: string): string | null {
  const q = url.indexOf("?");
  if (q < 0) return null;
  return new URLSearchParams(url.slice(q + 1).split("#")[0]).keys().next().value ?? "";
}

/**
 * Refuses a read (GET, HEAD) carrying a query string with a 400 before its handler runs (no event
 * stream is opened): no read takes a parameter in its URL, and one given was ignored without a word
 * (`GET /slots?slot_id=2` answered every slot, `GET /events?lastEventId=...` a fresh stream).
 */
export const noQuery: MiddlewareHandler = async (c, next) => {
  const first = firstQueryKey(c.req.url);
  if (first === null) return next();
  const error = `${c.req.method} ${c.req.path} takes no query string (got '${first.slice(0, 40)}'): a read has no parameters in its URL`;
  return c.json({ error }, 400);
};

/** `body` as JSON with `status`, as hono's `c.json` answers; its `error` one printable line. */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  const answer = withPrintableError(body);
  return new Response(JSON.stringify(answer), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** A hono answer whose JSON `error` holds a control character, rebuilt with it escaped; any other as it is. */
export async function oneLineError(res: Response): Promise<Response> {
  if (res.status < 400 || !res.headers.get("Content-Type")?.startsWith("application/json")) return res;
  let body: unknown;
  try {
    body = await res.clone().json();
  } catch {
    return res;
  }
  const answer = withPrintableError(body);
  if (answer === body) return res;
  const headers = new Headers(res.headers);
  headers.delete("Content-Length");
  return new Response(JSON.stringify(answer), { status: res.status, headers });
}

function withPrintableError(body: unknown): unknown {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== "string" || !hasControlCharacter(error)) return body;
  return { ...(body as object), error: printableLine(error) };
}

/**
 * A route's body read once, up to `maxBytes` (the handler's `c.req.text()` then reads hono's copy):
 * 413 `BODY_TOO_LARGE` beyond it, 400 when it cannot be read (a chunked body cut or malformed, the
 * client gone). hono's bodyLimit let the stream's own error through to the app's error handler: a
 * client's broken body was logged as the server's 500 with a stack frame, and answered without JSON.
 */
export function bodyWithin(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    let size: number;
    try {
      size = (await c.req.arrayBuffer()).byteLength;
    } catch (e) {
      // Past Bun's own limit (maxRequestBodySize) the stream fails too: too large, not unreadable.
      if (/maxRequestBodySize/.test(String(e))) return c.json({ error: BODY_TOO_LARGE }, 413);
      return c.json({ error: "could not read the request body" }, 400);
    }
    if (size > maxBytes) return c.json({ error: BODY_TOO_LARGE }, 413);
    await next();
  };
}

/**
 * The one-line 500 every route answers for an exception in its handler; `log` gets the cause
 * (route, error name and message, first stack frame); serve's log masks secrets.
 */
export function internalError(e: unknown, route?: string, log?: (line: string) => void): Response {
  const message = e instanceof Error ? e.message : String(e);
  if (log !== undefined) {
    const cause = e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e);
    const frame = e instanceof Error ? (e.stack?.split("\n").find((l) => l.trim().startsWith("at ")) ?? "") : "";
    log(`http: ${route} answered 500: ${cause}${frame ? ` (${frame.trim()})` : ""}`);
  }
  return jsonResponse({ error: `internal error: ${(message.split("\n")[0] ?? "").slice(0, 200)}` }, 500);
}
