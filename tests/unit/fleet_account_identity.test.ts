/**
 * The account lease key names the venue account, not its spelling: BINGX_BASE_URL is an origin, and
 * two spellings of one origin (host case, the scheme's default port, a trailing dot) reach the same
 * account with the same API key, so they must hash to one lease key; otherwise two kernels would
 * both take "their" lease and trade one account. Two hosts (demo and live) stay two accounts.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { accountKey } from "../../src/fleet/index.ts";
import type { RuntimeConfig } from "../../src/launcher/config.ts";
import { accountIdentity } from "../../src/launcher/fleet_member.ts";

const config = { venue: "BINGX", strategy: "pink" } as RuntimeConfig;
const keyOf = (base: string) =>
  accountKey(
    accountIdentity(
      config,
      { BINGX_API_KEY: "KEY-0123456789", BINGX_API_SECRET: "SECRET-0123456789", BINGX_BASE_URL: base },
      new ManualClock(),
    ),
  );

describe("account lease key of a BingX account", () => {
  test("spellings of one origin (host case, default port, trailing dot) are one account", () => {
    const k = keyOf("https://open-api.bingx.com");
    expect(keyOf("https://OPEN-API.BingX.com")).toBe(k);
    expect(keyOf("https://open-api.bingx.com:443")).toBe(k);
    expect(keyOf("https://open-api.bingx.com.")).toBe(k);
  });

  test("the demo and the live host are two accounts; so is another port", () => {
    const k = keyOf("https://open-api.bingx.com");
    expect(keyOf("https://open-api-vst.bingx.com")).not.toBe(k);
    expect(keyOf("https://open-api.bingx.com:8443")).not.toBe(k);
  });
});
