/**
 * Answers the REST transport (src/venue/bingx/http_wire.ts, _http_response.ts) must not trust:
 * - one a standard `Response` cannot carry (a status outside 200-599, a header name that is not a
 *   token, a control byte in a header value) is a framing error: the request rejects at once (its
 *   outcome is then unknown to the caller), its connection is closed, and the REST client returns
 *   the rate token it held, so later requests still go out. Never a request left hanging;
 * - header bytes 0x80-0xFF are read one character per byte, as `fetch` reads them;
 * - a body larger than BODY_MAX is refused as soon as it is announced (Content-Length, a chunk
 *   size), before any of it is buffered; and a body arriving in many packets is copied a bounded
 *   number of times (re-concatenating per packet copied the whole buffer on every packet).
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { BODY_MAX, HttpFramingError, ResponseReader, toResponse } from "../../src/venue/bingx/_http_response.ts";
import { Throttle } from "../../src/venue/bingx/_throttle.ts";
import * as ep from "../../src/venue/bingx/endpoints.ts";
import { HttpWire } from "../../src/venue/bingx/http_wire.ts";
import { BingxRestClient } from "../../src/venue/bingx/rest_client.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const BODY = '{"code":0,"msg":"","data":{"order":{"orderId":"1736012345678901234"}}}';
const answer = (head: string, body = BODY) =>
  Buffer.from(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, "utf8");

/** Resolves to what `p` did, or to "pending" when it had not settled after `ms`: a hang, shown as a failure. */
function outcome(p: Promise<unknown>, ms = 1500): Promise<string> {
  return Promise.race([
    p.then(
      () => "resolved",
      (e: Error) => `rejected: ${e.message}`,
    ),
    Bun.sleep(ms).then(() => "pending"),
  ]);
}

const unrepresentable: [string, string][] = [
  ["a status above 599", "HTTP/1.1 999 Odd"],
  ["status 600", "HTTP/1.1 600 Odd"],
  ["a header name holding a space", "HTTP/1.1 200 OK\r\nBad Header: x"],
  ["a header name with a space before its colon", "HTTP/1.1 200 OK\r\nX-Note : x"],
  ["a folded header line", "HTTP/1.1 200 OK\r\nX-Note: a\r\n b"],
  ["a control byte in a header value", "HTTP/1.1 200 OK\r\nX-Note: a\u0001b"],
];

describe("answers a standard Response cannot carry", () => {
  for (const [what, head] of unrepresentable)
    test(`${what} is a framing error of the reader`, () => {
      expect(() => new ResponseReader().feed(answer(head))).toThrow(HttpFramingError);
    });

  test("a parsed answer that Response refuses becomes a framing error, not a TypeError", () => {
    expect(() => toResponse({ status: 999, headers: [], body: new Uint8Array(0), keepAlive: true })).toThrow(
      HttpFramingError,
    );
  });

  test("header bytes 0x80-0xFF are read one character per byte, as fetch reads them", () => {
    const parsed = new ResponseReader().feed(answer("HTTP/1.1 200 OK\r\nX-Note: caf\u20ac"))!;
    const value = toResponse(parsed).headers.get("x-note")!;
    expect([...value].map((c) => c.charCodeAt(0))).toEqual([0x63, 0x61, 0x66, 0xe2, 0x82, 0xac]);
  });
});

