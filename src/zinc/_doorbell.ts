/**
 * The kernel side of the intents ring's doorbell (ffi/src/doorbell.c): a Unix stream socket at
 * `/dev/shm/<prefix>.bell`, mode 0600, on this thread's event loop. A producer's push that finds
 * the kernel asleep sends a byte to it before the futex wake, so the kernel loop wakes directly
 * instead of through the wait Worker's message (bench/zinc_wake.ts measures both). The bytes carry
 * nothing: each arrival only means "look at the ring"; the futex stays the contract.
 *
 * It holds at most DOORBELL_CONNECTIONS_MAX connections (each producer handle keeps one): a
 * connection past it is closed at once, so a producer that leaks handles cannot take the
 * descriptors the kernel needs for its venue sockets and journal; that producer is still heard
 * through the futex, only later.
 *
 * Only the region's writer listens (it holds the region's lock, so a socket file left at the path
 * by a dead kernel is stale and is replaced). A prefix whose path does not fit a socket address
 * (over 107 bytes) has no doorbell: `Doorbell.listen` answers why, and waits use the futex alone.
 *
 * Entry point: `Doorbell.listen(prefix, onRing)`.
 */

import { chmodSync, rmSync } from "node:fs";

/** The longest path a Unix socket address holds (sun_path is 108 bytes, NUL-terminated). */
const SOCKET_PATH_MAX = 107;
/** Connections held at once: far above one per producer handle (64 outcome lanes by default). */
export const DOORBELL_CONNECTIONS_MAX = 1024;

export class Doorbell {
  private constructor(
    readonly path: string,
    private readonly listener: { stop(closeActive?: boolean): void },
  ) {}

  /** Listens for the prefix's producers, or answers why it cannot (then there is no doorbell). */
  static listen(prefix: string, onRing: () => void): Doorbell | string {
    const path = `/dev/shm/${prefix}.bell`;
    if (Buffer.byteLength(path) > SOCKET_PATH_MAX)
      return `${path}: longer than a socket address (${SOCKET_PATH_MAX} bytes); waits use the futex alone`;
    try {
      rmSync(path, { force: true });
      let held = 0;
      const listener = Bun.listen<{ counted: boolean }>({
        unix: path,
        socket: {
          open: (s) => {
            s.data = { counted: held < DOORBELL_CONNECTIONS_MAX };
            if (s.data.counted) held++;
            else s.end();
          },
          close: (s) => {
            if (s.data?.counted) held--;
          },
          data: () => onRing(),
        },
      });
      listener.unref();
      chmodSync(path, 0o600);
      return new Doorbell(path, listener);
    } catch (e) {
      return `${path}: cannot listen (${(e as Error).message.split("\n")[0]}); waits use the futex alone`;
    }
  }

  close(): void {
    this.listener.stop(true);
    rmSync(this.path, { force: true });
  }
}
