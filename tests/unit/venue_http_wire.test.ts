/**
 * The REST transport's own HTTP/1.1 (src/venue/bingx/http_wire.ts, _http_request.ts,
 * _http_response.ts): answers framed every way a server frames them, fed in any split; kept-alive
 * connections reused, with spares open so a request never waits behind another's answer;
 * requests beyond the pool answered in order; a connection that dies mid-request, an abort and a
 * refused connection each reject (never hang); bad bytes are a framing error, not a crash.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { encodeRequest } from "../../src/venue/bingx/_http_request.ts";
import { HttpFramingError, ResponseReader } from "../../src/venue/bingx/_http_response.ts";
import { HttpWire } from "../../src/venue/bingx/http_wire.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Feeds `raw` in pieces of `step` bytes; returns the response and the number of feeds that completed it. */
function readInPieces(raw: string, step: number) {
  const r = new ResponseReader();
  const bytes = enc(raw);
  for (let i = 0; i < bytes.length; i += step) {
    const done = r.feed(bytes.subarray(i, i + step));
    if (done) return { done, at: i + step >= bytes.length };
  }
  return { done: null, at: false };
}

describe("the response reader", () => {
  const lengthFramed = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"code":0}\n';
  const chunked =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-RateLimit-Requests-Remain: 3\r\n\r\n4\r\n{"co\r\n7;ext=1\r\nde":0}\n\r\n0\r\n\r\n';

  for (const step of [1, 2, 7, 1000]) {
    test(`a Content-Length body completes exactly at its last byte, fed ${step} bytes at a time`, () => {
      const { done, at } = readInPieces(lengthFramed, step);
      expect(at).toBe(true);
      expect(done!.status).toBe(200);
      expect(text(done!.body)).toBe('{"code":0}\n');
      expect(done!.keepAlive).toBe(true);
    });
    test(`a chunked body is joined and ends at its last chunk, fed ${step} bytes at a time`, () => {
      const { done, at } = readInPieces(chunked, step);
      expect(at).toBe(true);
      expect(text(done!.body)).toBe('{"code":0}\n');
      expect(done!.headers).toContainEqual(["X-RateLimit-Requests-Remain", "3"]);
    });
  }

  test("a body framed by the connection's end completes at end() and is not kept alive", () => {
    const r = new ResponseReader();
    expect(r.feed(enc("HTTP/1.1 200 OK\r\n\r\nhello "))).toBeNull();
    expect(r.feed(enc("world"))).toBeNull();
    const done = r.end();
    expect(text(done.body)).toBe("hello world");
    expect(done.keepAlive).toBe(false);
  });

  test("Connection: close and HTTP/1.0 answers are not kept alive; 204 has no body", () => {
    expect(
      new ResponseReader().feed(enc("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))!.keepAlive,
    ).toBe(false);
    expect(new ResponseReader().feed(enc("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"))!.keepAlive).toBe(false);
    expect(new ResponseReader().feed(enc("HTTP/1.1 204 No Content\r\n\r\n"))!.body.length).toBe(0);
  });

  const bad: [string, string][] = [
    ["not a status line", "SSH-2.0-OpenSSH\r\n\r\n"],
    ["an informational status", "HTTP/1.1 100 Continue\r\n\r\n"],
    ["a header line without a colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n"],
    ["a bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n"],
    ["a transfer coding other than chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"],
    ["a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
    ["bytes after the body (no pipelining)", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab"],
  ];
  for (const [what, raw] of bad)
    test(`${what} is a framing error`, () => {
      expect(() => new ResponseReader().feed(enc(raw))).toThrow(HttpFramingError);
    });

  test("a header block that never ends is refused past its bound, not buffered forever", () => {
    const r = new ResponseReader();
    expect(() => {
      for (let i = 0; i < 100; i++) r.feed(enc(`X-Pad-${i}: ${"a".repeat(1000)}\r\n`));
    }).toThrow(/header block over/);
  });

  test("a connection that ends mid-body is a cut answer, not a response", () => {
    const r = new ResponseReader();
    r.feed(enc("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    expect(() => r.end()).toThrow(/cut short/);
  });
});

describe("request bytes", () => {
  test("carry the method, target, Host, the caller's headers and a Content-Length", () => {
    const raw = text(encodeRequest("POST", "/a?b=1", "venue:81", { "X-BX-APIKEY": "k" }, "{}"));
    expect(raw.startsWith("POST /a?b=1 HTTP/1.1\r\nHost: venue:81\r\n")).toBe(true);
    expect(raw).toContain("X-BX-APIKEY: k\r\n");
    expect(raw.endsWith("Content-Length: 2\r\n\r\n{}")).toBe(true);
  });
  test("a header value holding a line break is refused (no header injection)", () => {
    expect(() => encodeRequest("GET", "/", "h", { a: "x\r\nEvil: 1" }, "")).toThrow(/line break/);
  });
});

describe("the wire against a server", () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
  });

  /** A raw TCP server: `onRequest(raw, socket)` decides what each request gets. */
  function rawServer(onRequest: (raw: string, socket: import("bun").Socket<{ buf: string }>) => void) {
    let connections = 0;
    const server = Bun.listen<{ buf: string }>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          connections++;
          s.data = { buf: "" };
        },
        data(s, chunk) {
          s.data.buf += new TextDecoder().decode(chunk);
          const end = s.data.buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const raw = s.data.buf.slice(0, end + 4);
          s.data.buf = s.data.buf.slice(end + 4);
          onRequest(raw, s);
        },
      },
    });
    cleanup.push(() => server.stop(true));
    return { url: `http://127.0.0.1:${server.port}`, connections: () => connections };
  }

  function wire(url: string, tls: { ca?: string } = {}) {
    const w = new HttpWire(url, { nowMs: Date.now, ...tls });
    cleanup.push(() => w.close());
    return w;
  }

  test("sequential requests reuse kept-alive connections (no new one per request) and see their own answers", async () => {
    const srv = rawServer((raw, s) => {
      const path = raw.split(" ")[1]!;
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`);
    });
    const w = wire(srv.url);
    const opened: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await w.fetch(`${srv.url}/p${i}?q=${i}`, { method: "GET", headers: { "X-BX-APIKEY": "key" } });
      expect(await res.text()).toBe(`/p${i}?q=${i}`);
      await Bun.sleep(10); // the spares open meanwhile
      opened.push(srv.connections());
    }
    // The first request's connection and the spares beside it; none after.
    expect(opened[0]).toBeLessThanOrEqual(3);
    expect(opened).toEqual(opened.map(() => opened[0]!));
  });

  test("while one request waits for its answer, the next is written at once on a spare: no handshake before its bytes", async () => {
    const held: Array<() => void> = [];
    let connectionsAtFast = -1;
    let srv: ReturnType<typeof rawServer> | null = null;
    srv = rawServer((raw, s) => {
      const path = raw.split(" ")[1]!;
      const answer = () => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`);
      if (path === "/slow") held.push(answer);
      else {
        if (path === "/order") connectionsAtFast = srv!.connections();
        answer();
      }
    });
    const w = wire(srv.url);
    expect(await (await w.fetch(`${srv.url}/warm`)).text()).toBe("/warm");
    await Bun.sleep(20);
    const slow = w.fetch(`${srv.url}/slow`); // a reconciliation's read the venue is slow to answer
    await Bun.sleep(20);
    const before = srv.connections();
    expect(await (await w.fetch(`${srv.url}/order`, { method: "POST" })).text()).toBe("/order");
    expect(connectionsAtFast).toBe(before); // the order went out on a connection already open
    for (const answer of held) answer();
    expect(await (await slow).text()).toBe("/slow");
  });

  test("a venue that hangs up on every connection is not hammered: spares back off until an answer comes", async () => {
    let connections = 0;
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          connections++;
          s.end();
        },
        data() {},
      },
    });
    cleanup.push(() => server.stop(true));
    const url = `http://127.0.0.1:${server.port}`;
    await expect(wire(url).fetch(`${url}/x`)).rejects.toThrow(/connection/);
    await Bun.sleep(400);
    // The request's connection and spares at 100, 200 ms (doubling): a handful, not a loop.
    expect(connections).toBeLessThanOrEqual(6);
  });

  test("more requests at once than the pool holds are all answered, each with its own body", async () => {
    const srv = rawServer((raw, s) => {
      const path = raw.split(" ")[1]!;
      setTimeout(
        () =>
          s.write(
            `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${path.length.toString(16)}\r\n${path}\r\n0\r\n\r\n`,
          ),
        2,
      );
    });
    const w = wire(srv.url);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => w.fetch(`${srv.url}/r${i}`, { method: "POST" }).then((r) => r.text())),
    );
    expect(answers).toEqual(Array.from({ length: 30 }, (_, i) => `/r${i}`));
    expect(srv.connections()).toBeLessThanOrEqual(8);
  });

  test("a connection closed before its answer rejects that request; the next one gets a new connection", async () => {
    let n = 0;
    const srv = rawServer((_raw, s) => {
      if (n++ === 0) s.end();
      else s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    const w = wire(srv.url);
    await expect(w.fetch(`${srv.url}/x`, { method: "POST" })).rejects.toThrow(/before its answer/);
    expect(await (await w.fetch(`${srv.url}/y`)).text()).toBe("ok");
  });

  test("an unreadable answer rejects the request and drops the connection", async () => {
    const srv = rawServer((_raw, s) => s.write("garbage\r\n\r\n"));
    await expect(wire(srv.url).fetch(`${srv.url}/x`)).rejects.toThrow(/unreadable answer/);
  });

  test("an abort rejects at once with an AbortError while the server stays silent", async () => {
    const srv = rawServer(() => {});
    const ctl = new AbortController();
    const pending = wire(srv.url).fetch(`${srv.url}/slow`, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  test("close() rejects the requests in flight and the queued ones, and opens nothing after", async () => {
    const srv = rawServer(() => {}); // never answers
    const w = new HttpWire(srv.url, { nowMs: Date.now });
    const pending = Array.from({ length: 12 }, (_, i) =>
      w.fetch(`${srv.url}/q${i}`).then(
        () => "answered",
        (e: Error) => e.message,
      ),
    );
    await Bun.sleep(30);
    const opened = srv.connections();
    w.close();
    const outcomes = await Promise.all(pending);
    expect(outcomes.every((o) => o !== "answered")).toBe(true);
    await Bun.sleep(30);
    expect(srv.connections()).toBe(opened);
    expect(opened).toBeLessThanOrEqual(8);
  });

  test("a refused connection rejects with a connection failure", async () => {
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    await expect(wire(`http://127.0.0.1:${port}`).fetch(`http://127.0.0.1:${port}/x`)).rejects.toThrow(
      /connection failed/,
    );
  });

  test("after the server closes an idle connection, the next request is still answered", async () => {
    const srv = rawServer((_raw, s) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      setTimeout(() => s.end(), 5); // the venue's keep-alive timeout, shortened
    });
    const w = wire(srv.url);
    expect(await (await w.fetch(`${srv.url}/a`)).text()).toBe("ok");
    await Bun.sleep(50);
    expect(await (await w.fetch(`${srv.url}/b`)).text()).toBe("ok");
  });

  test("a rehearsal builds the request and writes nothing: no connection, no byte", async () => {
    let bytes = 0;
    const srv = rawServer((raw) => {
      bytes += raw.length;
    });
    const w = wire(srv.url);
    for (let i = 0; i < 100; i++) w.rehearse(`${srv.url}/openApi/swap/v2/trade/order?a=${i}`, { method: "POST" });
    await Bun.sleep(30);
    expect([srv.connections(), bytes]).toEqual([0, 0]);
  });

  test("a request to another origin goes through the global fetch", async () => {
    const other = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("elsewhere") });
    cleanup.push(() => other.stop(true));
    const w = wire("http://127.0.0.1:9");
    expect(await (await w.fetch(`http://127.0.0.1:${other.port}/`)).text()).toBe("elsewhere");
  });

  test("idle connections, the used one and the one re-opened after the venue closed it, do not keep the process alive", async () => {
    const srv = rawServer((_raw, s) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      setTimeout(() => s.end(), 20); // the venue's idle timeout: the wire opens another
    });
    const wirePath = new URL("../../src/venue/bingx/http_wire.ts", import.meta.url).pathname;
    const script = `const { HttpWire } = await import(${JSON.stringify(wirePath)});
      const w = new HttpWire(${JSON.stringify(srv.url)}, { nowMs: Date.now });
      console.log(await (await w.fetch(${JSON.stringify(`${srv.url}/x`)})).text());
      await Bun.sleep(100);`;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    clearTimeout(killer);
    expect([out.trim(), code]).toEqual(["ok", 0]);
  });

  test("over TLS: the venue's certificate is verified; a trusted venue answers each request in turn", async () => {
    const fixtures = new URL("./fixtures/", import.meta.url).pathname;
    const cert = await Bun.file(`${fixtures}tls-test-only.crt`).text();
    const key = await Bun.file(`${fixtures}tls-test-only.key`).text();
    const srv = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { cert, key },
      fetch: (req) => new Response(new URL(req.url).pathname),
    });
    cleanup.push(() => srv.stop(true));
    const url = `https://localhost:${srv.port}`;
    const trusted = wire(url, { ca: cert });
    for (const path of ["/a", "/b", "/c"]) expect(await (await trusted.fetch(`${url}${path}`)).text()).toBe(path);
    await expect(wire(url).fetch(`${url}/x`)).rejects.toThrow(/connection/);
  });

  test("answers from a Bun.serve venue keep their status and headers", async () => {
    const srv = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req) =>
        new Response(JSON.stringify({ m: req.method, k: req.headers.get("x-bx-apikey") }), {
          status: 429,
          headers: { "Retry-After": "2" },
        }),
    });
    cleanup.push(() => srv.stop(true));
    const url = `http://127.0.0.1:${srv.port}`;
    const res = await wire(url).fetch(`${url}/o?a=1`, { method: "DELETE", headers: { "X-BX-APIKEY": "key" } });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toEqual({ m: "DELETE", k: "key" });
  });
});
