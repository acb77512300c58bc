/**
 * A JSON body that names a key twice is refused with a 400 naming the key, on every route that
 * takes a body, and nothing is applied: JSON.parse silently kept the last value, so
 * `{"size":0.01,...,"size":1}` sent an order 100 times the size the first key asked for, and
 * `{"trading_state":"HALTED","trading_state":"ACTIVE"}` left trading on (the CLI's `control`
 * already refuses a key given twice). Escaped spellings of one key are the same key; the same
 * key in two different objects is not a duplicate.
 */

import { describe, expect, test } from "bun:test";
import { duplicateKey, parseObject } from "../../src/http/_body.ts";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";

const TOKEN = "t".repeat(16);
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
const post = (path: string, body: string) => {
  const req = new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, Host: "127.0.0.1", "Content-Type": "application/json" },
    body,
  });
  return path === "/intents" ? http.routes["/intents"]!.POST(req) : http.fetch(req);
};

describe("a key named twice", () => {
  test("POST /intents, /control and /flatten answer 400 naming the key, and apply nothing", async () => {
    const enter =
      '{"type":"ENTER","slot_id":0,"trade_id":"T1","asset":"BTC-USDT","side":"LONG","size":0.01,"leverage":2,"size":1}';
    const cases: Array<[string, string, string]> = [
      ["/intents", enter, "size"],
      ["/intents", '{"type":"CANCEL","slot_id":0,"slot_id":3}', "slot_id"],
      ["/control", '{"trading_state":"HALTED","trading_state":"ACTIVE"}', "trading_state"],
      ["/flatten", '{"timeout_ms":1000,"timeout_ms":60000}', "timeout_ms"],
    ];
    for (const [path, body, key] of cases) {
      const r = await post(path, body);
      expect([path, r.status, await r.json()]).toEqual([
        path,
        400,
        { error: `duplicate key '${key}': a key may appear once in an object` },
      ]);
    }
    expect(applied).toEqual([]);
    expect((await post("/intents", '{"type":"CANCEL","slot_id":3}')).status).toBe(200);
    expect(applied).toEqual([{ type: "CANCEL", slot_id: 3 }]);
  });

  test("escaped spellings are one key; one key in sibling or nested objects, or in strings, is not a duplicate", () => {
    expect(duplicateKey('{"size":1,"\\u0073ize":2}')).toBe("size");
    expect(duplicateKey('{"a":{"b":1,"c":{"b":2}},"d":{"b":3},"b":[{"b":1},{"b":2}]}')).toBeNull();
    expect(duplicateKey('{"a":"\\"a\\":1,","b":"{\\"a\\""}')).toBeNull();
    expect(duplicateKey('{"a":[1,{"x":1,"x":2}]}')).toBe("x");
    expect(duplicateKey('{"":1,"":2}')).toBe("");
    expect(duplicateKey(' { "k" : 1 , "k" : 2 } ')).toBe("k");
    expect(parseObject('{"a":1,"a":1}')).toBe("duplicate key 'a': a key may appear once in an object");
    expect(parseObject('{"a":{"a":1}}')).toEqual({ a: { a: 1 } });
  });
});
