/**
 * A query string on a mutating route was ignored without a word: `POST /control?trading_state=HALTED`
 * with a body that changed something else answered 200 and left trading on, `POST /flatten?timeout_ms=5000`
 * waited the default 30 s, `POST /intents?slot_id=3` sent the body's order. Every POST route now
 * refuses a query string with a 400 naming its first parameter, and nothing reaches the runtime.
 */

import { describe, expect, test } from "bun:test";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";

const TOKEN = "q".repeat(16);
const applied: unknown[] = [];
const outcome = { accepted: true, slot: null, transitions: [], diagnostics: [] };
const deps = {
  slotCount: () => 4,
  operatorToken: () => TOKEN,
  submitIntent: (i: unknown) => {
    applied.push(i);
    return outcome;
  },
  refuseIntent: () => ({ ...outcome, accepted: false }),
  control: (c: unknown) => {
    applied.push(c);
    return { version: 2 };
  },
  flatten: async (r: unknown) => {
    applied.push(r);
    return { complete: true };
  },
} as unknown as HttpDeps;
const http = createHttp(deps);

const post = (pathAndQuery: string, body: string, token = TOKEN) => {
  const req = new Request(`http://127.0.0.1${pathAndQuery}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, Host: "127.0.0.1", "Content-Type": "application/json" },
    body,
  });
  return new URL(req.url).pathname === "/intents" ? http.routes["/intents"]!.POST(req) : http.fetch(req);
};

describe("a query string on a POST route", () => {
  test("is refused with a 400 naming the parameter, and nothing is applied", async () => {
    applied.length = 0;
    const cases: Array<[string, string, string]> = [
      ["/control?trading_state=HALTED", '{"mode":"DEBUG"}', "trading_state"],
      ["/flatten?timeout_ms=5000", "", "timeout_ms"],
      ["/intents?slot_id=3", '{"type":"CANCEL","slot_id":0}', "slot_id"],
      ["/control?", '{"mode":"DEBUG"}', ""],
    ];
    for (const [path, body, param] of cases) {
      const route = path.split("?")[0];
      const r = await post(path, body);
      expect([path, r.status, await r.json()]).toEqual([
        path,
        400,
        {
          error: `POST ${route} takes no query string (got '${param}'): send the request in the JSON body`,
        },
      ]);
    }
    expect(applied).toEqual([]);
  });

  test("a wrong token is still a 401 first; without a query every route applies as before", async () => {
    expect((await post("/control?x=1", '{"mode":"DEBUG"}', "w".repeat(16))).status).toBe(401);
    expect((await post("/intents?x=1", '{"type":"CANCEL","slot_id":0}', "w".repeat(16))).status).toBe(401);
    applied.length = 0;
    for (const [path, body] of [
      ["/control", '{"mode":"DEBUG"}'],
      ["/flatten", ""],
      ["/intents", '{"type":"CANCEL","slot_id":0}'],
    ] as const)
      expect([path, (await post(path, body)).status]).toEqual([path, 200]);
    expect(applied).toHaveLength(3);
  });
});
