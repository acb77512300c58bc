/**
 * A TCP relay in front of bingx-sim that timestamps the first byte of every HTTP request it
 * receives (Bun.nanoseconds, the bench process's monotonic clock, the same one the bench stamps
 * intents with), parses the request line, and passes the bytes on to the sim unchanged. It is
 * "the venue" for bench/clients.ts: the time from an intent to an order's first byte includes
 * everything up to the loopback socket, and this process's wake-up on the data (the measuring
 * cost, the same for every path).
 *
 * Entry points: `startProbe(targetPort)` → `{ url, port, nextOrder(), stop() }`; `placementPacer()`.
 */

import { DEFAULT_RATE_MARGIN, endpoints } from "../src/venue/bingx/index.ts";

/** One placement per this many ms keeps under the adapter's placement budget (limit × default margin). */
export const PLACEMENT_PACE_MS =
  Math.ceil(1000 / Math.floor(endpoints.RATE_LIMITS_PER_S.place_order * DEFAULT_RATE_MARGIN)) + 25;

/**
 * Waits until PLACEMENT_PACE_MS passed since the previous call's return: orders sent as a strategy
 * within the venue's limits sends them, so a latency figure is the order path, not a throttle wait.
 */
export function placementPacer(): () => Promise<void> {
  let lastNs = 0;
  return async () => {
    const since = (Bun.nanoseconds() - lastNs) / 1e6;
    if (since < PLACEMENT_PACE_MS) await Bun.sleep(PLACEMENT_PACE_MS - since);
    lastNs = Bun.nanoseconds();
  };
}

export interface Arrival {
  firstByteNs: number;
  method: string;
  path: string;
}

interface Conn {
  buffer: Uint8Array;
  firstNs: number;
  upstream: import("bun").Socket<undefined> | null;
  pending: Uint8Array[];
}

const HEADER_END = new TextEncoder().encode("\r\n\r\n");

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export async function startProbe(targetPort: number) {
  const arrivals: Arrival[] = [];
  const waiters: Array<(a: Arrival) => void> = [];
  const isOrder = (a: Arrival) => a.method === "POST" && a.path.startsWith("/openApi/swap/v2/trade/order");
  const record = (a: Arrival) => {
    arrivals.push(a);
    if (isOrder(a)) waiters.shift()?.(a);
  };
  /** Splits complete requests off the buffer; the first byte of each was stamped on arrival. */
  const parse = (c: Conn) => {
    for (;;) {
      const end = indexOf(c.buffer, HEADER_END);
      if (end < 0) return;
      const head = new TextDecoder().decode(c.buffer.subarray(0, end));
      const [method = "", path = ""] = (head.split("\r\n")[0] ?? "").split(" ");
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (c.buffer.length < end + 4 + length) return;
      record({ firstByteNs: c.firstNs, method, path });
      c.buffer = c.buffer.slice(end + 4 + length);
      c.firstNs = c.buffer.length > 0 ? Bun.nanoseconds() : 0;
    }
  };
  const server = Bun.listen<Conn>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        client.data = { buffer: new Uint8Array(0), firstNs: 0, upstream: null, pending: [] };
        client.data.upstream = await Bun.connect({
          hostname: "127.0.0.1",
          port: targetPort,
          socket: {
            data(_up, chunk) {
              client.write(chunk);
            },
            close() {
              client.end();
            },
          },
        });
        for (const p of client.data.pending.splice(0)) client.data.upstream.write(p);
      },
      data(client, chunk) {
        const now = Bun.nanoseconds();
        const c = client.data;
        if (c.buffer.length === 0) c.firstNs = now;
        const merged = new Uint8Array(c.buffer.length + chunk.length);
        merged.set(c.buffer);
        merged.set(chunk, c.buffer.length);
        c.buffer = merged;
        if (c.upstream) c.upstream.write(chunk);
        else c.pending.push(new Uint8Array(chunk));
        parse(c);
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    arrivals,
    /** Resolves with the next order placement that reaches the venue. */
    nextOrder(): Promise<Arrival> {
      return new Promise((resolve) => waiters.push(resolve));
    },
    stop() {
      server.stop(true);
    },
  };
}
