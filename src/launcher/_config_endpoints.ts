/**
 * The configuration's network endpoints: DITA_V2_HTTP_HOST (what serve listens on) and
 * DITA_V2_CLICKHOUSE_URL (where the projection writes). A bad value fails the start with one
 * `ConfigError` line naming the variable; a password is never shown, and one that is only
 * whitespace is refused rather than registered for masking (it would mask every run of spaces).
 *
 * Entry points: `httpHost(env)`, `httpOrigin(host, port)`, `clickhouseUrl(env)`.
 */

import { maskSecrets, registerSecret } from "../contracts/secrets.ts";
import { ConfigError } from "./_config_error.ts";

type Env = Record<string, string | undefined>;

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * DITA_V2_HTTP_HOST: what Bun can listen on (else serve stopped with `EINVAL ... listen`, naming
 * nothing). An IPv6 address is kept without brackets: the CLI and serve add them to a URL.
 */
export function httpHost(env: Env): string {
  const name = "DITA_V2_HTTP_HOST";
  const raw = env[name];
  if (raw === undefined || raw === "") return "127.0.0.1";
  const v6 = /^\[([^[\]]*)\]$/.exec(raw)?.[1] ?? raw;
  if (v6.includes(":")) {
    if (/^[0-9A-Fa-f:.]{2,45}$/.test(v6) && URL.canParse(`http://[${v6}]/`)) return v6;
  } else {
    const labels = raw.replace(/\.$/, "").split(".");
    if (labels.every((l) => /^\d+$/.test(l))) {
      if (labels.length === 4 && labels.every((l) => /^(?:0|[1-9]\d{0,2})$/.test(l) && Number(l) <= 255)) return raw;
    } else if (raw.length <= 253 && labels.every((l) => HOST_LABEL.test(l))) return raw;
  }
  throw new ConfigError(name, `must be a host name, an IPv4 address or an IPv6 address, got '${raw.slice(0, 300)}'`);
}

/** `http://host:port` for a configured host: an IPv6 address in brackets. */
export function httpOrigin(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The ClickHouse URL, parsed; its password (raw and decoded) is registered for masking. */
export function clickhouseUrl(env: Env): string {
  const name = "DITA_V2_CLICKHOUSE_URL";
  const url = env[name] === undefined || env[name] === "" ? "http://127.0.0.1:8123" : env[name];
  let parsed: URL;
  try {
    if (!/^https?:\/\/[^\s]+$/.test(url)) throw new Error();
    parsed = new URL(url);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got '${maskSecrets(url)}'`);
  }
  const raw = /^[a-z]+:\/\/[^/:@]*:([^/]*)@/i.exec(url)?.[1]; // as written (URL may re-encode it)
  if (raw !== undefined && raw !== "" && onlyWhitespace(safeDecode(raw)))
    throw new ConfigError(name, "the password must not be only whitespace (value not shown)");
  registerSecret(parsed.password); // before any message below shows the URL
  registerSecret(raw);
  // The client reads a query as settings and credentials (`?access_token=`, masked by nothing) and a
  // path as its database, against DITA_V2_CLICKHOUSE_DATABASE: neither is taken. The query is not shown.
  if (parsed.search !== "" || parsed.hash !== "" || /[?#]/.test(url))
    throw new ConfigError(
      name,
      `must be scheme://[user:password@]host[:port] with no query or fragment (credentials go in user:password@), got '${parsed.origin}${parsed.pathname.slice(0, 64)}?…'`,
    );
  if (parsed.pathname !== "/")
    throw new ConfigError(
      name,
      `must have no path (got '${parsed.pathname.slice(0, 64)}'): the database is DITA_V2_CLICKHOUSE_DATABASE's, got '${maskSecrets(url)}'`,
    );
  return url;
}

/** True for a secret that is blank (spaces, tabs, newlines): a template left unfilled, not a credential. */
function onlyWhitespace(secret: string): boolean {
  return secret.trim() === "";
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
