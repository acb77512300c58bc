/**
 * `baseUrl` (the serve the operator CLI talks to): an empty or blank `--url` is refused with exit 2
 * instead of falling back to DITA_V2_HTTP_HOST/PORT, which would send a command meant for another
 * kernel to the local one. No --url at all still means the default.
 */

import { describe, expect, test } from "bun:test";
import { baseUrl } from "../../src/cli/_client.ts";
import { CliFailure } from "../../src/cli/_fail.ts";

describe("baseUrl", () => {
  test("an empty or blank --url is a CliFailure with exit 2", () => {
    for (const url of ["", " ", "\t"]) {
      let thrown: unknown = null;
      try {
        baseUrl(url);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CliFailure);
      expect((thrown as CliFailure).exitCode).toBe(2);
      expect((thrown as CliFailure).message).toStartWith("--url is empty");
    }
  });

  test("a given --url is used without its trailing slashes; none means the configured default", () => {
    expect(baseUrl("http://10.0.0.2:7872//")).toBe("http://10.0.0.2:7872");
    const saved = { host: process.env.DITA_V2_HTTP_HOST, port: process.env.DITA_V2_HTTP_PORT };
    process.env.DITA_V2_HTTP_HOST = "127.0.0.1";
    process.env.DITA_V2_HTTP_PORT = "7999";
    try {
      expect(baseUrl(undefined)).toBe("http://127.0.0.1:7999");
    } finally {
      for (const [k, v] of [
        ["DITA_V2_HTTP_HOST", saved.host],
        ["DITA_V2_HTTP_PORT", saved.port],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});
