/**
 * The REST transport (src/venue/bingx/http_wire.ts) at its connection limit: a request queued
 * because every connection is busy or still opening is written as soon as one of them is open and
 * free, not held until a busy one answers (an order must not wait behind slow reads while a
 * connection stands ready).
 */

import { afterEach, expect, test } from "bun:test";
import { HttpWire } from "../../src/venue/bingx/http_wire.ts";

const realConnect = Bun.connect;
afterEach(() => {
  (Bun as unknown as { connect: typeof Bun.connect }).connect = realConnect;
});

interface FakeConn {
  written: string[];
  open(): void;
  answer(raw: string): void;
}

/** Bun.connect replaced by in-memory connections: opened at once while `auto`, else when told. */
function fakeNet() {
  const conns: FakeConn[] = [];
  const net = { conns, auto: true };
  (Bun as unknown as { connect: unknown }).connect = (opts: {
    socket: { data(s: unknown, chunk: Uint8Array): void };
  }) =>
    new Promise((resolve) => {
      const written: string[] = [];
      const socket = {
        write: (b: Uint8Array) => {
          written.push(new TextDecoder().decode(b));
          return b.length;
        },
        ref() {},
        unref() {},
        setNoDelay() {},
        terminate() {},
        end() {},
      };
      const conn: FakeConn = {
        written,
        open: () => resolve(socket),
        answer: (raw) => opts.socket.data(socket, new TextEncoder().encode(raw)),
      };
      conns.push(conn);
      if (net.auto) conn.open();
    });
  return net;
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

test("a request queued at the connection limit is written on a connection as soon as it opens, not after a busy one answers", async () => {
  const net = fakeNet();
  const wire = new HttpWire("http://venue.test", { nowMs: () => 0 });
  const pending: Promise<unknown>[] = [];
  const send = (path: string) => {
    const p = wire.fetch(`http://venue.test${path}`, { method: "GET" });
    pending.push(p.catch(() => undefined));
    return p;
  };
  for (let i = 1; i <= 8; i++) {
    void send(`/read/${i}`);
    await settle();
  }
  expect(net.conns.length).toBe(8); // the pool is full, every connection holds a read
  net.auto = false;
  // The venue answers read 1 and closes its connection: a spare starts opening in its place.
  const first = net.conns.find((c) => c.written.some((w) => w.startsWith("GET /read/1 ")))!;
  first.answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
  await settle();
  expect(net.conns.length).toBe(9);
  void send("/openApi/swap/v2/trade/order?order=1"); // every connection busy or opening: queued
  await settle();
  net.conns[8]!.open();
  await settle();
  const carried = net.conns.flatMap((c) => c.written).filter((w) => w.includes("order=1"));
  expect(carried.length).toBe(1);
  wire.close();
  await Promise.all(pending);
});
