/**
 * Credential masking (src/contracts/secrets.ts) and where the configuration registers credentials:
 * URL passwords are masked by shape, registered secrets wherever they appear (raw and decoded),
 * documents deeply; configuration errors never echo a password; Hazelcast credentials go together.
 */
import { describe, expect, test } from "bun:test";
import { MASK, maskDeep, maskSecrets, registerSecret } from "../../src/contracts/secrets.ts";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import { redact } from "../../src/venue/bingx/errors.ts";

describe("maskSecrets", () => {
  test("a URL's password is masked by shape, its user and host stay; URLs without one are untouched", () => {
    expect(
      maskSecrets(
        "clickhouse sink at http://dita:Pa55-word@10.0.0.5:8123 is down; see https://h:8443/x and http://u@h",
      ),
    ).toBe("clickhouse sink at http://dita:***@10.0.0.5:8123 is down; see https://h:8443/x and http://u@h");
    expect(maskSecrets("https://u:p@ss:w@rd@host:1/db")).toBe("https://u:***@host:1/db");
    expect(maskSecrets("http://user:@host")).toBe("http://user:***@host");
  });

  test("a request's signature is masked by shape, the other parameters stay; masking is idempotent", () => {
    const text =
      'GET /openApi/swap/v2/trade/order?symbol=BTC-USDT&timestamp=1&signature=9f86d081884c7d65 failed; "signature=ab12"';
    expect(maskSecrets(text)).toBe(
      'GET /openApi/swap/v2/trade/order?symbol=BTC-USDT&timestamp=1&signature=*** failed; "signature=***"',
    );
    expect(maskSecrets(maskSecrets(text))).toBe(maskSecrets(text));
    expect(maskSecrets("a signature of the contract")).toBe("a signature of the contract");
  });

  test("a registered secret is masked wherever it appears, raw and percent-decoded; masking is idempotent", () => {
    registerSecret("Zq%2Fsecret%40x");
    const text = "auth failed for Zq/secret@x (configured as Zq%2Fsecret%40x)";
    expect(maskSecrets(text)).toBe("auth failed for *** (configured as ***)");
    expect(maskSecrets(maskSecrets(text))).toBe(maskSecrets(text));
  });

  test("a secret holding a quote or a backslash is masked inside JSON text too, escaped once or twice", () => {
    const secret = 'pa"ss\\w0rd';
    registerSecret(secret);
    const once = JSON.stringify({ details: { text: `venue said ${secret}` } });
    const twice = JSON.stringify({ frame: once });
    for (const text of [once, twice]) {
      const masked = maskSecrets(text);
      expect(masked).toContain(MASK);
      expect(masked).not.toContain("w0rd");
    }
    expect(maskSecrets(`key ${JSON.stringify(secret)}`, ['x"y\\zz'])).toBe(`key "${MASK}"`);
    expect(maskSecrets(JSON.stringify('own x"y\\zz'), ['x"y\\zz'])).toBe(`"own ${MASK}"`);
  });

  test("secrets shorter than 4 characters are not masked in free text (they would mask words), but still in URLs", () => {
    registerSecret("abc");
    expect(maskSecrets("abc def http://u:abc@h")).toBe("abc def http://u:***@h");
  });

  test("maskDeep masks every string of a document, keys included, and keeps numbers and shapes", () => {
    registerSecret("KEY-0123456789");
    const doc = { sinks: [{ address: "http://u:pw@h:1", up: false, n: 3 }], "KEY-0123456789": "x", e: null };
    expect(maskDeep(doc) as unknown).toEqual({
      sinks: [{ address: `http://u:${MASK}@h:1`, up: false, n: 3 }],
      [MASK]: "x",
      e: null,
    });
  });

  test("the BingX adapter's redact is the same function (its own key and secret, plus the registry)", () => {
    expect(redact("key AKEY-98765 sig SSECRET-4321 url http://a:b@c", ["AKEY-98765", "SSECRET-4321"])).toBe(
      "key *** sig *** url http://a:***@c",
    );
  });
});

describe("configuration", () => {
  test("a rejected ClickHouse URL is shown masked in the one-line error", () => {
    const e = (() => {
      try {
        loadConfig({ DITA_V2_CLICKHOUSE_URL: "http://dita:Hunter-2222@ bad host" });
      } catch (x) {
        return x as ConfigError;
      }
      throw new Error("accepted");
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe("DITA_V2_CLICKHOUSE_URL: must be an http(s) URL, got 'http://dita:***@ bad host'");
  });

  test("the ClickHouse URL's password and the BingX key and secret are registered: later text about them is masked", () => {
    loadConfig({
      DITA_V2_CLICKHOUSE_URL: "http://dita:Pw%2Dreg-7731@127.0.0.1:8123",
      BINGX_API_KEY: "bxkey-registered-1",
      BINGX_API_SECRET: "bxsecret-registered-2",
    });
    expect(maskSecrets("Pw-reg-7731 Pw%2Dreg-7731 bxkey-registered-1 bxsecret-registered-2")).toBe("*** *** *** ***");
  });

  test("Hazelcast credentials go together, are kept in the configuration and the password is registered", () => {
    expect(() => loadConfig({ DITA_V2_HAZELCAST_USER: "dita" })).toThrow(
      "DITA_V2_HAZELCAST_PASSWORD: DITA_V2_HAZELCAST_USER and DITA_V2_HAZELCAST_PASSWORD go together (value not shown)",
    );
    const c = loadConfig({ DITA_V2_HAZELCAST_USER: "dita", DITA_V2_HAZELCAST_PASSWORD: "hz-pass-5566" });
    expect(c.hazelcast_credentials).toEqual({ user: "dita", password: "hz-pass-5566" });
    expect(maskSecrets("member said hz-pass-5566")).toBe("member said ***");
    expect(loadConfig({}).hazelcast_credentials).toBeNull();
  });
});
