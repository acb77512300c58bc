/**
 * Child process for hazelcast_cluster_view_guard.test.ts (not a test file). Connects one client to the
 * member at HZ_ADDR (cluster HZ_CLUSTER): with GUARD=on the way this process's clients are made
 * (`newHzClient`, its library loaded guarded), with GUARD=off straight from the library. It writes a
 * key, then fails the writer of the connection its cluster-view listener sits on the way a socket
 * write answered with EPIPE fails it (the library's own `handleError`), with its socket's `end` and
 * `error` listeners taken away first: the connection stays registered and alive with nothing else to
 * close it (under Bun a destroyed socket emits `end`, which would close it here; the fleet e2e serve's
 * client met connections no event closed in time). Then the listener registers on that connection
 * again, as it does when a connection is added. Prints, one per line:
 * `BROKEN`, `TICK <n>` every 20 ms while its event loop runs, and after 3 s `CLOSED <bool>` (the broken
 * connection was let go), `PUT ok|failed <why>` (a write after it), `RSS <MB>`; then exits.
 */
import { newHzClient } from "../../src/projection/index.ts";

interface Internals {
  clusterViewListenerService: {
    listenerAddedConnection: {
      isAlive(): boolean;
      socket: { removeAllListeners(event: string): void };
      writer: { handleError(e: Error, sent: unknown[]): void };
    } | null;
    connectionAdded(c: unknown): void;
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
connection.socket.removeAllListeners("end");
connection.socket.removeAllListeners("error");
connection.writer.handleError(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }), []);
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
