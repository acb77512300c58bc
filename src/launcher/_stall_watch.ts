/**
 * The stall watch: serve's event loop must keep turning. Orders, fills, HTTP requests, the ring, the
 * fleet heartbeat and the lease's fence all run on it; a loop that never yields (a library's
 * promise loop, a runaway computation) leaves every one of them unhandled while the process looks
 * alive, and nothing on the same thread can notice. A Worker can (`_stall_worker.ts`, its own thread
 * and event loop): this thread bumps a shared counter on a timer every BEAT_MS, and when the worker
 * sees no bump for `stallMs` of its own on-time checks, it writes one line to stderr and SIGKILLs the
 * process, so its supervisor restarts it: recovery from the journal and the venue is the same as after
 * any crash, and a wedged kernel that manages nothing is worse than a restarted one.
 *
 * Time the worker itself did not run on schedule (the whole process stopped, or starved of CPU) counts
 * for nobody's stall: only checks that came on time add to it. Off with `DITA_V2_STALL_MS=0`.
 *
 * A worker that cannot start or fails later is one log line and `running: false` in `/status`, never a
 * reason for serve not to run.
 *
 * Entry point: `startStallWatch(stallMs, linePrefix, log)` (null when off).
 */

import type { StallWatchStatus } from "../contracts/status_schema.ts";

/** How often this thread bumps the counter (ms). */
const BEAT_MS = 100;

export interface StallWatch {
  /** The watch as `/status` shows it: its bound, and whether its worker is up. */
  status(): StallWatchStatus;
  /** Ends the beats and the worker (serve's stop: the shutdown's own bounds apply from there). */
  stop(): void;
}

/** What the worker is sent, once. */
export interface StallWatchSetup {
  beats: SharedArrayBuffer;
  stallMs: number;
  checkMs: number;
  linePrefix: string;
}

export function startStallWatch(stallMs: number, linePrefix: string, log: (line: string) => void): StallWatch | null {
  if (stallMs === 0) return null;
  const beats = new SharedArrayBuffer(4);
  const counter = new Int32Array(beats);
  const beat = setInterval(() => Atomics.add(counter, 0, 1), BEAT_MS);
  beat.unref();
  let running = false;
  let worker: Worker;
  try {
    worker = new Worker(new URL("./_stall_worker.ts", import.meta.url).href);
  } catch (e) {
    clearInterval(beat);
    log(`stall watch: its worker did not start (${(e as Error).message}); a stalled event loop is not caught`);
    return { status: () => ({ stall_ms: stallMs, running: false }), stop() {} };
  }
  worker.unref();
  worker.onmessage = () => {
    running = true;
  };
  worker.onerror = (e) => {
    running = false;
    log(`stall watch: its worker failed (${e.message}); a stalled event loop is not caught any more`);
  };
  const setup: StallWatchSetup = { beats, stallMs, checkMs: checkMsOf(stallMs), linePrefix };
  worker.postMessage(setup);
  return {
    status: () => ({ stall_ms: stallMs, running }),
    stop() {
      clearInterval(beat);
      running = false;
      worker.terminate();
    },
  };
}

/** The worker's check period: a tenth of the bound, at least BEAT_MS (a check between two beats sees nothing). */
function checkMsOf(stallMs: number): number {
  return Math.max(BEAT_MS, Math.floor(stallMs / 10));
}
