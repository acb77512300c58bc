/**
 * `dita-v2 smoke --wait-ms` also becomes the runtime's DITA_V2_HUNG_ORDER_MS, which the config
 * takes only up to 86 400 000 (a day). A larger value passed the flag check: the dry run printed
 * it and exited 0, and the real run failed at its "connect" step (exit 1) naming an environment
 * variable the operator never set. A bad argument is exit 2 naming the option, in every mode.
 */

import { describe, expect, test } from "bun:test";
import { smokeCommand } from "../../src/cli/smoke.ts";
import { cliRefusal, runCli } from "../_support/cli.ts";

describe("smoke --wait-ms", () => {
  test("above a day (what DITA_V2_HUNG_ORDER_MS takes) is exit 2 naming --wait-ms, in the dry run too", async () => {
    for (const dry of [["--dry-run"], []])
      expect(
        await cliRefusal(smokeCommand, [
          "--symbol",
          "TRXUSDT",
          "--venue-url",
          "http://127.0.0.1:1",
          "--wait-ms",
          "86400001",
          ...dry,
        ]),
      ).toEqual({ code: 2, message: "--wait-ms must be an integer 1..86400000, got '86400001'" });
  });

  test("a day exactly still passes the dry run", async () => {
    const r = await runCli(smokeCommand, [
      "--symbol",
      "TRXUSDT",
      "--venue-url",
      "http://127.0.0.1:1",
      "--wait-ms",
      "86400000",
      "--dry-run",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("DITA_V2_HUNG_ORDER_MS=86400000");
  });
});
