/**
 * The serve loops of a runtime: the Zinc intents ring (drained fairly), the control region's
 * mailbox, a TICK every second (hung orders, region checks), the live reconciliation every
 * interval, the path warmer's passes (`_path_warmer.ts`), and the event-loop lag probe (a 50 ms
 * sleep measured against the monotonic clock: how late it woke is the lag every other loop and
 * HTTP saw). All stop when `stop` aborts; a loop
 * asleep wakes at once (a 30 s reconcile interval never delays a shutdown).
 *
 * Entry point: `runServeLoops(host, stop)`.
 */

import type { VenueAdapter } from "../contracts/venue.ts";
import type { OperatorControlPlane } from "../control/index.ts";
import type { ZincPlane } from "../zinc/index.ts";
import { PathWarmer } from "./_path_warmer.ts";
import { DRAIN_MAX } from "./_ring_intake.ts";

const DRAIN_BATCHES_PER_TURN = 8;
const TICK_MS = 1000;
const HOSTILE_PAUSE_MS = 250;
const LAG_PROBE_MS = 50;

export interface LoopHost {
  zinc: ZincPlane;
  control: OperatorControlPlane;
  reconcileIntervalMs: number;
  /** True while the ring may be drained (intake open, no hostile region). */
  accepting(): boolean;
  hostile(): boolean;
  drainRing(): number;
  syncControlIfChanged(): void;
  tick(): void;
  reconcile(): Promise<unknown>;
  /** The monotonic clock (ns) and where each lag sample (ms) goes. */
  monoNs(): bigint;
  loopLag(ms: number): void;
  /** The path warmer's period (0 = off) and what it rehearses (`_path_warmer.ts`). */
  warmPathMs: number;
  venue: VenueAdapter;
  nowMs(): number;
  log(line: string): void;
}

export async function runServeLoops(h: LoopHost, stop: AbortSignal): Promise<void> {
  const live = () => !stop.aborted;
  const pause = (ms: number) => sleepUnlessStopped(ms, stop);
  const ring = (async () => {
    let seq = h.zinc.intentSeq();
    while (live()) {
      if (h.hostile()) {
        await pause(HOSTILE_PAUSE_MS); // a hostile region is not waited on either
        continue;
      }
      seq = await h.zinc.waitIntents(seq, 250);
      await drainFairly(h, live);
    }
  })();
  const control = (async () => {
    let seq = h.control.seq();
    while (live()) {
      seq = await h.control.waitSeq(seq, 500);
      if (live()) h.syncControlIfChanged();
    }
  })();
  const tick = (async () => {
    while (live()) {
      await pause(TICK_MS);
      if (live()) h.tick();
    }
  })();
  const reconcile = (async () => {
    while (live() && h.reconcileIntervalMs > 0) {
      await pause(h.reconcileIntervalMs);
      if (live() && !h.hostile()) await h.reconcile();
    }
  })();
  const lag = (async () => {
    while (live()) {
      const t0 = h.monoNs();
      await pause(LAG_PROBE_MS);
      if (live()) h.loopLag(Math.max(0, Number(h.monoNs() - t0) / 1e6 - LAG_PROBE_MS));
    }
  })();
  const warm = (async () => {
    if (h.warmPathMs === 0) return;
    const warmer = new PathWarmer({ venue: h.venue, nowMs: h.nowMs, log: h.log, drainRing: () => void h.drainRing() });
    try {
      while (live()) {
        await pause(h.warmPathMs);
        if (live() && h.accepting() && !h.hostile() && !warmer.pass()) return;
      }
    } finally {
      warmer.close();
    }
  })();
  await Promise.all([ring, control, tick, reconcile, lag, warm]);
}

/**
 * Drains the ring in turns of at most DRAIN_BATCHES_PER_TURN full batches, yielding to the event
 * loop between turns, so a producer that keeps the ring full cannot starve HTTP, venue events
 * (fills) or the control loop.
 */
async function drainFairly(h: LoopHost, live: () => boolean): Promise<void> {
  while (live() && h.accepting()) {
    let batches = 0;
    while (batches < DRAIN_BATCHES_PER_TURN && h.drainRing() === DRAIN_MAX) batches++;
    if (batches < DRAIN_BATCHES_PER_TURN) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function sleepUnlessStopped(ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener("abort", done);
  });
}
