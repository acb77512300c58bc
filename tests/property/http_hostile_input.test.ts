/**
 * A generative sweep of the HTTP API with hostile requests, in process, over a started Runtime (mock
 * venue, journal on) wired as serve wires it (the runtime's deps, the console's files, an event hub).
 * Every route of `GET /openapi.json` is hit with every method (those it does not allow too), odd path
 * parameters (slot ids -1, 2^53, 0x10, unicode, percent-encoding), odd query strings, missing, wrong
 * or malformed tokens, foreign Hosts, wrong or missing content types and bodies that are not JSON,
 * truncated JSON, JSON of the wrong type, deep nesting, NaN/Infinity spellings, numbers as strings,
 * 1e308, -0, extra and duplicate keys, oversized bodies, and near-valid intents, control changes and
 * flatten requests with one field made hostile. The runtime is HALTED, so a body that happens to be
 * valid sends no order. Each request goes to the app built for loopback or to the one built for an
 * address beyond it (every route but /health then needs the token).
 *
 * Properties (seed printed on failure):
 *   1. no answer is a 5xx;
 *   2. a 4xx answer is JSON `{ "error": "..." }`: one specific line (no stack trace, no bare status
 *      phrase), the JSON content type;
 *   3. a refused request (4xx) changes nothing: the kernel's state hash, slots, account, the journal's
 *      entries and the control snapshot (its version too) are what they were before it;
 *   4. the server keeps serving: `GET /status` answers 200 after every request.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { consoleAssets } from "../../src/console/index.ts";
import { controlChangeSchema } from "../../src/contracts/control.ts";
import { EventHub } from "../../src/events/index.ts";
import { createHttp, type HttpDeps, type HttpServer } from "../../src/http/index.ts";
import { openApiDocument } from "../../src/http/openapi.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { health, statusDocument } from "../../src/launcher/status.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

const TOKEN = "fuzz-token-0123456789abcdef";
const RUNS = 200;
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;

let dir = "";
let rt: Runtime;
let hub: EventHub;
/** The app as serve builds it on loopback, and as it builds it listening beyond (every route but /health needs the token). */
let http: { loopback: HttpServer; exposed: HttpServer };
let routes: Array<{ path: string; methods: string[] }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dita-http-fuzz-"));
  const env = {
    DITA_V2_STATE_DIR: dir,
    DITA_V2_RECONCILE_INTERVAL_MS: "0",
    DITA_V2_WARM_PATH_MS: "0",
    DITA_V2_TRADING_STATE: "HALTED",
  };
  const clock = new SystemClock();
  const bundle = await buildBundle(loadConfig(env), clock, {}, { journal: true, log: () => {} });
  hub = new EventHub({ clock, epoch: "fuzz", log: () => {} });
  rt = new Runtime(bundle, () => {}, hub);
  await rt.start();
  // As serve's `httpDeps` (src/launcher/serve.ts), less the fleet (cluster off: 404).
  const deps: HttpDeps = {
    health: () => health(rt),
    status: () => ({ ...statusDocument(rt), events: hub.stats(), fleet: { enabled: false, why: "cluster off" } }),
    slotCount: () => rt.b.kernel.slotCount,
    slot: (id) => rt.b.kernel.slot(id),
    slots: () => rt.b.kernel.slots(),
    metrics: () => rt.metrics.render([]),
    submitIntent: (intent) => rt.submitStrategy(intent),
    refuseIntent: (refusal) => rt.refuseAtEdge("http", refusal),
    control: (change) => rt.applyControl(change),
    controlSnapshot: () => rt.b.control.snapshot(),
    flatten: (request) => rt.flattener.run(request),
    operatorToken: () => TOKEN,
    log: () => {},
    events: hub,
  };
  http = {
    loopback: createHttp(deps, { exposed: false, assets: consoleAssets() }),
    exposed: createHttp(deps, { exposed: true, assets: consoleAssets() }),
  };
  const doc = openApiDocument({ slotCount: rt.b.kernel.slotCount, version: "fuzz" });
  routes = Object.entries(doc.paths as Record<string, object>).map(([path, ops]) => ({
    path,
    methods: Object.keys(ops).map((m) => m.toUpperCase()),
  }));
});

afterAll(async () => {
  hub.close();
  await rt.shutdown(500);
  rmSync(dir, { recursive: true, force: true });
});

/** Serve's dispatch: `POST /intents` on Bun's router, every other request to the hono app. */
async function send(req: Request, exposed = false): Promise<Response> {
  const app = exposed ? http.exposed : http.loopback;
  if (req.method === "POST" && new URL(req.url).pathname === "/intents") return app.routes["/intents"]!.POST(req);
  return app.fetch(req);
}

// ---- hostile parts of a request ----

