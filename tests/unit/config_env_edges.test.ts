/**
 * Values of the environment that used to pass `loadConfig` and then went wrong later:
 *
 * - DITA_V2_HTTP_HOST that Bun cannot listen on (`999.1.1.1`, `-`, `:`, `...`) passed, and serve then
 *   stopped with `EINVAL: invalid argument, listen` or `getaddrinfo ENOTFOUND ...`, naming no variable;
 *   `[::1]` passed as written, and the CLI's default URL became `http://[[::1]]:7878` (not a URL);
 * - a secret that is only whitespace (DITA_V2_HAZELCAST_PASSWORD, a ClickHouse URL password of
 *   `%20`s) was taken as a credential and registered for masking: from 4 spaces on, every run of
 *   spaces in every log line became `***`;
 * - DITA_V2_CLICKHOUSE_URL with a query string or a path passed: the ClickHouse client reads the
 *   URL's path as its database (against DITA_V2_CLICKHOUSE_DATABASE) and its query as settings and
 *   credentials (`?access_token=...`), which nothing masked: the address in every log line showed it;
 * - DITA_V2_ZINC_PREFIX starting with '.' passed, and serve then stopped on libzinc's "invalid
 *   prefix", naming no variable;
 * - DITA_V2_BINGX_RATE_MARGIN and DITA_V2_BINGX_IP_SHARE were read only with DITA_V2_VENUE=BINGX: a
 *   MOCK (paper) configuration with a bad value started, and failed once switched to the live venue.
 */

import { describe, expect, test } from "bun:test";
import { baseUrl } from "../../src/cli/_client.ts";
import { maskSecrets } from "../../src/contracts/secrets.ts";
import { ConfigError, httpOrigin, loadConfig } from "../../src/launcher/config.ts";

const STATE = { DITA_V2_STATE_DIR: "/nonexistent-config-env-edges" };

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig({ ...STATE, ...env });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
};

describe("DITA_V2_HTTP_HOST", () => {
  test("a value Bun cannot listen on fails the load naming the variable", () => {
    for (const host of [
      "999.1.1.1",
      "127.0.0.256",
      "1.2.3",
      "-",
      ":",
      "...",
      "a..b",
      "-host",
      "host-",
      "[::1",
      "[:::1]",
      "::g",
    ])
      expect([host, refusal({ DITA_V2_HTTP_HOST: host })]).toEqual([
        host,
        `DITA_V2_HTTP_HOST: must be a host name, an IPv4 address or an IPv6 address, got '${host}'`,
      ]);
  });

  test("host names and IP addresses still pass as given", () => {
    for (const host of ["127.0.0.1", "0.0.0.0", "localhost", "::1", "::", "fe80::1", "kernel-1.lan", "10.0.0.4"])
      expect(loadConfig({ ...STATE, DITA_V2_HTTP_HOST: host }).http_host).toBe(host);
  });

  test("a bracketed IPv6 address is kept without its brackets, so the CLI's default URL is http://[::1]:PORT", () => {
    expect(loadConfig({ ...STATE, DITA_V2_HTTP_HOST: "[::1]" }).http_host).toBe("::1");
    const saved = { ...process.env };
    try {
      Object.assign(process.env, STATE, { DITA_V2_HTTP_HOST: "[::1]", DITA_V2_HTTP_PORT: "7878" });
      expect(new URL(baseUrl(undefined)).host).toBe("[::1]:7878");
    } finally {
      for (const k of ["DITA_V2_STATE_DIR", "DITA_V2_HTTP_HOST", "DITA_V2_HTTP_PORT"])
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
    }
  });
});

describe("a secret that is only whitespace", () => {
  test("DITA_V2_HAZELCAST_PASSWORD of spaces fails the load, and log lines keep their spaces", () => {
    expect(refusal({ DITA_V2_HAZELCAST_USER: "dita", DITA_V2_HAZELCAST_PASSWORD: "        " })).toBe(
      "DITA_V2_HAZELCAST_PASSWORD: must not be only whitespace (value not shown)",
    );
    expect(maskSecrets("a        b")).toBe("a        b");
  });

  test("a ClickHouse URL password of encoded spaces fails the load, and log lines keep their spaces", () => {
    expect(refusal({ DITA_V2_CLICKHOUSE_URL: "http://dita:%20%20%20%20%20@127.0.0.1:8123" })).toBe(
      "DITA_V2_CLICKHOUSE_URL: the password must not be only whitespace (value not shown)",
    );
    expect(maskSecrets("x     y")).toBe("x     y");
  });
});

