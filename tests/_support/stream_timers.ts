/**
 * Fake timers for the BingX user stream (`StreamTimers`): nothing fires by itself; a test fires a
 * live timeout by its delay (`fire`), or the next reconnect retry (`fireNextRetry`), and reads the
 * intervals (keep-alive) it set.
 */

import type { StreamTimers } from "../../src/venue/bingx/index.ts";

export interface FakeTimer {
  fn: () => void;
  ms: number;
  live: boolean;
}

export class FakeStreamTimers implements StreamTimers {
  readonly timeouts: FakeTimer[] = [];
  readonly intervals: FakeTimer[] = [];

  setTimeout(fn: () => void, ms: number): FakeTimer {
    const t = { fn, ms, live: true };
    this.timeouts.push(t);
    return t;
  }
  clearTimeout(h: unknown): void {
    (h as FakeTimer).live = false;
  }
  setInterval(fn: () => void, ms: number): FakeTimer {
    const t = { fn, ms, live: true };
    this.intervals.push(t);
    return t;
  }
  clearInterval(h: unknown): void {
    (h as FakeTimer).live = false;
  }

  /** The oldest live timeout of `ms`. */
  live(ms: number): FakeTimer | undefined {
    return this.timeouts.find((t) => t.live && t.ms === ms);
  }

  /** Fires the oldest live timeout of `ms`; false when there is none. */
  fire(ms: number): boolean {
    const t = this.live(ms);
    if (!t) return false;
    t.live = false;
    t.fn();
    return true;
  }

  /** Fires the oldest live timeout whose delay is neither the open timeout nor the proving period. */
  fireNextRetry(openTimeoutMs: number, stableAfterMs = 30_000): number | undefined {
    const t = this.timeouts.find((x) => x.live && x.ms !== openTimeoutMs && x.ms !== stableAfterMs);
    if (!t) return undefined;
    t.live = false;
    t.fn();
    return t.ms;
  }
}
