/**
 * A guard on hazelcast-client 5.7.0's cluster-view listener (an upstream defect, unchanged in 5.7.0).
 *
 * The client keeps one cluster-view listener, registered on one of its connections. When that
 * registration fails, its rejection handler re-registers at once on a random connection
 * (`tryRegisterToRandomConnection`). A connection whose socket write failed (its member died
 * mid-write) has a failed writer but stays registered until the socket's `error` or `end` event
 * closes it; every write to it is rejected on the next tick. Under Bun those events wait for the
 * event loop, so the registration picks that connection again, fails again on the next tick, and
 * so on: a loop of ticks and promise reactions that never yields to the event loop. No timer,
 * socket or HTTP request of the process runs again, and its memory grows without bound (a
 * `serve` whose cluster died under it grew ~300 MB/s, to 23 GB; stack sampled at
 * `processTicksAndRejections` → the rejection handler → `tryRegister`).
 *
 * The guard replaces `tryRegisterToRandomConnection` on the library's class (once per process):
 *  1. a connection whose writer failed while the connection still counts as alive is closed, with
 *     the writer's error as cause: what the socket's `error` event would have done (the registry
 *     lets go of it, and the client reconnects when it was the last one);
 *  2. the re-registration itself waits REGISTER_PAUSE_MS on a timer, one at a time per listener,
 *     so however many connections fail, every attempt lets the event loop run in between.
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
  writer?: { error?: unknown };
}

interface ViewListener {
  listenerAddedConnection?: unknown;
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
    closeIfWriterFailed(old);
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

function closeIfWriterFailed(connection: unknown): void {
  const c = connection as Partial<GuardedConnection> | null;
  if (typeof c?.isAlive !== "function" || typeof c.close !== "function" || !c.isAlive()) return;
  const failure = c.writer?.error;
  if (failure === undefined || failure === null) return;
  const cause = failure instanceof Error ? failure : new Error(String(failure));
  c.close(`its writer failed (${cause.message}); closed by the cluster-view guard`, cause);
}
