/**
 * Fake time for code that takes an injected `Clock` and `sleep`: a `ManualClock` plus sleepers
 * that wake only when a test moves the clock past them (`advance`, `runUntilIdle`), in time
 * order, with every promise continuation run between two wake-ups. Nothing waits for real time.
 */

import { ManualClock } from "../../src/contracts/clock.ts";

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

export class FakeTime {
  readonly clock = new ManualClock(1_700_000_000_000);
  private sleepers: Sleeper[] = [];
  private seq = 0;

  /** The injected sleep: resolves once the clock has been advanced `ms` past now. */
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.sleepers.push({ at: this.clock.nowMs() + Math.max(0, ms), seq: this.seq++, wake });
    });

  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Ms since the clock's start. */
  elapsedMs(): number {
    return this.clock.nowMs() - 1_700_000_000_000;
  }

  /** Moves the clock `ms` forward, waking each sleeper due on the way at its own instant. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.nowMs() + ms;
    await settle();
    for (let i = 0; i < 100_000; i++) {
      const next = this.earliest();
      if (next === undefined || next.at > target) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      if (next.at > this.clock.nowMs()) this.clock.set(next.at);
      next.wake();
      await settle();
    }
    this.clock.set(target);
    await settle();
  }

  /** Wakes sleepers in time order until none is left (bounded). */
  async runUntilIdle(maxMs = 600_000): Promise<void> {
    const end = this.clock.nowMs() + maxMs;
    for (let i = 0; i < 100_000; i++) {
      await settle();
      const next = this.earliest();
      if (next === undefined || next.at > end) return;
      await this.advance(next.at - this.clock.nowMs());
    }
  }

  private earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    return best;
  }
}

/** Lets every queued promise continuation run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
