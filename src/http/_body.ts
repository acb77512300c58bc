/**
 * Bodies and answers shared by the hono routes (app.ts) and `POST /intents` on Bun's router
 * (intents_route.ts): the body limit, the JSON-object parse with its one-line reasons, and the
 * JSON answer.
 */

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
  return parsed as Record<string, unknown>;
}

/** `body` as JSON with `status`, as hono's `c.json` answers. */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** The one-line 500 every route answers for an exception in its handler. */
export function internalError(e: unknown): Response {
  const message = e instanceof Error ? e.message : String(e);
  return jsonResponse({ error: `internal error: ${(message.split("\n")[0] ?? "").slice(0, 200)}` }, 500);
}
