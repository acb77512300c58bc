/**
 * `GET /openapi.json` through the built executable: the document validates as OpenAPI 3.1
 * (@seriousme/openapi-schema-validator), its schemas compile under JSON Schema 2020-12 in ajv's
 * strict mode, and every route's real answers — status code, content type and body — from a
 * running serve (mock venue) match the operation the document gives for that status, including
 * errors and the data of every event kind `GET /events` sends. Every documented operation is
 * exercised at least once.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import { SseReader } from "../_support/sse.ts";
import { eventually, type Served, startServe } from "./_serve.ts";

let s: Served;
let doc: any;
const ajv = new Ajv2020({ strict: true, allErrors: true });
// The document's own keys are not JSON Schema keywords; everything under them is reached by $ref.
ajv.addVocabulary(["openapi", "info", "jsonSchemaDialect", "paths", "components"]);
const exercised = new Set<string>();

beforeAll(async () => {
  s = await startServe({ DITA_V2_SLOTS: "4", DITA_V2_MOCK_PRICES: "BTC-USDT=65000,ETH-USDT=3500" });
  const res = await fetch(`${s.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
  ajv.addSchema(doc, "openapi.json");
});
afterAll(async () => {
  if (s.proc.exitCode === null) expect(await s.stop()).toBe(0);
});

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

/** Validates `value` against the schema at a JSON pointer inside the document; returns ajv's errors. */
function errorsAt(path: string, value: unknown): string | null {
  const validate = ajv.getSchema(`openapi.json#/${path}`);
  if (validate === undefined) throw new Error(`no schema at ${path}`);
  return validate(value) ? null : ajv.errorsText(validate.errors);
}

/**
 * Calls the route and checks the answer against the document: the operation has a response for
 * the status, the content type is the documented one, and a JSON body matches its schema.
 */
