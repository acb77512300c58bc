/**
 * Child process for hazelcast_cluster_view_guard.test.ts (not a test file). Connects one client to the
 * member at HZ_ADDR (cluster HZ_CLUSTER): with GUARD=on the way this process's clients are made
 * (`newHzClient`, its library loaded guarded), with GUARD=off straight from the library. It writes a
 * key, then leaves the connection its cluster-view listener sits on, by SCENARIO, in one of the two
 * states the library never recovers from on its own:
 *  - `failed-writer`: its writer failed the way a socket write answered with EPIPE fails it (the
 *    library's own `handleError`), its socket's `end` and `error` listeners taken away first, so the
 *    connection stays registered and alive with nothing to close it (under Bun a destroyed socket emits
 *    `end`, which would close it here);
 *  - `closed-registered`: closed, then registered again for its member, as a connection closed while
 *    it was authenticating is registered by the authentication's answer read just before.
 * Then the listener registers on that connection again, as it does when a connection is added. Prints:
 * `BROKEN`, `TICK <n>` every 20 ms while its event loop runs, and after 3 s `CLOSED <bool>` (the broken
 * connection was let go), `PUT ok|failed <why>` (a write after it), `RSS <MB>`; then exits.
 */
import { newHzClient } from "../../src/projection/index.ts";

interface Internals {
  clusterViewListenerService: {
    listenerAddedConnection: {
      isAlive(): boolean;
      close(reason: string, cause: Error | null): void;
      getRemoteUuid(): unknown;
      socket: { removeAllListeners(event: string): void };
      writer: { handleError(e: Error, sent: unknown[]): void };
    } | null;
    connectionAdded(c: unknown): void;
    connectionManager: { getConnectionRegistry(): { setConnection(uuid: unknown, c: unknown): void } };
  };
}

const addr = process.env.HZ_ADDR!;
const cluster = process.env.HZ_CLUSTER!;
const client =
  process.env.GUARD === "on"
    ? await newHzClient({ addr, cluster, connectTimeoutMs: 10_000, invocationTimeoutMs: 5_000 }, false)
    : await (await import("hazelcast-client")).Client.newHazelcastClient({
        clusterName: cluster,
        network: { clusterMembers: [addr] },
        properties: { "hazelcast.logging.level": "OFF" },
      });
const map = await client.getMap<string, string>("view-guard");
await map.put("before", "1");

const view = (client as unknown as Internals).clusterViewListenerService;
const connection = view.listenerAddedConnection;
if (connection === null) throw new Error("the cluster-view listener sits on no connection");
if (process.env.SCENARIO === "closed-registered") {
  connection.close("Connection closed by the other side.", null);
  view.connectionManager.getConnectionRegistry().setConnection(connection.getRemoteUuid(), connection);
} else {
  connection.socket.removeAllListeners("end");
  connection.socket.removeAllListeners("error");
  connection.writer.handleError(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }), []);
}
view.listenerAddedConnection = null;
view.connectionAdded(connection);
console.log("BROKEN");

let n = 0;
const ticker = setInterval(() => console.log(`TICK ${++n}`), 20);
await Bun.sleep(3_000);
clearInterval(ticker);
console.log(`CLOSED ${!connection.isAlive()}`);
const put = await Promise.race([
  map.put("after", "1").then(
    () => "ok",
    (e: unknown) => `failed ${(e as Error).message}`,
  ),
  Bun.sleep(10_000).then(() => "failed: no answer in 10 s"),
]);
console.log(`PUT ${put}`);
console.log(`RSS ${Math.round(process.memoryUsage().rss / 1e6)}`);
await client.shutdown();
process.exit(0);
