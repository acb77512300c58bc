/** Contract rules (off-step refused, minimums) and configuration from the environment (one-line errors, live guard). */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { applyContractRules, formatStep, sizeRuleBreach } from "../../src/venue/bingx/index.ts";
import { assertLiveAllowed, BingxVenueAdapter, bingxConfigFromEnv, isLoopbackUrl } from "../../src/venue/index.ts";
import { BTC_RULES as BTC } from "../_support/venue_data.ts";

test("a size on the step passes with exact decimal text; a limit price rounds to the price step", () => {
  expect(formatStep(0.01239, 0.0001)).toBe("0.0123");
  expect(formatStep(0.3, 0.1)).toBe("0.3");
  expect(formatStep(7, 1)).toBe("7");
  expect(applyContractRules(BTC, 0.0123, undefined, 65000)).toEqual({ ok: true, size: 0.0123, quantity: "0.0123" });
  expect(applyContractRules(BTC, 0.3, undefined, 65000)).toMatchObject({ ok: true, quantity: "0.3000" }); // float residue is no breach
  expect(applyContractRules(BTC, 0.01, 64999.96, undefined)).toEqual({
    ok: true,
    size: 0.01,
    quantity: "0.0100",
    price: "65000.0",
  });
});

test("a size off the quantity step is refused naming the contract, the step and the sizes around it, never rounded", () => {
  const TRX = { ...BTC, asset: "TRX-USDT", quantity_step: 1, min_quantity: 1 };
  expect(sizeRuleBreach(TRX, 20.5)).toEqual({
    rule: "OFF_STEP",
    message: "size 20.5 is not a multiple of TRX-USDT's quantity step 1 (20 or 21 would be); refused, never rounded",
  });
  const r = applyContractRules(BTC, 0.01239, undefined, 65000);
  expect(r.ok === false && r.rule).toBe("OFF_STEP");
  expect(sizeRuleBreach(TRX, 20)).toBeNull();
  expect(sizeRuleBreach(BTC, 0.0003)).toBeNull();
});

test("a size below the minimum quantity or notional is refused with a message saying why", () => {
  const q = applyContractRules({ ...BTC, min_quantity: 0.001 }, 0.0005, undefined, 65000);
  expect(q.ok === false && q.rule).toBe("MIN_QUANTITY");
  expect(q.ok === false && q.message).toContain("below BTC-USDT's minimum quantity 0.001");
  const n = applyContractRules({ ...BTC, min_notional: 10 }, 0.0001, undefined, 65000);
  expect(n.ok === false && n.rule).toBe("MIN_NOTIONAL");
  expect(applyContractRules(BTC, Number.NaN, undefined, 1).ok).toBe(false);
});

test("config from env names the missing variable in one line and never echoes a secret", () => {
  const clock = new ManualClock();
  expect(bingxConfigFromEnv({}, clock)).toEqual({ ok: false, error: "BINGX_API_KEY is not set" });
  expect(bingxConfigFromEnv({ BINGX_API_KEY: "key-12345678" }, clock)).toEqual({
    ok: false,
    error: "BINGX_API_SECRET is not set",
  });
  const bad = bingxConfigFromEnv({ BINGX_API_KEY: "key-12345678", BINGX_API_SECRET: "s3cr3t value!" }, clock);
  expect(bad.ok === false && bad.error).toBe("BINGX_API_SECRET is malformed (expected 8–256 printable characters)");
  const ok = bingxConfigFromEnv({ BINGX_API_KEY: "key-12345678", BINGX_API_SECRET: "secret-12345678" }, clock);
  expect(ok.ok && ok.config.baseUrl).toBe("https://open-api-vst.bingx.com");
  expect(ok.ok && ok.config.allowLive).toBe(false);
  const url = bingxConfigFromEnv(
    { BINGX_API_KEY: "key-12345678", BINGX_API_SECRET: "secret-12345678", BINGX_BASE_URL: "ftp://x" },
    clock,
  );
  expect(url.ok === false && url.error.startsWith("BINGX_BASE_URL")).toBe(true);
});

test("DITA_V2_BINGX_RATE_MARGIN is a decimal in (0, 1], 0.8 when unset; a bad value is one line naming the variable", () => {
  const env = { BINGX_API_KEY: "key-12345678", BINGX_API_SECRET: "secret-12345678" };
  const margin = (v?: string) => {
    const r = bingxConfigFromEnv(v === undefined ? env : { ...env, DITA_V2_BINGX_RATE_MARGIN: v }, new ManualClock());
    return r.ok ? r.config.rateMargin : r.error;
  };
  expect([margin(), margin("0.5"), margin("1"), margin(" .25 "), margin("1.0")]).toEqual([0.8, 0.5, 1, 0.25, 1]);
  for (const bad of ["0", "1.5", "-0.5", "abc", "80%", "0.5.1", ".", "1e-1"]) {
    expect(margin(bad)).toBe(
      `DITA_V2_BINGX_RATE_MARGIN must be a decimal in (0, 1] (the fraction of each BingX rate limit the adapter uses), got ${JSON.stringify(bad)}`,
    );
  }
});

test("nothing live is contacted unless BINGX_SMOKE_LIVE=1 and keys are set", () => {
  expect(() => assertLiveAllowed({})).toThrow("BINGX_SMOKE_LIVE=1");
  expect(() => assertLiveAllowed({ BINGX_SMOKE_LIVE: "1", BINGX_API_KEY: "k" })).toThrow("BINGX_API_SECRET is not set");
  expect(() => assertLiveAllowed({ BINGX_SMOKE_LIVE: "1", BINGX_API_KEY: "k", BINGX_API_SECRET: "s" })).not.toThrow();
  const env = { BINGX_API_KEY: "key-12345678", BINGX_API_SECRET: "secret-12345678" };
  const cfg = bingxConfigFromEnv(env, new ManualClock());
  if (!cfg.ok) throw new Error(cfg.error);
  expect(() => new BingxVenueAdapter(cfg.config)).toThrow("is not loopback");
  const live = bingxConfigFromEnv({ ...env, BINGX_SMOKE_LIVE: "1" }, new ManualClock());
  expect(live.ok && live.config.allowLive).toBe(true);
  expect(isLoopbackUrl("http://127.0.0.1:8080")).toBe(true);
  expect(isLoopbackUrl("ws://localhost/x")).toBe(true);
  expect(isLoopbackUrl("https://open-api.bingx.com")).toBe(false);
});
