/**
 * Equity over time for the console's chart: a bounded series of `[at_ms, equity, drawdown]`
 * points, at most one per `spacingMs` bucket of wall time (a newer value in the same bucket replaces
 * the last point, so the series always ends at the latest equity). The oldest points fall off past `capacity`.
 * A value stamped before the last point (the wall clock was set back) replaces that point's values at its time.
 *
 * Invariants: points are in time order; length <= capacity.
 */

export type EquityPoint = [at_ms: number, equity: number, drawdown: number];

export class EquitySeries {
  private readonly points: EquityPoint[] = [];

  constructor(
    readonly capacity = 2000,
    readonly spacingMs = 1000,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 2)) throw new Error(`Invariant: capacity >= 2, got ${capacity}`);
  }

  add(atMs: number, equity: number, drawdown: number): void {
    const last = this.points[this.points.length - 1];
    // A wall clock set back (NTP step) never stamps a point before the last: it replaces that one's values.
    if (last !== undefined && atMs < last[0]) atMs = last[0];
    if (last !== undefined && Math.floor(last[0] / this.spacingMs) === Math.floor(atMs / this.spacingMs)) {
      last[0] = atMs;
      last[1] = equity;
      last[2] = drawdown;
      return;
    }
    this.points.push([atMs, equity, drawdown]);
    if (this.points.length > this.capacity) this.points.shift();
  }

  snapshot(): { points: EquityPoint[]; capacity: number; spacing_ms: number } {
    return {
      points: this.points.map((p) => [...p] as EquityPoint),
      capacity: this.capacity,
      spacing_ms: this.spacingMs,
    };
  }
}
