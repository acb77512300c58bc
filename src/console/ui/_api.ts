/**
 * Calls to the serve that served this page (same origin only). The operator token lives in
 * sessionStorage and nowhere else: it is gone when the tab closes. Every call sends it when it is
 * set; an answer is `{ status, body }` (JSON, or text when asked), and a network failure is
 * status 0 with the reason. Every answer's `Date` tells the console serve's clock (`_clock.ts`).
 */

import { browserNowMs, observeDateHeader } from "./_clock.ts";

const TOKEN_KEY = "dita-v2.operator-token";

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  error: string | null;
}

export function authHeaders(token: string | null = storedToken()): Record<string, string> {
  return token === null ? {} : { Authorization: `Bearer ${token}` };
}

export async function api<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown; token?: string | null; text?: boolean } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = authHeaders(init.token === undefined ? storedToken() : init.token);
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  const sentMs = browserNowMs();
  try {
    res = await fetch(path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: "no-store",
    });
  } catch (e) {
    return { status: 0, body: null as T, error: `serve unreachable: ${(e as Error).message}` };
  }
  observeDateHeader(res.headers.get("Date"), sentMs, browserNowMs());
  let body: unknown = null;
  try {
    body = init.text && res.ok ? await res.text() : await res.json();
  } catch {
    body = null;
  }
  const message = (body as { error?: unknown } | null)?.error;
  const error = res.ok ? null : typeof message === "string" ? message : `HTTP ${res.status}`;
  return { status: res.status, body: body as T, error };
}
