/**
 * Which DITA_V2_HTTP_HOST values count as loopback (reads without a token) and which expose the
 * server (every route but /health needs the token).
 */

import { describe, expect, test } from "bun:test";
import { isLoopbackHost } from "../../src/http/index.ts";

describe("isLoopbackHost", () => {
  test("127.0.0.0/8, ::1 and localhost are loopback", () => {
    for (const h of [
      "127.0.0.1",
      "127.1.2.3",
      "127.255.255.255",
      "::1",
      "[::1]",
      "localhost",
      "LOCALHOST",
      "::ffff:127.0.0.1",
    ])
      expect([h, isLoopbackHost(h)]).toEqual([h, true]);
  });

  test("any other address, the wildcard addresses and malformed ones expose the server", () => {
    for (const h of [
      "0.0.0.0",
      "::",
      "10.0.0.5",
      "192.168.1.2",
      "128.0.0.1",
      "127.0.0.256",
      "127.0.0",
      "example.org",
      "",
    ])
      expect([h, isLoopbackHost(h)]).toEqual([h, false]);
  });
});
