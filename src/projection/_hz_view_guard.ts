/**
 * A guard on hazelcast-client 5.7.0's cluster-view listener (an upstream defect, unchanged in 5.7.0).
 *
 * The client keeps one cluster-view listener, registered on one of its connections. When that
 * registration fails, its rejection handler re-registers at once on a random connection
 * (`tryRegisterToRandomConnection`). Every write to a connection whose writer failed is rejected on
 * the next tick, and two kinds of such connections stay in the client's registry:
 *  - alive, its socket write failed (the member died mid-write): registered until the socket's
 *    `error` or `end` event closes it, which waits for the event loop;
 *  - closed, and registered all the same: a connection closed while it was still authenticating
 *    (its member died then) is not removed (it had no address yet), and the authentication's answer,
 *    already read, registers it afterwards (`onAuthenticated` does not look whether it is alive).
 *    Nothing removes it ever again.
 * The registration then picks that connection again, fails again on the next tick, and so on: a
 * loop of ticks and promise reactions that never yields to the event loop. No timer, socket or
 * HTTP request of the process runs again, and its memory grows without bound (a `serve` whose
 * cluster was SIGKILLed two seconds after it started grew ~300 MB/s, to 23 GB; stack sampled at
 * `processTicksAndRejections` → the rejection handler → `tryRegister`).
 *
 * The guard replaces `tryRegisterToRandomConnection` on the library's class (once per process):
 *  1. the connection the registration failed on is let go when it is one of the two above: an alive
 *     one whose writer failed is closed with the writer's error as cause (what the socket's `error`
 *     event would have done); a closed one the registry still holds for its member gets the cleanup
 *     its close skipped (the connection manager's `onConnectionClose`: removed from the registry, and
 *     the client reconnects when it was the last one);
 *  2. the re-registration itself waits REGISTER_PAUSE_MS on a timer, one at a time per listener,
 *     so whatever connections fail, every attempt lets the event loop run in between.
 * The library's own method runs afterwards unchanged (it re-checks that the listener still sits on
 * the old connection). `guardClusterViewListener` throws, naming what it missed, when the class is
 * not shaped as in 5.7.0 (a library upgrade must re-check the defect, not silently lose the guard).
 *
 * Entry points: `guardClusterViewListener(cls)`, `REGISTER_PAUSE_MS`.
 */

/** How long a re-registration of the cluster-view listener waits (ms). */
export const REGISTER_PAUSE_MS = 100;

/** What the guard reads of a client connection (hazelcast-client's `Connection`). */
interface GuardedConnection {
  isAlive(): boolean;
  close(reason: string, cause: Error | null): void;
  getRemoteUuid(): unknown;
  writer?: { error?: unknown };
}

interface ViewListener {
  listenerAddedConnection?: unknown;
  connectionManager?: {
    getConnectionRegistry?(): { getConnection?(uuid: unknown): unknown };
    onConnectionClose?(connection: unknown): void;
  };
  tryRegisterToRandomConnection(old: unknown): void;
}

const GUARDED = Symbol.for("dita-v2.hazelcast.cluster-view-guard");

/**
 * Installs the guard on `cls`, the library's `ClusterViewListenerService` class (the module's export);
 * a second call is a no-op.
 */
export function guardClusterViewListener(cls: unknown): void {
  const proto = (cls as { prototype?: Record<PropertyKey, unknown> } | null)?.prototype;
  const original = proto?.tryRegisterToRandomConnection;
  if (proto === undefined || typeof original !== "function" || typeof proto.tryRegister !== "function")
    throw new Error(
      "Invariant: hazelcast-client's ClusterViewListenerService has no tryRegister/tryRegisterToRandomConnection: the guard against its re-registration loop (src/projection/_hz_view_guard.ts) must be re-checked for this library version",
    );
  if (proto[GUARDED] === true) return;
  const waiting = new WeakSet<object>();
  proto.tryRegisterToRandomConnection = function (this: ViewListener, old: unknown): void {
    letGo(this, old);
    if (this.listenerAddedConnection !== old || waiting.has(this)) return;
    waiting.add(this);
    const timer = setTimeout(() => {
      waiting.delete(this);
      (original as ViewListener["tryRegisterToRandomConnection"]).call(this, old);
    }, REGISTER_PAUSE_MS);
    timer.unref?.();
  };
  proto[GUARDED] = true;
}

/** Lets go of `connection` when its writer failed while it is alive, or it is closed and still registered. */
function letGo(listener: ViewListener, connection: unknown): void {
  const c = connection as Partial<GuardedConnection> | null;
  if (typeof c?.isAlive !== "function" || typeof c.close !== "function") return;
  if (!c.isAlive()) {
    const manager = listener.connectionManager;
    const uuid = typeof c.getRemoteUuid === "function" ? c.getRemoteUuid() : null;
    if (uuid !== null && uuid !== undefined && manager?.getConnectionRegistry?.().getConnection?.(uuid) === c)
      manager.onConnectionClose?.(c);
    return;
  }
  const failure = c.writer?.error;
  if (failure === undefined || failure === null) return;
  const cause = failure instanceof Error ? failure : new Error(String(failure));
  c.close(`its writer failed (${cause.message}); closed by the cluster-view guard`, cause);
}