describe("DITA_V2_CLICKHOUSE_URL", () => {
  test("a query string fails the load without showing it (it can carry an access token)", () => {
    const secret = "tok-5a1f0c33e8b94d2a";
    const message = refusal({ DITA_V2_CLICKHOUSE_URL: `http://127.0.0.1:8123/?access_token=${secret}` });
    expect(message).toBe(
      "DITA_V2_CLICKHOUSE_URL: must be scheme://[user:password@]host[:port] with no query or fragment (credentials go in user:password@), got 'http://127.0.0.1:8123/?…'",
    );
    expect(message).not.toContain(secret);
  });

  test("a path fails the load: the database is DITA_V2_CLICKHOUSE_DATABASE's", () => {
    expect(refusal({ DITA_V2_CLICKHOUSE_URL: "http://dita:Pw-77x1@10.0.0.4:8123/prod" })).toBe(
      "DITA_V2_CLICKHOUSE_URL: must have no path (got '/prod'): the database is DITA_V2_CLICKHOUSE_DATABASE's, got 'http://dita:***@10.0.0.4:8123/prod'",
    );
  });

  test("scheme, credentials, host and port still pass, with or without a trailing slash", () => {
    for (const url of ["http://127.0.0.1:8123", "https://dita:Pw-77x1@ch.lan:8443/", "http://dita:@h:1"])
      expect(loadConfig({ ...STATE, DITA_V2_CLICKHOUSE_URL: url }).clickhouse_url).toBe(url);
  });
});

describe("serve's URL for a configured host", () => {
  test("an IPv6 host is bracketed in the URL serve logs and publishes to the fleet, and in the CLI's", () => {
    expect(httpOrigin(loadConfig({ ...STATE, DITA_V2_HTTP_HOST: "[::1]" }).http_host, 7878)).toBe("http://[::1]:7878");
    expect(httpOrigin(loadConfig({ ...STATE, DITA_V2_HTTP_HOST: "::1" }).http_host, 7878)).toBe("http://[::1]:7878");
    expect(httpOrigin("10.0.0.4", 80)).toBe("http://10.0.0.4:80");
  });
});

describe("DITA_V2_ZINC_PREFIX", () => {
  test("a prefix starting with '.' (libzinc refuses it) fails the load naming the variable", () => {
    for (const prefix of [".hidden", ".", "..x"])
      expect(refusal({ DITA_V2_ZINC_PREFIX: prefix })).toContain("DITA_V2_ZINC_PREFIX");
    expect(loadConfig({ ...STATE, DITA_V2_ZINC_PREFIX: "desk.a-1" }).zinc_prefix).toBe("desk.a-1");
  });
});

describe("DITA_V2_BINGX_RATE_MARGIN and DITA_V2_BINGX_IP_SHARE", () => {
  test("a bad value fails the load whatever the venue, with the line the BINGX venue gives", () => {
    for (const venue of ["MOCK", "BINGX"]) {
      expect(refusal({ DITA_V2_VENUE: venue, DITA_V2_BINGX_RATE_MARGIN: "0" })).toBe(
        'DITA_V2_BINGX_RATE_MARGIN must be a decimal in (0, 1] (the fraction of each BingX rate limit the adapter uses), got "0"',
      );
      expect(refusal({ DITA_V2_VENUE: venue, DITA_V2_BINGX_IP_SHARE: "65" })).toBe(
        `DITA_V2_BINGX_IP_SHARE must be an integer in 1..64 (how many kernels or other BingX clients send from this host's IP), got "65"`,
      );
    }
  });

  test("good values and unset ones still load on MOCK", () => {
    expect(loadConfig({ ...STATE, DITA_V2_BINGX_RATE_MARGIN: "0.5", DITA_V2_BINGX_IP_SHARE: "3" }).venue).toBe("MOCK");
    expect(loadConfig({ ...STATE, DITA_V2_BINGX_RATE_MARGIN: "", DITA_V2_BINGX_IP_SHARE: " " }).venue).toBe("MOCK");
  });
});
