/**
 * A query string on a read was ignored without a word: `GET /slots?slot_id=2` answered every slot,
 * `GET /equity?since=...` the whole series, `GET /events?lastEventId=e1-5` a fresh stream (a reset)
 * as if nothing had been asked. No read takes a parameter in its URL: every GET of the API refuses a
 * query string with a 400 naming its first parameter, as every POST does, and opens nothing (no
 * event stream place is taken). The console's files take none either but hold no state: a query on
 * them is left to the browser (a bookmark's `?` must not break the page).
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { EventHub } from "../../src/events/index.ts";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";

const TOKEN = "r".repeat(16);
const hub = new EventHub({ clock: new ManualClock(), epoch: "e1", heartbeatMs: 60_000, flushMs: 0 });
const deps = {
  slotCount: () => 4,
  operatorToken: () => TOKEN,
  health: () => ({ ok: true, reasons: [] }),
  status: () => ({ status: "doc" }),
  slots: () => [{ slot_id: 0 }, { slot_id: 1 }],
  slot: (id: number) => ({ slot_id: id }),
  metrics: () => "m 1\n",
  controlSnapshot: () => ({ version: 1 }),
  fleet: async () => ({ kernels: [] }),
  events: hub,
} as unknown as HttpDeps;
const ASSETS = [{ path: "/", contentType: "text/html", body: "<html></html>" }];

const get = (pathAndQuery: string, o: { exposed?: boolean; method?: string; token?: string } = {}) =>
  createHttp(deps, { exposed: o.exposed ?? false, assets: ASSETS }).fetch(
    new Request(`http://127.0.0.1${pathAndQuery}`, {
      method: o.method ?? "GET",
      headers: { Host: "127.0.0.1", ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}) },
    }),
  );

describe("a query string on a GET", () => {
  test("is refused with a 400 naming its first parameter on every read of the API, and opens no stream", async () => {
    const cases: Array<[string, string]> = [
      ["/slots?slot_id=2", "slot_id"],
      ["/slots/1?verbose=1", "verbose"],
      ["/status?slot=3", "slot"],
      ["/equity?since=1700000000000", "since"],
      ["/events?lastEventId=e1-5", "lastEventId"],
      ["/metrics?name[]=x", "name[]"],
      ["/control?trading_state=HALTED", "trading_state"],
      ["/fleet?strategy=s1", "strategy"],
      ["/openapi.json?v=3", "v"],
      ["/status?", ""],
    ];
    for (const [url, first] of cases) {
      const r = await get(url);
      const path = url.slice(0, url.indexOf("?"));
      expect([url, r.status, await r.json()]).toEqual([
        url,
        400,
        { error: `GET ${path} takes no query string (got '${first}'): a read has no parameters in its URL` },
      ]);
      expect(r.headers.get("Cache-Control")).toBe("no-store");
    }
    const head = await get("/events?lastEventId=e1-5", { method: "HEAD" });
    expect(head.status).toBe(400);
    expect(hub.stats().clients).toBe(0);
  });

  test("is refused only after the token where one is needed; the console's files and unknown routes answer as before", async () => {
    expect((await get("/status?x=1", { exposed: true })).status).toBe(401);
    expect((await get("/status?x=1", { exposed: true, token: TOKEN })).status).toBe(400);
    expect((await get("/?x=1", { exposed: true })).status).toBe(200);
    expect((await get("/nope?x=1")).status).toBe(404);
    expect((await get("/slots")).status).toBe(200);
    expect(await (await get("/slots/1")).json()).toEqual({ slot_id: 1 });
  });

  test("/health takes any query: a probe's cache-buster does not fail the health check", async () => {
    const r = await get("/health?t=1700000000000");
    expect([r.status, await r.json()]).toEqual([200, { status: "ok" }]);
  });
});
