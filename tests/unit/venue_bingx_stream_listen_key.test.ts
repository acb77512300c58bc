/**
 * The user stream's listen key (src/venue/bingx/user_stream.ts): a key the venue no longer knows
 * (it lapsed or was dropped while the socket was down, so no `listenKeyExpired` frame could say
 * so) makes every open fail; the stream must take a new key, not retry the dead one until the
 * 30-minute keep-alive happens to notice.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { BingxRestClient, UserStream } from "../../src/venue/bingx/index.ts";
import { FakeStreamTimers } from "../_support/stream_timers.ts";

const OPEN_TIMEOUT_MS = 777;
const STABLE_MS = 30_000;
const retryPending = (t: FakeStreamTimers) =>
  t.timeouts.some((x) => x.live && x.ms !== OPEN_TIMEOUT_MS && x.ms !== STABLE_MS);
const fireRetry = (t: FakeStreamTimers) => {
  const x = t.timeouts.find((y) => y.live && y.ms !== OPEN_TIMEOUT_MS && y.ms !== STABLE_MS);
  if (x) {
    x.live = false;
    x.fn();
  }
};
const wait = async (pred: () => boolean, ms = 3000) => {
  for (let i = 0; i < ms / 5 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error("timed out");
};

/** A venue that upgrades only sockets of keys it knows; each POST issues a new key. */
function venue() {
  const valid = new Set<string>();
  const used: string[] = [];
  const sockets: { close(): void }[] = [];
  let issued = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => {
      const key = new URL(req.url).searchParams.get("listenKey") ?? "";
      used.push(key);
      if (!valid.has(key)) return new Response('{"code":80001,"msg":"listenKey does not exist"}', { status: 401 });
      return srv.upgrade(req) ? undefined : new Response("no", { status: 400 });
    },
    websocket: { open: (ws) => void sockets.push(ws), message: () => undefined },
  });
  const rest = new BingxRestClient({
    apiKey: "k0123456789",
    secret: "s0123456789",
    baseUrl: "http://127.0.0.1:1",
    recvWindowMs: 5000,
    clock: new ManualClock(),
    timeoutMs: 1000,
    fetch: async (_url, init) => {
      if (init.method !== "POST") return new Response('{"code":0,"msg":"","data":{}}');
      const key = `listenkey000${++issued}`;
      valid.add(key);
      return new Response(JSON.stringify({ listenKey: key }));
    },
  });
  return { server, rest, valid, used, sockets, url: `ws://127.0.0.1:${server.port}/swap-market` };
}

test("a listen key the venue dropped while the socket was down is replaced: the stream opens again with a new key", async () => {
  const v = venue();
  const timers = new FakeStreamTimers();
  const opens: boolean[] = [];
  const stream = new UserStream({
    rest: v.rest,
    wsUrl: v.url,
    timers,
    onFrame: () => undefined,
    onDiagnostic: () => undefined,
    onOpen: (r) => void opens.push(r),
    backoffBaseMs: 100,
    backoffMaxMs: 500,
    reconnectMax: 5,
    openTimeoutMs: OPEN_TIMEOUT_MS,
    stableAfterMs: STABLE_MS,
  });
  try {
    await stream.start();
    expect(stream.listenKey()).toBe("listenkey0001");
    v.valid.clear(); // the venue forgets the key (maintenance, a lapse) ...
    for (const s of v.sockets) s.close(); // ... and drops the socket: no listenKeyExpired frame
    await wait(() => retryPending(timers));
    for (let i = 0; i < 4 && !opens.includes(true); i++) {
      fireRetry(timers); // one reconnect attempt ...
      await wait(() => retryPending(timers) || opens.includes(true)); // ... fails (next one pending) or opens
    }
    expect(opens).toEqual([false, true]);
    expect(stream.isOpen()).toBe(true);
    expect(stream.listenKey()).not.toBe("listenkey0001");
  } finally {
    await stream.stop();
    v.server.stop(true);
  }
});
