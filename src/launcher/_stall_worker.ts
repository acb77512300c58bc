/**
 * The stall watch's worker (`_stall_watch.ts`): its own thread and event loop. Every `checkMs` it reads
 * the counter serve's thread bumps; a check that comes on time (not later than `checkMs` past its due
 * time) and finds no bump adds its interval to the stall, a bump ends it. At `stallMs` it writes one
 * line to stderr (synchronously: the process ends next) and SIGKILLs the process.
 * Protocol: one message `StallWatchSetup`; it answers `{ ready: true }` once watching.
 */

import { writeSync } from "node:fs";
import type { StallWatchSetup } from "./_stall_watch.ts";
import { SystemClock } from "./system_clock.ts";

declare const self: Worker;

self.onmessage = (e: MessageEvent<StallWatchSetup>) => {
  const { beats, stallMs, checkMs, linePrefix } = e.data;
  const counter = new Int32Array(beats);
  const clock = new SystemClock();
  const nowMs = () => Number(clock.monoNs() / 1_000_000n);
  let seen = Atomics.load(counter, 0);
  let last = nowMs();
  let stalled = 0;
  setInterval(() => {
    const now = nowMs();
    const elapsed = now - last;
    last = now;
    const beat = Atomics.load(counter, 0);
    if (beat !== seen) {
      seen = beat;
      stalled = 0;
      return;
    }
    if (elapsed > 2 * checkMs) return; // this thread did not run on time either: not the event loop's stall
    stalled += elapsed;
    if (stalled < stallMs) return;
    const line = `${linePrefix}stall watch: serve's event loop made no turn for ${(stalled / 1000).toFixed(1)} s (DITA_V2_STALL_MS=${stallMs}): no order, fill, request or heartbeat is handled; SIGKILL to this process so its supervisor restarts it (recovery from the journal and the venue)\n`;
    try {
      writeSync(2, line);
    } catch {
      // stderr gone: the exit code (SIGKILL) still says it
    }
    process.kill(process.pid, "SIGKILL");
  }, checkMs);
  self.postMessage({ ready: true });
};
