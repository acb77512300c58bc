/**
 * Three ways bad input reached a kernel through the CLI's edge (found by an audit with hostile input
 * against the executable), each now refused or sent as written:
 *
 * - `intent json --body` parsed the text and wrote it again: `"price":1e999` became `null` (no limit
 *   price: a MARKET order, filled) and a key given twice kept its last value, where serve's edge refuses
 *   both (422 not finite, 400 duplicate key). The text now goes to serve as written.
 * - `--url http://HOST:PORT?` (or `#`) made `/health` the query or fragment of `/`: the console page
 *   answered 200 and `healthcheck` said healthy for a kernel whose /health answered 503. A query or a
 *   fragment is refused (exit 2, nothing sent), and healthy means serve's own `{"status":"ok"}`, not any 200.
 * - a blank DITA_V2_STATE_DIR, _ZINC_PREFIX, _STRATEGY, _HTTP_HOST or _HTTP_PORT (`=$VAR` with VAR unset)
 *   meant its default, another kernel's: a fresh state beside the real journal, another strategy's
 *   regions, a flatten sent to the local serve. Each is refused naming the variable.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { intentCommand } from "../../src/cli/intent.ts";
import { healthcheckCommand } from "../../src/cli/status.ts";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import { runCli } from "../_support/cli.ts";

const TOKEN = { DITA_V2_OPERATOR_TOKEN: "edge-audit-token-0123456789" };
const servers: Array<{ stop: (force?: boolean) => void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

/** A loopback server answering `answer(path)`; records the bodies POSTed to it. */
function server(answer: (path: string) => Response) {
  const bodies: string[] = [];
  const s = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      if (req.method === "POST") bodies.push(await req.text());
      return answer(new URL(req.url).pathname);
    },
  });
  servers.push(s);
  return { url: `http://127.0.0.1:${s.port}`, bodies };
}

describe("intent json sends the body as written", () => {
  test("a limit price of 1e999 and a key given twice reach serve byte for byte (serve refuses them), never rewritten", async () => {
    const s = server(() => Response.json({ accepted: false, error: "price must be finite" }, { status: 422 }));
    for (const text of [
      '{"type":"ENTER","slot_id":5,"trade_id":"inf1","asset":"ETH-USDT","side":"LONG","size":0.01,"leverage":2,"price":1e999}',
      '{"type":"MARK_PRICE","asset":"BTC-USDT","price":1,"price":64000}',
    ]) {
      const r = await runCli(intentCommand, ["json", "--body", text, "--url", s.url], TOKEN);
      expect(r.code).toBe(3); // serve's refusal, shown as such
      expect(s.bodies.at(-1)).toBe(text);
    }
  });
});

describe("healthcheck's URL and answer", () => {
  test("a --url with a query or a fragment is refused (exit 2) before anything is sent", async () => {
    const s = server((path) =>
      path === "/health"
        ? Response.json({ status: "unavailable", reasons: ["venue down"] }, { status: 503 })
        : new Response("<html>"),
    );
    for (const url of [`${s.url}?`, `${s.url}#`, `${s.url}/?x=1`, `ftp://127.0.0.1:1`, "127.0.0.1:7878"]) {
      const r = await runCli(healthcheckCommand, ["--url", url]);
      expect([url, r.code, /--url/.test(r.message)]).toEqual([url, 2, true]);
    }
    const unhealthy = await runCli(healthcheckCommand, ["--url", s.url]);
    expect([unhealthy.code, unhealthy.stdout]).toEqual([1, ""]); // printed by console.log, not captured
  });

  test("a 200 that is not serve's health document is unhealthy, exit 1", async () => {
    const page = server(() => new Response("<html>console</html>"));
    expect((await runCli(healthcheckCommand, ["--url", page.url])).code).toBe(1);
    const ok = server(() => Response.json({ status: "ok" }));
    expect((await runCli(healthcheckCommand, ["--url", ok.url])).code).toBe(0);
  });
});

describe("a blank variable that says which kernel this is", () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).message;
    }
    return "loaded";
  };

  test("each is refused naming it (a ConfigError: exit 2), never read as its default", () => {
    for (const name of [
      "DITA_V2_STATE_DIR",
      "DITA_V2_ZINC_PREFIX",
      "DITA_V2_STRATEGY",
      "DITA_V2_HTTP_HOST",
      "DITA_V2_HTTP_PORT",
    ]) {
      for (const blank of ["", "  "])
        expect(refusal({ DITA_V2_STATE_DIR: "/nonexistent-blank", [name]: blank })).toStartWith(
          `${name} is set but empty: it says which kernel this is`,
        );
    }
  });

  test("a blank tuning variable still takes its default", () => {
    const c = loadConfig({ DITA_V2_STATE_DIR: "/nonexistent-blank", DITA_V2_SLOTS: "", DITA_V2_HUNG_ORDER_MS: "" });
    expect([c.slots, c.hung_order_ms]).toEqual([8, 30_000]);
  });
});
