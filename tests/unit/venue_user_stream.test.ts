/**
 * User stream: listen key life cycle on injected timers, Ping/Pong, bounded exponential reconnect
 * backoff that never gives up (past reconnectMax: one STREAM_GAP, then the capped delay), and a
 * stop during a reconnect that leaves no socket open.
 */

import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueDiagnostic } from "../../src/contracts/venue.ts";
import { BingxRestClient, UserStream } from "../../src/venue/bingx/index.ts";
import { FakeStreamTimers } from "../_support/stream_timers.ts";

function restWithLog() {
  const calls: string[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    const u = new URL(url);
    calls.push(`${init.method} ${u.pathname} ${u.searchParams.get("listenKey") ?? ""}`.trim());
    return new Response(
      init.method === "POST" ? '{"listenKey":"lk0123456789abcdef"}' : '{"code":0,"msg":"","data":{}}',
    );
  };
  const rest = new BingxRestClient({
    apiKey: "k0123456789",
    secret: "s0123456789",
    baseUrl: "http://127.0.0.1:1",
    recvWindowMs: 5000,
    clock: new ManualClock(),
    timeoutMs: 1000,
    fetch,
  });
  return { rest, calls };
}

/**
 * A venue's user-stream endpoint. `down()` drops its sockets and refuses upgrades (503) on the same
 * port until `up()`: the venue is gone and comes back where it was, with no window in which another
 * socket could take the port (a restart on it could fail under load).
 */
function wsServer() {
  const got: string[] = [];
  let refusing = false;
  const open = new Set<{ close(): void }>();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => (!refusing && srv.upgrade(req) ? undefined : new Response("no", { status: 503 })),
    websocket: {
      open: (ws) => {
        if (refusing) return ws.close(); // upgraded just before down()
        open.add(ws);
        ws.send(gzipSync(Buffer.from("Ping")));
      },
      message: (_ws, m) => void got.push(String(m)),
      close: (ws) => void open.delete(ws),
    },
  });
  const down = () => {
    refusing = true;
    for (const ws of open) ws.close();
  };
  const up = () => {
    refusing = false;
  };
  return { server, got, url: `ws://127.0.0.1:${server.port}/swap-market`, down, up };
}

const wait = async (pred: () => boolean, ms = 10_000) => {
  for (let i = 0; i < ms / 5 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error("timed out");
};

test("the listen key is created, extended every 30 minutes, and closed on stop; Ping is answered with Pong", async () => {
  const { rest, calls } = restWithLog();
  const ws = wsServer();
  const timers = new FakeStreamTimers();
  const opens: boolean[] = [];
  const stream = new UserStream({
    rest,
    wsUrl: ws.url,
    timers,
    onFrame: () => undefined,
    onDiagnostic: () => undefined,
    onOpen: (r) => void opens.push(r),
  });
  try {
    await stream.start();
    expect(opens).toEqual([false]);
    expect(timers.intervals.map((i) => i.ms)).toEqual([30 * 60_000]);
    await wait(() => ws.got.includes("Pong"));
    timers.intervals[0]?.fn();
    await wait(() => calls.length >= 2);
    expect(calls[1]).toBe("PUT /openApi/user/auth/userDataStream lk0123456789abcdef");
    await stream.stop();
    expect(calls.at(-1)).toBe("DELETE /openApi/user/auth/userDataStream lk0123456789abcdef");
    expect(timers.intervals[0]?.live).toBe(false);
  } finally {
    ws.server.stop(true);
  }
});

test("reconnect backoff doubles up to its cap; past reconnectMax one STREAM_GAP, then tries at the cap until the venue is back", async () => {
  const { rest } = restWithLog();
  const ws = wsServer();
  const timers = new FakeStreamTimers();
  const diags: VenueDiagnostic[] = [];
  const opens: boolean[] = [];
  const stream = new UserStream({
    rest,
    wsUrl: ws.url,
    timers,
    onFrame: () => undefined,
    onDiagnostic: (d) => void diags.push(d),
    onOpen: (r) => void opens.push(r),
    backoffBaseMs: 100,
    backoffMaxMs: 500,
    reconnectMax: 5,
    openTimeoutMs: 777,
  });
  await stream.start();
  ws.down();
  await wait(() => !stream.isOpen()); // the drop seen: the first socket's silence watchdog is gone
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    await wait(() => retryPending(timers));
    delays.push(timers.fireNextRetry(777)!);
  }
  expect(delays).toEqual([100, 200, 400, 500, 500, 500, 500, 500]);
  expect(diags.filter((d) => d.code === "STREAM_GAP").map((d) => d.message)).toEqual([
    "user stream down after 5 reconnect attempts; trying again every 500 ms",
  ]);
  await wait(() => retryPending(timers)); // the 8th attempt failed (the venue still down) and the 9th waits
  ws.up(); // the venue is back where it was
  try {
    expect(timers.fireNextRetry(777)).toBe(500);
    await wait(() => opens.includes(true));
    expect(stream.isOpen()).toBe(true);
  } finally {
    await stream.stop();
    ws.server.stop(true);
  }
});