const SLOT_IDS = ["-1", "9007199254740992", "9007199254740993", "0x10", "1e2", "1.5", "NaN", "Infinity", "-0"];
const ODD_IDS = ["", " 1", "%31", "%2F1", "%zz", "%", "%E0%A4%A", "%F0%9F%92%A9", "١", "１", "0", "1", "0001", ".."];
const pathParam = fc.oneof(
  fc.constantFrom(...SLOT_IDS, ...ODD_IDS),
  fc.string({ unit: "binary", maxLength: 12 }).map(encodeURIComponent),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
);
const pathSuffix = fc.constantFrom("", "", "", "/", "//", "/x", "/%00", "/..", ";x");
const query = fc.oneof(
  { weight: 4, arbitrary: fc.constant("") },
  fc.constantFrom("?", "?a=1", "?slot_id=2", "?trading_state=ACTIVE", "?%zz", "?x=%E0%A4%A", "?&&", "?#frag"),
  fc.string({ unit: "binary", maxLength: 16 }).map((s) => `?${encodeURIComponent(s)}=1`),
);
const headerText = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e\x80-\xff]/g, ""));
// Mostly the right token and a loopback Host, so most requests reach the route's own checks.
const auth = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(`Bearer ${TOKEN}`, `bearer  ${TOKEN}  `) },
  fc.constantFrom(undefined, "Bearer", "Bearer ", `Basic ${TOKEN}`, `Token ${TOKEN}`),
  fc.constantFrom(`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Bearer ${"x".repeat(4000)}`),
  headerText.map((s) => `Bearer ${s}`),
  headerText,
);
const host = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(undefined, "127.0.0.1", "127.0.0.1:7878", "localhost", "[::1]:1") },
  fc.constantFrom("evil.example", "127.0.0.1.evil.example", "", "[::2]"),
);
const contentType = fc.oneof(
  fc.constantFrom(undefined, "application/json", "text/plain", "application/x-www-form-urlencoded"),
  fc.constantFrom("multipart/form-data; boundary=x", "application/json; charset=latin1", "*/*", ";;"),
  headerText,
);

/** Values that break a field: wrong types, non-finite spellings, extremes, numbers as strings. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, "", "NaN", "Infinity", "-Infinity", "1", "0x10", "1e308", [], {}, [1], { a: 1 }),
  fc.constantFrom(-1, -0, 0, 1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, 1.5, 126, 1e15, 0.0000001),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);
const RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "-0", "0x10", "01", "+1", ".5", "1.", "1e", "--1"];

const ENTER = { type: "ENTER", slot_id: 0, trade_id: "F1", asset: "BTC-USDT", side: "LONG", size: 0.01, price: null };
const BASES: Record<string, Array<Record<string, unknown>>> = {
  "/intents": [
    { ...ENTER, leverage: 3 },
    { type: "EXIT", slot_id: 0, size: 0.01, price: null, reason: "SIGNAL" },
    { type: "CANCEL", slot_id: 0 },
    { type: "MARK_PRICE", asset: "BTC-USDT", price: 65000 },
    { type: "TICK", now_ms: 1 },
    { type: "SEED_CAPITAL", capital: 1e9, now_ms: 1 },
  ],
  "/control": [{ trading_state: "HALTED" }, { max_leverage: 5 }, { verbosity: "QUIET" }],
  "/flatten": [{ timeout_ms: 1000 }],
};

/** A near-valid body of `path`: one field hostile, dropped, renamed, or a key added. */
function nearValid(path: string): fc.Arbitrary<string> {
  const bases = BASES[path] ?? [{ a: 1 }];
  const keys = path === "/control" ? Object.keys(controlChangeSchema(8).properties) : ["type", "slot_id", "size"];
  return fc
    .tuple(fc.constantFrom(...bases), fc.constantFrom(...keys, "__proto__", "now_ms", "x"), hostileValue, fc.nat(3))
    .map(([base, key, value, how]) => {
      const body: Record<string, unknown> = { ...base };
      const field = how === 3 ? (Object.keys(base)[0] ?? key) : key;
      if (how === 0) body[field] = value;
      if (how === 1) delete body[Object.keys(base)[0]!];
      if (how === 2) body[`${field} `] = value;
      const text = JSON.stringify(body);
      return how === 3 ? `${text.slice(0, -1)},${JSON.stringify(field)}:${JSON.stringify(value) ?? 1}}` : text;
    });
}

