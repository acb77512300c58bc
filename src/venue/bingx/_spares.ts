/**
 * The REST transport's spare connections (http_wire.ts): once the wire is in use it keeps SPARES
 * connections open and free (or opening), topped up after a request takes one and after the venue
 * closes one, so an order finds a connection ready while another request holds one (a
 * reconciliation's read, the previous order's answer) instead of paying a TCP and TLS handshake in
 * front of its first byte. One attempt at a time.
 *
 * A venue that refuses connections, or accepts and hangs up, is not hammered: a connection that
 * closed within HANG_UP_MS of opening without carrying an answer is a hang-up, and after one every
 * attempt waits first, from RETRY_MIN_MS doubling to RETRY_MAX_MS, until an answer comes (which
 * also cuts a pending wait short). An idle spare the venue closes later (its keep-alive timeout) is
 * no hang-up: it is replaced at once.
 *
 * Entry point: `new Spares(host, nowMs)` → `topUp()`, `answered()`, `closedUnserved(openedMs)`, `close()`.
 */

export const SPARES = 2;
export const HANG_UP_MS = 1_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

export interface SpareHost {
  /** Connections open or opening with no request on them. */
  free(): number;
  /** True while another connection may be opened (under the wire's maximum). */
  room(): boolean;
  /** Opens one connection; settles when it is open or failed (a failure reaches `closedUnserved`). */
  open(): Promise<unknown>;
}

export class Spares {
  /** An attempt is connecting, or waiting out its retry delay. */
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = 0;
  private hangUps = 0;
  private closed = false;

  constructor(
    private readonly host: SpareHost,
    private readonly nowMs: () => number,
  ) {}

  topUp(): void {
    if (this.closed || this.busy || this.host.free() >= SPARES || !this.host.room()) return;
    this.busy = true;
    if (this.hangUps === 0) {
      this.attempt();
      return;
    }
    this.retryMs = Math.min(Math.max(this.retryMs * 2, RETRY_MIN_MS), RETRY_MAX_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt();
    }, this.retryMs);
    this.timer.unref?.();
  }

  /** An answer came: the venue serves; the backoff is over, and a pending wait is cut short. */
  answered(): void {
    this.hangUps = 0;
    this.retryMs = 0;
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.busy = false;
    this.topUp();
  }

  /** A connection opened at `openedMs` closed without ever carrying an answer. */
  closedUnserved(openedMs: number): void {
    if (this.nowMs() - openedMs < HANG_UP_MS) this.hangUps++;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private attempt(): void {
    if (this.closed) return;
    const next = () => {
      this.busy = false;
      this.topUp();
    };
    this.host.open().then(next, next);
  }
}
