/**
 * Exposure rules through the built executable: serve on a non-loopback address (0.0.0.0, reached
 * here over 127.0.0.1) needs the token on every route but /health and the console's files, GET
 * included; `dita-v2 status` sends it; every answer carries the browser headers and state routes
 * are not cached. On loopback, reads need no token, but a wrong one is still refused, and a
 * request naming a non-loopback host is refused. `POST /intents`, answered on Bun's own router
 * (src/http/intents_route.ts), keeps every one of these rules.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { run } from "./_exe.ts";
import { type Served, startServe } from "./_serve.ts";

let exposed: Served;
let local: Served;
let base: string;
beforeAll(async () => {
  exposed = await startServe({ DITA_V2_HTTP_HOST: "0.0.0.0", DITA_V2_SLOTS: "2" });
  base = exposed.url.replace("0.0.0.0", "127.0.0.1");
  local = await startServe({ DITA_V2_SLOTS: "2" });
});
afterAll(async () => {
  if (exposed.proc.exitCode === null) await exposed.stop();
  if (local.proc.exitCode === null) await local.stop();
});

const STATE_ROUTES = ["/status", "/slots", "/slots/0", "/metrics", "/control", "/equity", "/events"];
const get = (url: string, token?: string) =>
  fetch(url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });

describe("exposure", () => {
  test("beyond loopback every route but /health and the console's files needs the token, GET included", async () => {
    expect(exposed.stderr()).toContain("0.0.0.0 is not a loopback address: every route but /health needs the token");
    for (const path of STATE_ROUTES) {
      const res = await get(`${base}${path}`);
      expect([path, res.status]).toEqual([path, 401]);
      expect(((await res.json()) as any).error).toContain("missing bearer token: this server listens beyond loopback");
    }
    expect((await get(`${base}/slots/0`, "wrong-token-wrong-token")).status).toBe(401);
    expect((await get(`${base}/health`)).status).toBe(200);
    for (const path of ["/", "/console/app.js", "/console/app.css", "/console/favicon.svg"])
      expect([path, (await get(`${base}${path}`)).status]).toEqual([path, 200]);
  });

  test("with the token every route answers, and dita-v2 status sends it", async () => {
    for (const path of STATE_ROUTES.filter((p) => p !== "/events"))
      expect([path, (await get(`${base}${path}`, exposed.token)).status]).toEqual([path, 200]);
    const events = await get(`${base}/events`, exposed.token);
    expect(events.status).toBe(200);
    await events.body?.cancel();
    const status = run(["status", "--url", base], { DITA_V2_STATE_DIR: exposed.stateDir });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).strategy).toBe("pink");
  });

  test("every answer carries the browser headers; state routes are no-store, the console's files revalidate", async () => {
    for (const path of ["/health", "/status", "/", "/console/app.js", "/no-such-route"]) {
      const h = (await get(`${local.url}${path}`)).headers;
      expect(h.get("content-security-policy")).toContain("default-src 'self'");
      expect(h.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(h.get("content-security-policy")).not.toContain("unsafe-inline");
      expect(h.get("x-frame-options")).toBe("DENY");
      expect(h.get("x-content-type-options")).toBe("nosniff");
      expect(h.get("referrer-policy")).toBe("no-referrer");
    }
    for (const path of ["/health", "/status", "/slots", "/control", "/metrics", "/equity"])
      expect([path, (await get(`${local.url}${path}`)).headers.get("cache-control")]).toEqual([path, "no-store"]);
    const page = await get(`${local.url}/`);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const etag = page.headers.get("etag")!;
    const again = await fetch(`${local.url}/`, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
  });

  test("on loopback reads need no token, but a presented wrong token is refused", async () => {
    expect((await get(`${local.url}/status`)).status).toBe(200);
    const wrong = await get(`${local.url}/status`, "wrong-token-wrong-token");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error).toBe("wrong bearer token (see <state dir>/operator.token)");
    const basic = await fetch(`${local.url}/control`, { headers: { Authorization: "Basic abc" } });
    expect(((await basic.json()) as any).error).toBe("the Authorization header must be 'Bearer <token>'");
  });

  test("on loopback a request naming another host is refused (a DNS-rebound page reads nothing)", async () => {
    const rebound = await fetch(`${local.url}/status`, { headers: { Host: "rebound.example:80" } });
    expect(rebound.status).toBe(403);
    expect(((await rebound.json()) as any).error).toContain("answers loopback names only");
    for (const host of ["localhost:9000", `127.0.0.1:${new URL(local.url).port}`, "[::1]:7878"])
      expect([host, (await fetch(`${local.url}/status`, { headers: { Host: host } })).status]).toEqual([host, 200]);
    const exposedAnswer = await fetch(`${base}/health`, { headers: { Host: "dita.example" } });
    expect(exposedAnswer.status).toBe(200); // exposed on purpose: any name reaches it, the token guards it
  });

  test("POST /intents on Bun's router keeps the rules: Host, token, body limit, headers; other methods reach the app", async () => {
    const post = (url: string, headers: Record<string, string>, body: string | ReadableStream = "{}") =>
      fetch(`${url}/intents`, { method: "POST", headers, body });
    const checked = async (res: Response, status: number, error: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(((await res.json()) as any).error).toContain(error);
      return res;
    };
    const auth = { Authorization: `Bearer ${local.token}` };
    await checked(await post(local.url, { ...auth, Host: "rebound.example" }), 403, "answers loopback names only");
    const none = await checked(await post(local.url, {}), 401, "missing bearer token (see <state dir>/operator.token)");
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="dita-v2"');
    await checked(await post(local.url, { Authorization: "Basic abc" }), 401, "must be 'Bearer <token>'");
    await checked(await post(base, {}), 401, "missing bearer token: this server listens beyond loopback");
    await checked(await post(local.url, auth, "x".repeat(17_000)), 413, "body exceeds 16384 bytes");
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode("x".repeat(4000)));
        c.close();
      },
    });
    await checked(await post(local.url, auth, chunked), 413, "body exceeds 16384 bytes");
    await checked(await post(local.url, auth, "[1]"), 400, "body must be a JSON object");
    await checked(await post(local.url, auth, "{"), 400, "malformed JSON");
    await checked(await post(local.url, auth, '{"type":"ENTER"}'), 422, "");
    const refused = await post(local.url, auth, JSON.stringify({ type: "CANCEL", slot_id: 0 }));
    expect([refused.status, refused.headers.get("content-security-policy")]).toEqual([
      422,
      expect.stringContaining("default-src 'self'"),
    ]);
    const read = await fetch(`${local.url}/intents`);
    expect(read.status).toBe(404);
    expect(((await read.json()) as any).error).toBe("no route GET /intents");
  });

  test("the page, script and style the executable serves fit the 300 kB budget", async () => {
    let total = 0;
    for (const path of ["/", "/console/app.js", "/console/app.css"])
      total += (await (await get(`${local.url}${path}`)).arrayBuffer()).byteLength;
    expect(total).toBeGreaterThan(10_000);
    expect(total).toBeLessThanOrEqual(300 * 1024);
  });
});
