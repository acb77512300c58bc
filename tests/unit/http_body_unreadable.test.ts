/**
 * A body that cannot be read on `POST /control` and `/flatten` (a chunked body cut off or malformed,
 * the client gone) or a chunked one beyond the 16 KiB limit. hono's bodyLimit let the stream's error
 * through to the app's error handler: serve logged the client's broken body as its own 500 with a
 * stack frame (`http: POST /control answered 500: AbortError: The connection was closed.`), and the
 * answer carried no `{"error"}` (found by an audit with hostile input). Now: 400 "could not read the
 * request body" or 413 as `POST /intents` answers, nothing applied, nothing logged as internal.
 */

import { describe, expect, test } from "bun:test";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";

const TOKEN = "t".repeat(16);

function app() {
  const applied: unknown[] = [];
  const logged: string[] = [];
  const deps = {
    slotCount: () => 4,
    operatorToken: () => TOKEN,
    control: (c: unknown) => {
      applied.push(c);
      return { version: 2 };
    },
    flatten: async (r: unknown) => {
      applied.push(r);
      return { complete: true };
    },
    log: (line: string) => logged.push(line),
  } as unknown as HttpDeps;
  return { http: createHttp(deps), applied, logged };
}

/** A chunked body (no Content-Length) of `chunks`, then, if `cut`, a stream that fails as a dropped connection. */
function streamed(path: string, chunks: string[], cut: boolean): Request {
  const enc = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (i < chunks.length) ctl.enqueue(enc.encode(chunks[i++]!));
      else if (cut) ctl.error(new DOMException("The connection was closed.", "AbortError"));
      else ctl.close();
    },
  });
  return new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, Host: "127.0.0.1", "Content-Type": "application/json" },
    body,
  });
}

describe("an unreadable or oversized streamed body on /control and /flatten", () => {
  test("cut off mid-body: 400 with one error line, nothing applied, no 500 logged", async () => {
    for (const path of ["/control", "/flatten"]) {
      const { http, applied, logged } = app();
      const r = await http.fetch(streamed(path, ['{"trading_state":"'], true));
      expect([path, r.status, await r.json()]).toEqual([path, 400, { error: "could not read the request body" }]);
      expect(applied).toEqual([]);
      expect(logged.filter((l) => l.includes("500"))).toEqual([]);
    }
  });

  test("a chunked body beyond 16 KiB: 413 with the limit named, nothing applied", async () => {
    for (const path of ["/control", "/flatten"]) {
      const { http, applied } = app();
      const r = await http.fetch(streamed(path, ['{"k":"', "x".repeat(20_000), '"}'], false));
      expect([path, r.status, await r.json()]).toEqual([path, 413, { error: "body exceeds 16384 bytes" }]);
      expect(applied).toEqual([]);
    }
  });

  test("a whole streamed body still reaches the handler (read once, then from hono's copy)", async () => {
    const { http, applied } = app();
    const r = await http.fetch(streamed("/control", ['{"trading_state":', '"HALTED"}'], false));
    expect(r.status).toBe(200);
    expect(applied).toEqual([{ trading_state: "HALTED" }]);
  });

  test("through Bun.serve, a chunked body past serve's 64 KiB socket limit: Bun's 413, and no 500 logged", async () => {
    const { http, applied, logged } = app();
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: 64 * 1024, fetch: http.fetch });
    try {
      for (const path of ["/control", "/flatten"]) {
        const big = new Blob(['{"k":"', "x".repeat(100_000), '"}']).stream(); // no length: sent chunked
        const r = await fetch(`http://127.0.0.1:${server.port}${path}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
          body: big,
          duplex: "half",
        } as RequestInit);
        expect([path, r.status]).toEqual([path, 413]); // Bun answers it itself, before any handler's answer
      }
      expect(applied).toEqual([]);
      expect(logged.filter((l) => l.includes("500"))).toEqual([]);
    } finally {
      server.stop(true);
    }
  });
});
