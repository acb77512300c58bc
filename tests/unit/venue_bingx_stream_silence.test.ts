/**
 * A user-stream socket that goes silent (src/venue/bingx/user_stream.ts): BingX pings every few
 * seconds, so a socket that has spoken and then says nothing for `silenceMaxMs` is dead (a
 * half-open TCP connection: no close ever arrives). It must be dropped and reopened, with a
 * catch-up, instead of waiting for ever while the venue's fills go nowhere.
 */

import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueDiagnostic } from "../../src/contracts/venue.ts";
import { BingxRestClient, UserStream } from "../../src/venue/bingx/index.ts";
import { FakeStreamTimers } from "../_support/stream_timers.ts";

const wait = async (pred: () => boolean, ms = 3000) => {
  for (let i = 0; i < ms / 5 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error("timed out");
};

const SILENCE_MS = 4_444;
const BACKOFF_MS = 100;

test("a socket silent for silenceMaxMs after it spoke is dropped and reopened (with a catch-up), not kept for ever", async () => {
  let connections = 0;
  let pongs = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("no", { status: 400 })),
    websocket: {
      open: (ws) => {
        connections++;
        ws.send(gzipSync(Buffer.from("Ping")));
      },
      // One more Ping for the first Pong, then silence: the path went dead.
      message: (ws) => void (++pongs === 1 && ws.send(gzipSync(Buffer.from("Ping")))),
    },
  });
  const rest = new BingxRestClient({
    apiKey: "k0123456789",
    secret: "s0123456789",
    baseUrl: "http://127.0.0.1:1",
    recvWindowMs: 5000,
    clock: new ManualClock(),
    timeoutMs: 1000,
    fetch: async (_url, init) =>
      new Response(init.method === "POST" ? '{"listenKey":"lk0123456789abcdef"}' : '{"code":0,"msg":"","data":{}}'),
  });
  const timers = new FakeStreamTimers();
  const opens: boolean[] = [];
  const diags: VenueDiagnostic[] = [];
  let downs = 0;
  const stream = new UserStream({
    rest,
    wsUrl: `ws://127.0.0.1:${server.port}/swap-market`,
    timers,
    onFrame: () => undefined,
    onDiagnostic: (d) => void diags.push(d),
    onOpen: (r) => void opens.push(r),
    onDown: () => void downs++,
    backoffBaseMs: BACKOFF_MS,
    openTimeoutMs: 777,
    stableAfterMs: 30_000,
    silenceMaxMs: SILENCE_MS,
  });
  try {
    await stream.start();
    await wait(() => pongs === 2 && timers.live(SILENCE_MS) !== undefined); // armed once the venue spoke
    expect(timers.fire(SILENCE_MS)).toBe(true); // a period with the second Ping in it: still alive
    expect(downs).toBe(0);
    expect(timers.fire(SILENCE_MS)).toBe(true); // a whole period without a frame: dead
    expect(downs).toBe(1);
    expect(stream.isOpen()).toBe(false);
    expect(diags.some((d) => d.code === "STREAM_RECONNECT" && d.message.includes("no frame"))).toBe(true);
    expect(timers.fire(BACKOFF_MS)).toBe(true); // the reconnect
    await wait(() => opens.length === 2);
    expect(opens).toEqual([false, true]); // reopened: the adapter catches up
    expect(connections).toBe(2);
  } finally {
    await stream.stop();
    server.stop(true);
  }
});