describe("the wire and the REST client against such answers", () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
  });

  /** A venue answering its n-th request (from 1) with `reply(n)`; counts connections and requests. */
  function venue(reply: (n: number) => Uint8Array) {
    let requests = 0;
    let connections = 0;
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open() {
          connections++;
        },
        data(s) {
          s.write(reply(++requests));
        },
      },
    });
    cleanup.push(() => server.stop(true));
    return { url: `http://127.0.0.1:${server.port}`, requests: () => requests, connections: () => connections };
  }

  for (const [what, head] of [...unrepresentable, ["a UTF-8 header value", "HTTP/1.1 200 OK\r\nX-Note: caf\u20ac"]]) {
    test(`${what}: the request settles at once, and the next one is answered`, async () => {
      const v = venue((n) => (n === 1 ? answer(head!) : answer("HTTP/1.1 200 OK")));
      const w = new HttpWire(v.url, { nowMs: Date.now });
      cleanup.push(() => w.close());
      const first = await outcome(w.fetch(`${v.url}/x`, { method: "POST" }));
      if (what === "a UTF-8 header value") expect(first).toBe("resolved");
      else expect(first).toMatch(/^rejected: unreadable answer: /);
      expect(await (await w.fetch(`${v.url}/y`)).text()).toBe(BODY);
    });
  }

  test("an unreadable place answer is an unknown outcome and gives back its rate token: the next placement goes out", async () => {
    const v = venue((n) => (n === 1 ? answer("HTTP/1.1 200 OK\r\nBad Trace: x") : answer("HTTP/1.1 200 OK")));
    const clock = new ManualClock();
    const throttle = new Throttle({ clock, margin: 1, limitsPerS: { place_order: 1 }, sleep: (ms) => Bun.sleep(ms) });
    const rest = new BingxRestClient({
      apiKey: "k".repeat(20),
      secret: "s".repeat(20),
      baseUrl: v.url,
      recvWindowMs: 5000,
      clock,
      timeoutMs: 200,
      throttle,
    });
    cleanup.push(() => rest.close());
    const place = (cid: string) =>
      ep.placeOrder({
        symbol: "BTC-USDT",
        side: "BUY",
        positionSide: "LONG",
        type: "MARKET",
        quantity: "0.001",
        clientOrderID: cid,
      });
    expect(await outcome(rest.request(place("a1")))).toMatch(/unreadable answer.*outcome unknown/);
    clock.advance(1_000); // the window of the one place token has passed
    expect(await outcome(rest.request(place("a2")))).toBe("resolved");
    expect(v.requests()).toBe(2);
  });
});

describe("body bounds", () => {
  test("a Content-Length over BODY_MAX is refused at the header block, before any body byte", () => {
    const r = new ResponseReader();
    expect(() => r.feed(enc(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY_MAX + 1}\r\n\r\n`))).toThrow(/over/);
    expect(new ResponseReader().feed(enc(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY_MAX}\r\n\r\n`))).toBeNull();
  });

  test("a chunk whose size would take the body over BODY_MAX is refused at its size line", () => {
    const r = new ResponseReader();
    expect(() => r.feed(enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n"))).toThrow(/over/);
    const near = new ResponseReader();
    near.feed(enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n"));
    expect(() => near.feed(enc(`${(BODY_MAX - 3).toString(16)}\r\n`))).toThrow(/over/);
  });

  /** Bytes copied by Uint8Array `set` and `slice` while `f` runs (Buffer inherits both). */
  function bytesCopied(f: () => void): number {
    const proto = Uint8Array.prototype;
    const { set, slice } = proto;
    let copied = 0;
    proto.set = function (this: Uint8Array, src: ArrayLike<number>, at?: number) {
      copied += src.length;
      return set.call(this, src, at);
    };
    proto.slice = function (this: Uint8Array, start?: number, end?: number) {
      const out = slice.call(this, start, end);
      copied += out.length;
      return out;
    };
    try {
      f();
    } finally {
      proto.set = set;
      proto.slice = slice;
    }
    return copied;
  }

  for (const [framing, head, tail] of [
    ["Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 8388608\r\n\r\n", ""],
    ["chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800000\r\n", "\r\n0\r\n\r\n"],
  ] as const)
    test(`an 8 MiB ${framing} body in 64 KiB packets is copied a bounded number of times, not once per packet`, () => {
      const piece = new Uint8Array(64 * 1024).fill(0x61);
      const r = new ResponseReader();
      let done: ReturnType<ResponseReader["feed"]> = null;
      const copied = bytesCopied(() => {
        r.feed(enc(head));
        for (let i = 0; i < 128; i++) done = r.feed(piece);
        if (tail) done = r.feed(enc(tail));
      });
      expect(done!.body.length).toBe(8 * 1024 * 1024);
      expect(copied).toBeLessThan(4 * 8 * 1024 * 1024);
    });
});
