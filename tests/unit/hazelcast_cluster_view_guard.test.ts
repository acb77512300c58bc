/**
 * hazelcast-client's cluster-view listener, as every client of this process runs it (loaded through
 * `hazelcastLib`, which guards it: src/projection/_hz_view_guard.ts), meeting a connection whose
 * writer failed while the connection still counts as alive — the state a member that died mid-write
 * leaves until the socket's `error` event, which under Bun waits for the event loop. Unguarded, the
 * listener's re-registration picks that connection again at every failure, each failure arriving on
 * the next tick: the event loop never runs again (a serve of the fleet e2e grew to 23 GB that way).
 *
 * The library's own `ClusterViewListenerService` runs here with its collaborators replaced by small
 * doubles: a registry handing out its first alive connection, connections whose failed writer rejects
 * every write on the next tick (as the library's `PipelinedWriter` does), and an invocation service
 * that stops answering after 2000 attempts, so an unguarded loop ends and fails the test instead of
 * hanging it.
 */
import { describe, expect, test } from "bun:test";
import { createRequire } from "node:module";
import { REGISTER_PAUSE_MS } from "../../src/projection/_hz_view_guard.ts";
import { hazelcastLib } from "../../src/projection/_libs.ts";

const LOOP_CAP = 2000;

interface FakeConnection {
  name: string;
  closed: { reason: string; cause: unknown } | null;
  writer: { error?: Error };
  isAlive(): boolean;
  close(reason: string, cause: Error | null): void;
  getRemoteUuid(): string;
  getClusterUuid(): null;
  toString(): string;
}

interface ViewListenerService {
  listenerAddedConnection: FakeConnection | null;
  start(): void;
  tryRegister(c: FakeConnection): void;
}

async function listenerWorld() {
  await hazelcastLib(); // installs the guard, as before any client of this process exists
  const lib = createRequire(import.meta.url);
  const { ClusterViewListenerService } = lib("hazelcast-client/lib/listener/ClusterViewListenerService") as {
    ClusterViewListenerService: new (...args: unknown[]) => ViewListenerService;
  };
  // The registry by member: a closed connection in it is handed out like any other (as the library's does).
  const registered: FakeConnection[] = [];
  const handlers: Record<string, (c: FakeConnection) => void> = {};
  const attempts: string[] = [];
  const registry = {
    getRandomConnection: () => registered[0] ?? null,
    getConnection: (uuid: string) => registered.find((c) => c.name === uuid) ?? null,
  };
  const connectionManager = {
    on: (event: string, h: (c: FakeConnection) => void) => (handlers[event] = h),
    getConnectionRegistry: () => registry,
    /** As the library's: only the registry's own connection for its member is removed, then listeners hear it. */
    onConnectionClose(c: FakeConnection) {
      const at = registered.indexOf(c);
      if (at < 0) return;
      registered.splice(at, 1);
      handlers.connectionRemoved?.(c);
    },
  };
  const invocationService = {
    invocationTimeoutMillis: 120_000,
    invokeUrgent(inv: { connection: FakeConnection }): Promise<void> {
      attempts.push(inv.connection.name);
      if (attempts.length >= LOOP_CAP) return new Promise(() => {}); // an unguarded loop ends here
      const failure = inv.connection.writer.error;
      if (failure === undefined) return Promise.resolve(); // registered
      return new Promise((_, reject) => process.nextTick(() => reject(failure)));
    },
  };
  const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const clusterService = { onClusterConnect() {}, handleMembersViewEvent() {} };
  const svc = new ClusterViewListenerService(silent, connectionManager, {}, clusterService, invocationService);
  svc.start();
  const connection = (name: string, writerError?: Error): FakeConnection => {
    const c: FakeConnection = {
      name,
      closed: null,
      writer: writerError === undefined ? {} : { error: writerError },
      isAlive: () => c.closed === null,
      close(reason, cause) {
        if (c.closed !== null) return;
        c.closed = { reason, cause };
        c.writer.error ??= new Error(reason); // a closed connection's writer refuses every write
        connectionManager.onConnectionClose(c);
      },
      getRemoteUuid: () => name,
      getClusterUuid: () => null,
      toString: () => `Connection{${name}}`,
    };
    registered.push(c);
    return c;
  };
  /** A connection closed while it was authenticating, then registered by the authentication's answer. */
  const closedButRegistered = (name: string): FakeConnection => {
    const c = connection(name);
    registered.pop();
    c.close("Connection closed by the other side.", null); // not registered yet: nothing to remove
    registered.push(c);
    return c;
  };
  return { svc, connection, closedButRegistered, registered, attempts };
}

