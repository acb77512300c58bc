/**
 * The BingX adapter's construction options beyond its config (tests, benchmarks): the network,
 * timers, resolve delays, how the stream's commission is read, throttle knobs, stream timings.
 *
 * Entry point: `BingxAdapterOptions` (exported by adapter.ts).
 */

import type { StreamFeeMode } from "./_order_tracker.ts";
import type * as ep from "./endpoints.ts";
import type { StreamTimers, StreamTimings } from "./user_stream.ts";

export interface BingxAdapterOptions {
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  timers?: StreamTimers;
  resolveDelaysMs?: readonly number[];
  /** How to read the stream's commission `n` (default "per_trade"); see _order_tracker.ts. */
  streamFeeMode?: StreamFeeMode;
  /** Throttle knobs: raised limits against a raised sim (tests, benchmarks), queue bounds. */
  throttle?: { limitsPerS?: Partial<Record<ep.RateGroup, number>>; queueMax?: number; waitMaxMs?: number };
  /** User stream timings (see user_stream.ts). */
  stream?: StreamTimings;
}
