/**
 * "The venue" for bench/clients.ts: ffi/build/bench_first_byte, a loopback relay in front of
 * bingx-sim that reports each HTTP request's first byte with the kernel's receive timestamp
 * (SO_TIMESTAMPNS), so the figure is when the byte reached the venue's socket, not when a
 * process woke up to read it. Intents are stamped with the same clock (`realtimeNs`, libc's
 * CLOCK_REALTIME through bun:ffi), from any process.
 *
 * Entry points: `startProbe(targetPort)` → `{ url, port, nextOrder(), stop() }`; `realtimeNs()`;
 * `placementPacer()`.
 */

import { dlopen, FFIType } from "bun:ffi";
import { join } from "node:path";
import { DEFAULT_RATE_MARGIN, endpoints } from "../src/venue/bingx/index.ts";

const RELAY = join(import.meta.dir, "../ffi/build/bench_first_byte");
const CLOCK_REALTIME = 0;
const libc = dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
const timespec = new BigInt64Array(2);
/** Seconds subtracted from every stamp, so nanoseconds stay exact in a double. */
export const BASE_S = Math.floor(Date.now() / 1000) - 1;

/** CLOCK_REALTIME in ns since BASE_S: the relay's stamps are on this scale. */
export function realtimeNs(): number {
  libc.symbols.clock_gettime(CLOCK_REALTIME, timespec);
  return (Number(timespec[0]) - BASE_S) * 1e9 + Number(timespec[1]);
}

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
  /** The request's first byte at the venue's socket, on the `realtimeNs` scale. */
  firstByteNs: number;
  /** False when the kernel gave no timestamp (then it is the relay's read time). */
  kernelStamp: boolean;
  method: string;
  path: string;
}

export async function startProbe(targetPort: number) {
  const relay = Bun.spawn([RELAY, String(targetPort)], { stdout: "pipe", stderr: "inherit" });
  const reader = (relay.stdout as ReadableStream<Uint8Array>).getReader();
  const waiters: Array<(a: Arrival) => void> = [];
  const decoder = new TextDecoder();
  let pending = "";
  const nextLine = async (): Promise<string | null> => {
    for (;;) {
      const nl = pending.indexOf("\n");
      if (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      pending += decoder.decode(value);
    }
  };
  const first = await nextLine();
  const port = first === null ? Number.NaN : Number(JSON.parse(first).port);
  if (!Number.isInteger(port)) throw new Error(`bench_first_byte did not start (${first}): run 'make -C ffi'`);
  void (async () => {
    for (let line = await nextLine(); line !== null; line = await nextLine()) {
      const r = JSON.parse(line) as { s: number; ns: number; kernel: number; method: string; path: string };
      const a = {
        firstByteNs: (r.s - BASE_S) * 1e9 + r.ns,
        kernelStamp: r.kernel === 1,
        method: r.method,
        path: r.path,
      };
      if (a.method === "POST" && a.path === "/openApi/swap/v2/trade/order") waiters.shift()?.(a);
    }
  })();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    /** Resolves with the next order placement that reaches the venue. */
    nextOrder(): Promise<Arrival> {
      return new Promise((resolve) => waiters.push(resolve));
    },
    stop() {
      relay.kill();
    },
  };
}