/** Resolves after `ms` by a timer: it only resolves if the event loop runs. */
const timerAfter = (ms: number) => new Promise<number>((r) => setTimeout(() => r(performance.now()), ms));

describe("hazelcast-client's cluster-view listener under the guard", () => {
  test("a connection whose writer failed is closed with that error, and the listener moves to a live one: no loop of re-registrations", async () => {
    const { svc, connection, attempts } = await listenerWorld();
    const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    const dead = connection("dead", epipe);
    svc.tryRegister(dead);
    const live = connection("live");
    const t0 = performance.now();
    const woke = await timerAfter(10);
    await timerAfter(REGISTER_PAUSE_MS * 3);
    expect({
      attempts: attempts.length < 5,
      eventLoopRan: woke - t0 < 1_000,
      deadClosedWith: dead.closed?.cause,
      listenerOn: svc.listenerAddedConnection?.name,
    }).toEqual({ attempts: true, eventLoopRan: true, deadClosedWith: epipe, listenerOn: live.name });
    expect(dead.closed?.reason).toContain("write EPIPE");
    expect(attempts).toEqual(["dead", "live"]);
  });

  test("while every connection's writer failed, each re-registration waits its pause: the event loop runs between attempts", async () => {
    const { svc, connection, attempts } = await listenerWorld();
    const first = connection("a", new Error("write ECONNRESET"));
    for (const n of ["b", "c", "d", "e", "f", "g", "h"]) connection(n, new Error("write ECONNRESET"));
    svc.tryRegister(first);
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(attempts.length), 10);
    await timerAfter(REGISTER_PAUSE_MS * 3.5);
    clearInterval(ticker);
    // One attempt per pause at most (the first at once), never the cap an unguarded loop reaches.
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThanOrEqual(5);
    expect(ticks.length).toBeGreaterThan(10); // the interval kept running throughout
    expect(attempts.slice(0, 3)).toEqual(["a", "b", "c"]); // each failed one closed, the next tried
  });

  test("a closed connection the registry still holds (closed while authenticating, registered after) is removed from it, and the listener moves to a live one", async () => {
    const { svc, connection, closedButRegistered, registered, attempts } = await listenerWorld();
    const stale = closedButRegistered("stale");
    const live = connection("live");
    svc.tryRegister(stale);
    await timerAfter(REGISTER_PAUSE_MS * 3);
    expect({
      attempts,
      registered: registered.map((c) => c.name),
      listenerOn: svc.listenerAddedConnection?.name,
    }).toEqual({ attempts: ["stale", "live"], registered: ["live"], listenerOn: live.name });
  });

  test("a listener whose connection was removed normally re-registers on another after one pause", async () => {
    const { svc, connection, attempts } = await listenerWorld();
    const a = connection("a");
    svc.tryRegister(a);
    const b = connection("b");
    a.close("Connection closed by the other side.", null);
    expect(svc.listenerAddedConnection?.name).toBe("a"); // not at once: after the pause
    await timerAfter(REGISTER_PAUSE_MS * 2);
    expect(svc.listenerAddedConnection).toBe(b);
    expect(attempts).toEqual(["a", "b"]);
  });
});
