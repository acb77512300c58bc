/**
 * An error the HTTP API answers is one printable line, also when it echoes what the client sent: a
 * control character in a path parameter, a query key, a JSON key or a token JSON.parse quotes is
 * shown escaped (`\n`, `\u001b`), never raw. Found by tests/property/http_hostile_input.test.ts:
 * `GET /slots/%0A` answered `got '<newline>'`, so a client printing the error printed two lines (an
 * escape sequence would have reached the operator's terminal).
 */

import { describe, expect, test } from "bun:test";
import { type ControlSnapshot, nextControlSnapshot } from "../../src/contracts/control.ts";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";

const TOKEN = "one-line-token-0123456789";
const deps = {
  slotCount: () => 4,
  operatorToken: () => TOKEN,
  refuseIntent: () => ({ accepted: false, slot: null, transitions: [], diagnostics: [] }),
  control: () => ({ version: 1 }),
} as unknown as HttpDeps;
const http = createHttp(deps);

async function errorOf(method: string, path: string, body?: string): Promise<[number, string]> {
  const headers = { Authorization: `Bearer ${TOKEN}`, Host: "127.0.0.1" };
  const req = new Request(`http://127.0.0.1${path}`, { method, headers, body });
  const res =
    method === "POST" && path.startsWith("/intents") ? await http.routes["/intents"]!.POST(req) : await http.fetch(req);
  return [res.status, ((await res.json()) as { error: string }).error];
}

describe("an error that echoes the client's input", () => {
  test("shows a control character in a slot id or a query key escaped, on one line", async () => {
    expect(await errorOf("GET", "/slots/%0A")).toEqual([
      400,
      "slot id must be a non-negative integer (slots are 0..3), got '\\n'",
    ]);
    expect(await errorOf("GET", "/slots?%1B%5B31m=1")).toEqual([
      400,
      "GET /slots takes no query string (got '\\u001b[31m'): a read has no parameters in its URL",
    ]);
    expect(await errorOf("GET", "/slots/%0A?x=1")).toEqual([
      400,
      "GET /slots/\\n takes no query string (got 'x'): a read has no parameters in its URL",
    ]);
    expect(await errorOf("POST", "/intents?%00=1", "{}")).toEqual([
      400,
      "POST /intents takes no query string (got '\\u0000'): send the request in the JSON body",
    ]);
  });

  test("shows a control character in a body's JSON key or a malformed token escaped, on one line", async () => {
    expect(await errorOf("POST", "/control", "\u0000")).toEqual([
      400,
      "malformed JSON: JSON Parse error: Unrecognized token '\\u0000'",
    ]);
    expect(await errorOf("POST", "/control", '{"a\\nb":1,"a\\nb":2}')).toEqual([
      400,
      "duplicate key 'a\\nb': a key may appear once in an object",
    ]);
    expect(await errorOf("POST", "/flatten", '{"timeout_ms\\n":1}')).toEqual([
      400,
      "unknown flatten field 'timeout_ms\\n' (only timeout_ms)",
    ]);
    expect(await errorOf("POST", "/intents", '{"type":"CANCEL","slot_id":0,"x\\u001by":1}')).toEqual([
      422,
      "CANCEL has no field 'x\\u001by'",
    ]);
  });

  test("cuts an over-long unknown key to 40 characters on /control and /flatten, as /intents does", async () => {
    const key = "k".repeat(15_000);
    const validating = createHttp({
      ...deps,
      control: (change: Record<string, unknown>) => nextControlSnapshot({} as ControlSnapshot, change, 4, 0),
    } as unknown as HttpDeps);
    const res = await validating.fetch(
      new Request("http://127.0.0.1/control", {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, Host: "127.0.0.1" },
        body: JSON.stringify({ [key]: 1 }),
      }),
    );
    expect([res.status, await res.json()]).toEqual([
      400,
      { error: `unknown control key '${"k".repeat(40)}'`, key: "k".repeat(40) },
    ]);
    const [flattenStatus, flattenError] = await errorOf("POST", "/flatten", JSON.stringify({ [key]: 1 }));
    expect([flattenStatus, flattenError]).toEqual([400, `unknown flatten field '${"k".repeat(40)}' (only timeout_ms)`]);
  });

  test("keeps the browser headers and the JSON content type when it escapes", async () => {
    const res = await http.fetch(new Request("http://127.0.0.1/slots/%1B", { headers: { Host: "127.0.0.1" } }));
    expect([res.status, res.headers.get("Content-Type"), res.headers.get("X-Frame-Options")]).toEqual([
      400,
      "application/json",
      "DENY",
    ]);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(await res.json()).toEqual({
      error: "slot id must be a non-negative integer (slots are 0..3), got '\\u001b'",
    });
  });
});
