/**
 * One rate budget of the BingX adapter: a token bucket whose spent tokens come back one window
 * after the venue answered the request that spent them.
 *
 * Why not a bucket refilled at a constant rate: BingX (and bingx-sim) count requests over a sliding
 * window, so a bucket of capacity C refilled at r per second lets C + r·W requests into one window
 * of length W: it either breaks the venue's limit (C = r·W) or wastes half of it. A token that
 * returns exactly one window after its use is the venue's own rule, minus the margin.
 *
 * Why "after the answer": the venue counted the request at some instant between sending it and
 * receiving its answer. Holding the token while the request is in flight and dating its return
 * from the answer means every request sent on a returned token reaches the venue at least one
 * window after the one that spent it, whatever the network delays were.
 *
 * Invariants:
 *   1. inFlight + spent.length <= capacity (a token is free, in flight, or spent; never two).
 *   2. spent is ascending; a spent token is usable again when `now >= spent + windowMs`.
 *   3. While paused (a 429's hint, or the venue saying none remain) no token is handed out.
 *   4. When the venue says its window is full, free tokens are drained (spent as of that answer):
 *      the venue may count windows sliding, where its hint frees only the oldest request. Asked
 *      to (`drain(now, hintMs)`), one of them is usable at the hint instead: that one request
 *      fits at the hint under either counting.
 *
 * Entry points: `new RateBucket(capacity, windowMs)`, `available`, `take`, `settle`, `drain`,
 * `pause`, `nextAt`, `etaMs`.
 */

export class RateBucket {
  /** Instants (ms) at which answered requests returned their tokens' countdown, ascending. */
  private readonly spent: number[] = [];
  private flying = 0;
  private pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 100_000))
      throw new Error(`Invariant: bucket capacity must be an integer in 1..100000, got ${capacity}`);
    if (!(Number.isFinite(windowMs) && windowMs > 0))
      throw new Error(`Invariant: bucket window must be a positive number of ms, got ${windowMs}`);
  }

  get inFlight(): number {
    return this.flying;
  }

  /** Until when (ms) the bucket hands out nothing; -Infinity when not paused. */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Tokens that can be taken at `nowMs`. */
  available(nowMs: number): number {
    this.expire(nowMs);
    if (nowMs < this.pausedUntil) return 0;
    return this.capacity - this.flying - this.spent.length;
  }

  /** Takes one token for a request about to be sent. */
  take(nowMs: number): void {
    if (this.available(nowMs) <= 0) throw new Error("Invariant: RateBucket.take without an available token");
    this.flying++;
  }

  /** The request holding a token was answered (or failed) at `nowMs`: its token returns one window later. */
  settle(nowMs: number): void {
    if (this.flying <= 0) throw new Error("Invariant: RateBucket.settle without a token in flight");
    this.flying--;
    this.insert(nowMs);
  }

  /**
   * The venue says its window is full (a 429, or Remain 0): every free token counts as spent at
   * `nowMs`, so none is used before everything the venue counted so far has left its window;
   * with `oneAtMs` (the venue's hint, before that), one of them is usable from `oneAtMs`.
   */
  drain(nowMs: number, oneAtMs?: number): void {
    this.expire(nowMs);
    let free = this.capacity - this.flying - this.spent.length;
    if (free > 0 && oneAtMs !== undefined && oneAtMs < nowMs + this.windowMs) {
      this.insert(Math.max(nowMs, oneAtMs) - this.windowMs);
      free--;
    }
    for (let i = 0; i < free; i++) this.insert(nowMs);
  }

  /** Hands out nothing before `untilMs` (a later pause wins; an earlier one changes nothing). */
  pause(untilMs: number): void {
    if (untilMs > this.pausedUntil) this.pausedUntil = untilMs;
  }

  /** When the next token can be taken if nothing else happens; null when only an answer can free one. */
  nextAt(nowMs: number): number | null {
    this.expire(nowMs);
    let at: number;
    if (this.capacity - this.flying - this.spent.length > 0) at = nowMs;
    else if (this.spent.length > 0) at = this.spent[0]! + this.windowMs;
    else return null;
    return Math.max(at, this.pausedUntil);
  }

  /**
   * Estimated instant at which the k-th next token (k = 0 first) is handed out: free tokens now,
   * spent ones as they return, in-flight ones one window from now (as if answered at once), then
   * the same order again one window later per round. An estimate for hints and the wait bound.
   */
  etaMs(k: number, nowMs: number): number {
    this.expire(nowMs);
    const free = this.capacity - this.flying - this.spent.length;
    const round = Math.floor(k / this.capacity);
    const i = k % this.capacity;
    let base: number;
    if (i < free) base = nowMs;
    else if (i - free < this.spent.length) base = this.spent[i - free]! + this.windowMs;
    else base = nowMs + this.windowMs;
    return Math.max(base + round * this.windowMs, this.pausedUntil);
  }

  private insert(atMs: number): void {
    let i = this.spent.length;
    while (i > 0 && this.spent[i - 1]! > atMs) i--;
    this.spent.splice(i, 0, atMs);
    if (this.flying + this.spent.length > this.capacity) throw new Error("Invariant: RateBucket over capacity");
  }

  private expire(nowMs: number): void {
    while (this.spent.length > 0 && this.spent[0]! + this.windowMs <= nowMs) this.spent.shift();
  }
}
