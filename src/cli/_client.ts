/**
 * HTTP client for CLI commands that talk to a running `serve`: base URL from --url or the
 * DITA_V2_HTTP_HOST/PORT environment, bearer token from DITA_V2_OPERATOR_TOKEN or
 * `<state dir>/operator.token`. Mutating calls need the token; reads send it when there is one
 * (a serve listening beyond loopback wants it on every route but /health). Failures are one-line
 * `CliFailure`s: a serve that cannot be reached is exit 2 (nothing was sent); a change (POST) whose
 * answer was lost (the connection closed after sending, or the wait ran out) is exit 1, since it
 * may have been applied. An empty `--url` (`--url "$KERNEL_URL"` with the variable unset, or
 * `--url` with no value) is refused (exit 2): falling back to the default would send a flatten or a control
 * change meant for another kernel to the local one. A configuration that cannot be read (a misspelled or
 * bad `DITA_V2_*` variable, an operator.token file that holds no token) is exit 2 as well: nothing was
 * sent, so it must not read as `healthcheck`'s "unhealthy" or a change's "may have been applied" (1).
 */

import { ConfigError, httpOrigin, loadConfig, type RuntimeConfig } from "../launcher/config.ts";
import { readOperatorToken } from "../launcher/token.ts";
import { CliFailure } from "./_fail.ts";

export const urlArg = {
  type: "string",
  description: "base URL of a running serve (default from DITA_V2_HTTP_HOST/PORT)",
} as const;

export function baseUrl(url: string | undefined): string {
  if (url !== undefined) {
    if (url.trim() === "")
      throw new CliFailure(
        "--url is empty: give the base URL of a running serve (http://HOST:PORT), or leave --url out to use DITA_V2_HTTP_HOST/PORT",
        2,
      );
    return checkedBase(url.trim());
  }
  const c = cliConfig();
  return httpOrigin(c.http_host, c.http_port);
}

/**
 * `--url` as a base the CLI appends paths to: http(s), no query or fragment. `http://h:p?` or `…#`
 * turned `/health` into the query or fragment of `/`, the console page answering 200: `healthcheck`
 * said healthy for a kernel whose /health said 503. A path stays (a serve behind a proxy's prefix).
 */
function checkedBase(url: string): string {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  const shown = url.slice(0, 80);
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
    throw new CliFailure(`--url must be the base URL of a running serve (http://HOST:PORT), got '${shown}'`, 2);
  // Tested on the text: a bare `?` or `#` is no query or fragment to URL, yet it still swallows the path.
  if (/[?#]/.test(url))
    throw new CliFailure(`--url takes no query or fragment ('?', '#'): the base URL alone, got '${shown}'`, 2);
  return url.replace(/\/+$/, "");
}

/** A ConfigError as a bad argument (exit 2, nothing sent); any other error as it is. */
function asBadArgument(e: unknown): unknown {
  return e instanceof ConfigError ? new CliFailure(e.message, 2) : e;
}

/** The configuration from the environment; a bad one is a CliFailure with exit 2 (nothing was sent or read). */
export function cliConfig(): RuntimeConfig {
  try {
    return loadConfig(process.env);
  } catch (e) {
    throw asBadArgument(e);
  }
}

/** The bearer token this CLI would send (DITA_V2_OPERATOR_TOKEN or `<state dir>/operator.token`), or null. */
export function cliToken(): string | null {
  const stateDir = cliConfig().state_dir;
  try {
    return readOperatorToken(stateDir, process.env);
  } catch (e) {
    throw asBadArgument(e);
  }
}

/** The connection was made and then lost, or the wait ran out: a change may have been sent and applied. */
function mayBeSent(e: unknown): boolean {
  const x = e as { name?: unknown; code?: unknown } | null;
  return x?.name === "TimeoutError" || x?.code === "ECONNRESET" || x?.code === "EPIPE";
}

export async function call(
  url: string | undefined,
  path: string,
  init: { method?: string; body?: unknown; text?: string; auth?: boolean; timeoutMs?: number } = {},
): Promise<{ status: number; body: unknown; date: string | null }> {
  const base = baseUrl(url);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const token = path === "/health" ? null : cliToken();
  if (init.auth && !token)
    throw new CliFailure(
      "no operator token: set DITA_V2_OPERATOR_TOKEN or run serve once to create <state dir>/operator.token",
      4,
    );
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: init.method ?? "GET",
      headers,
      body: init.text ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
  } catch (e) {
    if ((init.method ?? "GET") !== "GET" && mayBeSent(e))
      throw new CliFailure(
        `no answer from ${base}${path} (the request may have been applied; check dita-v2 status): ${(e as Error).message}`,
      );
    throw new CliFailure(`cannot reach ${base}${path}: ${(e as Error).message}`, 2);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // metrics and other text bodies stay text
  }
  return { status: res.status, body, date: res.headers.get("date") };
}

export function print(body: unknown): void {
  process.stdout.write(typeof body === "string" ? body : `${JSON.stringify(body, null, 2)}\n`);
}