test("a stop while a reconnect is under way leaves no socket open", async () => {
  const { rest, calls } = restWithLog();
  const venue = flappingServer((n) => n === 1); // the first connection drops; the reconnect's stays
  const timers = new FakeStreamTimers();
  const stream = flappingStream(venue.url, timers, [], [], rest);
  try {
    await stream.start();
    await wait(() => retryPending(timers));
    timers.fireNextRetry(777); // the reconnect starts: a new listen key, then the socket
    await stream.stop(); // before it finished
    await wait(() => venue.sockets.length === 2);
    await wait(() => venue.closed === 2);
    expect(stream.isOpen()).toBe(false);
    expect(calls.filter((c) => c.startsWith("DELETE"))).toHaveLength(1); // the key, closed once
  } finally {
    venue.server.stop(true);
  }
});

/** A venue whose n-th connection (1-based) is closed by the server as soon as it opens when `dropAtOnce(n)`. */
function flappingServer(dropAtOnce: (n: number) => boolean) {
  const sockets: { close(): void }[] = [];
  let closed = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("no", { status: 400 })),
    websocket: {
      open: (ws) => {
        sockets.push(ws);
        if (dropAtOnce(sockets.length)) setTimeout(() => ws.close(1000, "bye"), 1);
      },
      close: () => void closed++,
      message: () => undefined,
    },
  });
  return {
    server,
    sockets,
    get closed() {
      return closed;
    },
    url: `ws://127.0.0.1:${server.port}/swap-market`,
  };
}

function flappingStream(
  url: string,
  timers: FakeStreamTimers,
  diags: VenueDiagnostic[],
  opens: boolean[],
  rest = restWithLog().rest,
) {
  return new UserStream({
    rest,
    wsUrl: url,
    timers,
    onFrame: () => undefined,
    onDiagnostic: (d) => void diags.push(d),
    onOpen: (r) => void opens.push(r),
    backoffBaseMs: 100,
    backoffMaxMs: 500,
    reconnectMax: 5,
    openTimeoutMs: 777,
    stableAfterMs: 30_000,
  });
}

const retryPending = (timers: FakeStreamTimers) =>
  timers.timeouts.some((t) => t.live && t.ms !== 777 && t.ms !== 30_000);

test("a venue that accepts the socket and closes it at once meets a growing backoff, one STREAM_GAP, then the capped delay: never a storm", async () => {
  const venue = flappingServer(() => true);
  const timers = new FakeStreamTimers();
  const diags: VenueDiagnostic[] = [];
  const opens: boolean[] = [];
  const stream = flappingStream(venue.url, timers, diags, opens);
  try {
    await stream.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      await wait(() => retryPending(timers));
      const ms = timers.fireNextRetry(777);
      if (ms !== undefined) delays.push(ms);
      await wait(() => opens.length === i + 2);
    }
    await wait(() => retryPending(timers));
    expect(delays).toEqual([100, 200, 400, 500, 500, 500, 500]);
    expect(opens).toEqual([false, true, true, true, true, true, true, true]); // every open was short-lived
    expect(diags.filter((d) => d.code === "STREAM_GAP")).toHaveLength(1);
    // No storm of reconnects and catch-ups: the next attempt waits the capped delay.
    expect(timers.timeouts.filter((t) => t.live && t.ms !== 777 && t.ms !== 30_000).map((t) => t.ms)).toEqual([500]);
  } finally {
    await stream.stop();
    venue.server.stop(true);
  }
});

test("a connection that stays open stableAfterMs resets the backoff; one closed sooner does not", async () => {
  const venue = flappingServer((n) => n <= 2); // the first two drop at once, the third stays up
  const timers = new FakeStreamTimers();
  const diags: VenueDiagnostic[] = [];
  const opens: boolean[] = [];
  const stream = flappingStream(venue.url, timers, diags, opens);
  try {
    await stream.start();
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      await wait(() => retryPending(timers));
      delays.push(timers.fireNextRetry(777) as number);
    }
    await wait(() => opens.length === 3 && stream.isOpen());
    const proving = timers.timeouts.filter((t) => t.live && t.ms === 30_000);
    expect(proving.length).toBe(1);
    proving[0]!.live = false;
    proving[0]!.fn(); // the third connection stayed open 30 s
    venue.sockets[2]!.close();
    await wait(() => retryPending(timers));
    delays.push(timers.fireNextRetry(777) as number);
    expect(delays).toEqual([100, 200, 100]);
  } finally {
    await stream.stop();
    venue.server.stop(true);
  }
});