const body = (path: string): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 4, arbitrary: nearValid(path) },
    nearValid(path).chain((t) => fc.nat(t.length - 1).map((n) => t.slice(0, n))), // truncated
    nearValid(path).chain((t) =>
      fc.constantFrom(...RAW_NUMBERS).map((n) => t.replace(/:(-?[\d.]+(?:e[+-]?\d+)?)([,}])/, `:${n}$2`)),
    ),
    fc.constantFrom(undefined, "", " ", "null", "[]", "1", '"x"', "true", "{", "}", "{a:1}", "{'a':1}", "\u0000"),
    fc.constantFrom('{"a":1,"a":2}', '{"type":"CANCEL","slot_id":0,"\\u0074ype":"CANCEL"}', "\uFEFF{}", "{}garbage"),
    fc.nat({ max: 9000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
    fc.nat({ max: 5000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
    fc.constantFrom(16 * 1024 - 8, 16 * 1024 + 1, 70_000).map((n) => `{"a":"${"x".repeat(n)}"}`),
    fc.string({ unit: "binary", maxLength: 64 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );

interface Hostile {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  exposed: boolean;
}

/** A hostile request to one of the routes whose document path `pick` takes (read when generated). */
const hostileRequest = (pick: (path: string) => boolean): fc.Arbitrary<Hostile> =>
  fc
    .constantFrom(0)
    .chain(() => fc.constantFrom(...routes.filter((r) => pick(r.path))))
    .chain((route) =>
      fc.record({
        method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...route.methods) }, fc.constantFrom(...METHODS)),
        path: fc
          .tuple(
            pathParam,
            pathSuffix,
            query,
            fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
          )
          .map(([id, suffix, q, odd]) => `${route.path.replace("{id}", id)}${odd ? suffix : ""}${q}`),
        auth,
        host,
        contentType,
        body: body(route.path),
        exposed: fc.boolean(),
      }),
    )
    .map(({ method, path, auth, host, contentType, body, exposed }) => {
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.Authorization = auth;
      if (host !== undefined) headers.Host = host;
      if (contentType !== undefined) headers["Content-Type"] = contentType;
      return { method, path, headers, body: method === "GET" || method === "HEAD" ? undefined : body, exposed };
    });

// ---- the properties ----

/** Everything a refused request must leave as it was. */
function observed(): string {
  const k = rt.b.kernel;
  return JSON.stringify({
    hash: k.stateHashHex(),
    slots: k.slots(),
    account: k.account(),
    journal: rt.b.inputs.entries,
    control: rt.b.control.snapshot(),
  });
}

/** An error that is not one specific line: a control character (two lines), a stack frame, a bare status phrase. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f\u2028\u2029]/;
const NOT_SPECIFIC = /\bat .+:\d+:\d+|^(Bad Request|Not Found|Unauthorized|Forbidden|error|invalid|internal error.*)$/i;

async function check(h: Hostile): Promise<void> {
  const req = new Request(`http://127.0.0.1${h.path}`, { method: h.method, headers: h.headers, body: h.body });
  const before = observed();
  const res = await send(req, h.exposed);
  const what = `${h.exposed ? "exposed " : ""}${h.method} ${h.path.slice(0, 80)} ${JSON.stringify(h.headers).slice(0, 120)} → ${res.status}`;
  expect([what, res.status < 500]).toEqual([what, true]);
  if (res.headers.get("Content-Type")?.startsWith("text/event-stream")) await res.body?.cancel();
  if (res.status >= 400) {
    if (h.method !== "HEAD") {
      expect([what, res.headers.get("Content-Type")?.startsWith("application/json")]).toEqual([what, true]);
      const answer = (await res.json()) as { error?: unknown };
      const error = typeof answer.error === "string" ? answer.error : "";
      expect([what, error.length >= 12, CONTROL_CHARACTER.test(error) || NOT_SPECIFIC.test(error)]).toEqual([
        what,
        true,
        false,
      ]);
    }
    expect([what, observed()]).toEqual([what, before]);
  } else await res.arrayBuffer().catch(() => {});
  const status = await send(new Request("http://127.0.0.1/status", { headers: { Host: "127.0.0.1" } }));
  expect([what, status.status]).toEqual([what, 200]);
  await status.arrayBuffer();
}

async function sweep(arb: fc.Arbitrary<Hostile>): Promise<void> {
  const r = await fc.check(fc.asyncProperty(arb, check), { numRuns: RUNS });
  if (r.failed) throw new Error(`property failed: seed=${r.seed}\n${fc.defaultReportMessage(r)}\n${r.errorInstance}`);
}

describe("hostile requests to every route of the OpenAPI document", () => {
  test("the document lists the routes swept (none is missed by the generator)", () => {
    expect(routes.map((r) => r.path)).toContain("/intents");
    expect(routes.map((r) => r.path)).toContain("/slots/{id}");
    expect(routes.length).toBeGreaterThanOrEqual(16);
  });

  for (const path of ["/intents", "/control", "/flatten", "/slots/{id}", "any"])
    test(`${path === "any" ? "on any route" : path}: never a 5xx, a 4xx names its reason in JSON, a refused request changes nothing, the server keeps serving`, async () => {
      await sweep(hostileRequest((p) => path === "any" || p === path));
    });

  test("a change that is carried out is seen by the observation (property 3 is not vacuous)", async () => {
    const before = observed();
    const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
    const req = new Request("http://127.0.0.1/control", { method: "POST", headers, body: '{"max_leverage":5}' });
    expect((await send(req)).status).toBe(200);
    expect(observed()).not.toBe(before);
  });
});
