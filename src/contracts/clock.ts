/**
 * Time and randomness are injected, never read ambiently. Only the launcher (and the sim's
 * entry point) construct `SystemClock`; everything else receives a `Clock`. Tests use
 * `ManualClock`. The tidy test enforces that `Date.now`/`performance.now` appear only in the
 * allowlisted files.
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Monotonic high-resolution time in nanoseconds: latencies, and intervals a wall-clock step must not stretch or skip. */
  monoNs(): bigint;
}

export class ManualClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}
  nowMs(): number {
    return this.ms;
  }
  monoNs(): bigint {
    return BigInt(this.ms) * 1_000_000n;
  }
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`Invariant: ManualClock.advance needs ms >= 0, got ${ms}`);
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