async function answer(
  method: "get" | "post",
  template: string,
  init: { path?: string; body?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; raw: string }> {
  const headers: Record<string, string> = { ...init.headers };
  const token = init.token === undefined ? s.token : init.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${s.url}${init.path ?? template}`, { method, headers, body: init.body });
  const raw = await res.text();
  const op = doc.paths[template]?.[method];
  expect(op, `${method} ${template} is documented`).toBeDefined();
  const response = op.responses[String(res.status)];
  expect(response, `${method} ${template} documents status ${res.status}`).toBeDefined();
  exercised.add(`${method} ${template}`);
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!;
  if (res.status === 304) return { status: res.status, body: null, raw };
  expect(Object.keys(response.content ?? {}), `${method} ${template} ${res.status} content type`).toContain(type);
  if (type !== "application/json") return { status: res.status, body: raw, raw };
  const body = JSON.parse(raw);
  const at = pointer("paths", template, method, "responses", String(res.status), "content", type, "schema");
  expect(errorsAt(at, body), `${method} ${template} ${res.status}: ${raw.slice(0, 300)}`).toBeNull();
  return { status: res.status, body, raw };
}

const enter = (slot: number, tradeId: string, size = 0.01) =>
  JSON.stringify({
    type: "ENTER",
    slot_id: slot,
    trade_id: tradeId,
    asset: "BTC-USDT",
    side: "LONG",
    size,
    price: null,
    leverage: 5,
  });

describe("GET /openapi.json", () => {
  test("validates as an OpenAPI 3.1 document and every schema compiles under JSON Schema 2020-12 (strict)", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    for (const name of Object.keys(doc.components.schemas))
      expect(ajv.getSchema(`openapi.json#/components/schemas/${name}`), name).toBeDefined();
    expect((await answer("get", "/openapi.json")).body.openapi).toBe("3.1.0");
  });

  test("the request schemas are the ones the server parses with: a body the schema refuses is refused", () => {
    const intent = (x: unknown) => errorsAt(pointer("components", "schemas", "StrategyIntent"), x);
    expect(intent(JSON.parse(enter(0, "T1")))).toBeNull();
    expect(intent({ type: "TICK", now_ms: 1 })).not.toBeNull();
    const change = (x: unknown) => errorsAt(pointer("components", "schemas", "ControlChange"), x);
    expect(change({ trading_state: "HALTED", max_leverage: 10 })).toBeNull();
    expect(change({ active_slot_limit: 5 })).not.toBeNull(); // 4 slots in this serve
    expect(change({ backend: "BINGX" })).not.toBeNull();
    const flatten = (x: unknown) => errorsAt(pointer("components", "schemas", "FlattenRequest"), x);
    expect(flatten({})).toBeNull();
    expect(flatten({ timeout_ms: 5 })).not.toBeNull();
  });

  test("reads answer as documented: health, status, slots, slot, control, metrics, equity, fleet, the console's files", async () => {
    expect((await answer("get", "/health")).body).toEqual({ status: "ok" });
    await answer("get", "/status");
    expect((await answer("get", "/slots")).body).toHaveLength(4);
    await answer("get", "/slots/{id}", { path: "/slots/2" });
    expect((await answer("get", "/slots/{id}", { path: "/slots/x" })).status).toBe(400);
    expect((await answer("get", "/slots/{id}", { path: "/slots/9" })).status).toBe(404);
    await answer("get", "/control");
    expect((await answer("get", "/metrics")).raw).toContain("dita_v2_inputs_total");
    await answer("get", "/equity");
    expect((await answer("get", "/fleet")).status).toBe(404); // this serve runs with the cluster off
    for (const path of ["/", "/console/app.js", "/console/app.css", "/console/favicon.svg"])
      expect((await answer("get", path)).status).toBe(200);
    expect((await answer("get", "/status", { token: "wrong-token-0123456789" })).status).toBe(401);
    const foreign = await answer("get", "/status", { headers: { Host: "evil.example:7878" } });
    expect(foreign.status).toBe(403);
  });

  test("changes answer as documented: intents accepted and refused, control applied and refused, bodies refused", async () => {
    expect((await answer("post", "/intents", { body: enter(0, "OA1") })).status).toBe(200);
    const busy = await answer("post", "/intents", { body: enter(0, "OA2") });
    expect(busy.status).toBe(422);
    expect(busy.body.diagnostics[0].code).toBe("SLOT_BUSY");
    expect((await answer("post", "/intents", { body: '{"type":"TICK","now_ms":1}' })).status).toBe(422);
    expect((await answer("post", "/intents", { body: "{not json" })).status).toBe(400);
    expect((await answer("post", "/intents", { body: enter(1, "OA3"), token: null })).status).toBe(401);
    expect((await answer("post", "/intents", { body: JSON.stringify({ pad: "x".repeat(20_000) }) })).status).toBe(413);
    expect((await answer("post", "/control", { body: '{"max_leverage":20}' })).body.max_leverage).toBe(20);
    const fixed = await answer("post", "/control", { body: '{"backend":"BINGX"}' });
    expect(fixed).toMatchObject({ status: 400, body: { key: "backend" } });
    expect((await answer("post", "/control", { body: '{"max_leverage":20.5}' })).status).toBe(400);
    await eventually("slot 0 open", async () => (await s.call("/slots/0")).body.stage === "POSITION_OPEN");
    await answer("get", "/status");
  });

  test("flatten answers as documented, and so does the status document that then holds its report", async () => {
    expect((await answer("post", "/flatten", { body: '{"timeout_ms":2}' })).status).toBe(400);
    const r = await answer("post", "/flatten", { body: '{"timeout_ms":10000}' });
    expect(r.body).toMatchObject({ complete: true, trading_state: "HALTED" });
    expect((await answer("get", "/status")).body.flatten).toEqual(r.body);
    expect((await answer("post", "/control", { body: '{"trading_state":"ACTIVE"}' })).status).toBe(200);
  });

  test("every event the stream sends matches the data schema the document names for its kind", async () => {
    const res = await fetch(`${s.url}/events`, { headers: { Accept: "text/event-stream" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    exercised.add("get /events");
    const kinds = doc.paths["/events"].get.responses["200"]["x-events"];
    const reader = new SseReader(res.body!);
    expect((await answer("post", "/intents", { body: enter(2, "OA4") })).status).toBe(200);
    await answer("post", "/intents", { body: enter(2, "OA5") }); // a diagnostic
    await eventually("slot 2 open", async () => (await s.call("/slots/2")).body.stage === "POSITION_OPEN");
    await answer("post", "/flatten", { body: "{}" });
    await answer("post", "/control", { body: '{"trading_state":"ACTIVE"}' });
    const want = ["reset", "transition", "diagnostic", "account", "control", "flatten"];
    const finished = (f: { event: string; data: any }) => f.event === "flatten" && f.data.phase === "FINISHED";
    const frames = await reader.until(
      "every event kind and the flatten's answer",
      (f) => want.every((k) => f.some((x) => x.event === k)) && f.some(finished),
    );
    await reader.cancel();
    expect(Object.keys(kinds).sort()).toEqual([...want].sort());
    for (const f of frames) {
      const name = kinds[f.event]?.$ref?.split("/").pop();
      expect(name, `event ${f.event} is documented`).toBeDefined();
      expect(
        errorsAt(pointer("components", "schemas", name), f.data),
        `${f.event} ${JSON.stringify(f.data)}`,
      ).toBeNull();
    }
    const phases = frames.filter((f) => f.event === "flatten").map((f) => f.data.phase);
    expect(phases).toEqual(["STARTED", "FINISHED"]);
  });

  test("every documented operation was exercised against the running serve", () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m} ${path}`),
    );
    expect(documented.filter((op) => !exercised.has(op))).toEqual([]);
  });
});
