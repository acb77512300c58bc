/**
 * Malformed HTTP framing against `dist/dita-v2 serve`, over raw TCP. Bun's HTTP parser answers
 * these before the hono app runs, so their status codes are Bun's (README "HTTP API"): a garbled
 * request line, binary bytes or a malformed header get 400; a request line without an
 * `HTTP/1.x` version — including lines ended by a bare LF, which Bun's parser does not accept as a
 * line end — gets 505. The app cannot change those; this test pins them, so a Bun upgrade that
 * changes them is noticed, and proves serve keeps answering afterwards.
 */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { type Served, startServe } from "./_serve.ts";

let s: Served;
beforeAll(async () => {
  s = await startServe();
});
afterAll(async () => {
  await s.stop();
});

/** Sends raw bytes and returns the status line of the answer. */
function statusLine(raw: string | Uint8Array): Promise<string> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve) => {
    let out = "";
    const sock = connect(Number(port), hostname, () => sock.write(raw));
    const done = () => resolve(out.split("\r\n")[0] ?? "");
    sock.on("data", (d) => {
      out += d.toString("latin1");
    });
    sock.on("close", done);
    sock.on("error", done);
    setTimeout(() => sock.destroy(), 2_000);
  });
}

test("Bun's parser answers malformed framing before the app: 400 for garbage, 505 for a line without an HTTP/1.x version", async () => {
  expect(await statusLine("GARBAGE\r\n\r\n")).toBe("HTTP/1.1 400 Bad Request");
  expect(await statusLine(new Uint8Array([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10]))).toBe("HTTP/1.1 400 Bad Request");
  expect(await statusLine("GET /health HTTP/1.1\r\nHost x\r\n\r\n")).toBe("HTTP/1.1 400 Bad Request");
  expect(await statusLine("GET /health\r\n\r\n")).toBe("HTTP/1.1 505 HTTP Version Not Supported");
  expect(await statusLine("GET /health HTTP/1.1\nHost: 127.0.0.1\n\n")).toBe("HTTP/1.1 505 HTTP Version Not Supported");
  expect(await statusLine("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).toBe("HTTP/1.1 200 OK");
  expect((await s.call("/health")).status).toBe(200);
});
