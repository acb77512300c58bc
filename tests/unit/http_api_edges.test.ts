/**
 * Edges of the HTTP API that a client meets and that no earlier test pinned:
 *
 * - the auth scheme is case-insensitive (RFC 9110 §11.1): `bearer <right token>` is let in on
 *   every route that takes the token, and a wrong token is refused in any spelling;
 * - the loopback Host check refuses a foreign Host on every route, the console's files included,
 *   and the OpenAPI document lists that 403 on every operation;
 * - `GET /slots/{id}` answers as the document says: any non-negative integer that names no slot is
 *   a 404 (not a 400 "must be an integer"), and `0001` names slot 1.
 */

import { describe, expect, test } from "bun:test";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";
import { openApiDocument } from "../../src/http/openapi.ts";

const TOKEN = "t0k3n-0123456789abcdef";
const outcome = { accepted: true, slot: null, transitions: [], diagnostics: [] };
const applied: unknown[] = [];
const baseDeps = {
  slotCount: () => 4,
  operatorToken: () => TOKEN,
  health: () => ({ ok: true, reasons: [] }),
  slot: (id: number) => ({ slot_id: id }),
  submitIntent: (i: unknown) => {
    applied.push(i);
    return outcome;
  },
  refuseIntent: () => ({ ...outcome, accepted: false }),
  control: (c: unknown) => {
    applied.push(c);
    return { version: 2 };
  },
} as unknown as HttpDeps;
const ASSETS = [{ path: "/", contentType: "text/html", body: "<html></html>" }];

async function call(
  deps: HttpDeps,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  exposed = false,
): Promise<Response> {
  const http = createHttp(deps, { exposed, assets: ASSETS });
  const req = new Request(`http://127.0.0.1${path}`, { method, headers: { Host: "127.0.0.1", ...headers }, body });
  return path === "/intents" && method === "POST" ? http.routes["/intents"]!.POST(req) : http.fetch(req);
}

describe("the bearer scheme", () => {
  test("is case-insensitive: the right token after 'bearer' or 'BEARER' is let in, a wrong one never", async () => {
    applied.length = 0;
    for (const exposed of [false, true])
      for (const scheme of ["bearer", "BEARER", "Bearer"]) {
        const auth = { Authorization: `${scheme} ${TOKEN}` };
        const intent = await call(baseDeps, "POST", "/intents", auth, '{"type":"CANCEL","slot_id":1}', exposed);
        const control = await call(baseDeps, "POST", "/control", auth, '{"trading_state":"HALTED"}', exposed);
        const read = await call(baseDeps, "GET", "/slots/0", auth, undefined, exposed);
        expect([scheme, exposed, intent.status, control.status, read.status]).toEqual([scheme, exposed, 200, 200, 200]);
        const wrong = { Authorization: `${scheme} ${TOKEN.slice(1)}x` };
        const refused = await call(baseDeps, "POST", "/control", wrong, '{"trading_state":"ACTIVE"}', exposed);
        expect([scheme, refused.status, await refused.json()]).toEqual([
          scheme,
          401,
          { error: "wrong bearer token (see <state dir>/operator.token)" },
        ]);
      }
    expect(applied).toHaveLength(12);
    expect(applied.some((c) => JSON.stringify(c).includes("ACTIVE"))).toBe(false);
  });
});

describe("the loopback Host check", () => {
  test("refuses a foreign Host on the console's files too, and every documented operation lists that 403", async () => {
    const r = await call(baseDeps, "GET", "/", { Host: "rebound.example:7878" });
    expect(r.status).toBe(403);
    const doc = openApiDocument({ slotCount: 4, version: "test" });
    const missing = Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>).flatMap(
      ([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => !("403" in op.responses))
          .map(([method]) => `${method} ${path}`),
    );
    expect(missing).toEqual([]);
  });
});

describe("GET /slots/{id}", () => {
  test("a non-negative integer that names no slot is a 404; leading zeros name the slot; anything else a 400", async () => {
    const answer = async (id: string) => {
      const r = await call(baseDeps, "GET", `/slots/${id}`);
      return [id, r.status, await r.json()];
    };
    expect(await answer("4")).toEqual(["4", 404, { error: "no slot 4: slots are 0..3" }]);
    expect(await answer("1000")).toEqual(["1000", 404, { error: "no slot 1000: slots are 0..3" }]);
    expect(await answer("99999999999999999999999999")).toEqual([
      "99999999999999999999999999",
      404,
      { error: "no slot 99999999999999999999: slots are 0..3" },
    ]);
    expect(await answer("0001")).toEqual(["0001", 200, { slot_id: 1 }]);
    for (const bad of ["-1", "1.5", "x", "1e2", "%201"]) expect((await answer(bad)).slice(0, 2)).toEqual([bad, 400]);
  });
});

describe("a route that throws", () => {
  test("answers one 500 line and leaves its cause in serve's log", async () => {
    const lines: string[] = [];
    const deps = {
      ...baseDeps,
      status: () => {
        throw new Error("mirror read failed\n    at statusDocument (runtime.ts:1:1)");
      },
      submitIntent: () => {
        throw new TypeError("slot image unreadable");
      },
      log: (l: string) => void lines.push(l),
    } as unknown as HttpDeps;
    const r = await call(deps, "GET", "/status");
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: "internal error: mirror read failed" });
    const intent = { type: "CANCEL", slot_id: 0 };
    const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
    expect((await call(deps, "POST", "/intents", auth, JSON.stringify(intent))).status).toBe(500);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toStartWith("http: GET /status answered 500: Error: mirror read failed");
    expect(lines[1]).toStartWith("http: POST /intents answered 500: TypeError: slot image unreadable");
  });
});
