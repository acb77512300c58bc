/**
 * The BingX user-data stream: a listen key (created over REST, extended every 30 minutes, closed
 * on stop) and a WebSocket to `${wsUrl}?listenKey=…`. Each binary frame is gunzipped and
 * classified by normalizer.ts; `Ping` is answered with `Pong`. When the socket drops, it
 * reconnects with bounded exponential backoff (base × 2^attempt, capped), and after every
 * (re)connect calls `onOpen` so the adapter can catch up over REST: a new connection does not
 * replay what was missed.
 *
 * A connection proves itself by staying open `stableAfterMs` (default 30 s): only then does the
 * attempt count go back to 0. An open that the venue closes sooner counts as a failed attempt, so
 * a venue that accepts the socket and drops it at once meets a growing backoff and, after
 * `reconnectMax` such attempts, the STREAM_GAP; never a reconnect (and catch-up) storm.
 *
 * Bounds: after `reconnectMax` consecutive failed or short-lived attempts, one STREAM_GAP
 * diagnostic, and the attempts go on at the capped delay (`backoffMaxMs`) for as long as the venue
 * stays away: a stream that gave up would leave a kernel whose fills only come from hung-order
 * queries, until a restart. Each open waits at most `openTimeoutMs`. A reconnect whose socket did not
 * open with a key that had opened one before drops that key (the venue may no longer know it: a key
 * that lapsed while the socket was down gets no listenKeyExpired frame): the next attempt takes a new one. A `stop` while a reconnect is
 * under way closes the socket and the listen key that reconnect made. A socket that spoke and then
 * sends nothing for `silenceMaxMs` (default 60 s; BingX pings every 5 s) is dropped as dead: a
 * half-open connection never closes by itself. Timers are injected so tests can drive keep-alive, backoff and the proving
 * period without waiting.
 *
 * Entry points: `new UserStream(options)`, `start`, `stop`, `isOpen`, `listenKey`, `StreamTimings`.
 */

import type { VenueDiagnostic } from "../../contracts/venue.ts";
import { parseListenKey } from "./_parse.ts";
import { listenKeyClose, listenKeyCreate, listenKeyExtend } from "./endpoints.ts";
import { classifyFrame, decodeFrame, type FrameResult } from "./normalizer.ts";
import type { BingxRestClient } from "./rest_client.ts";

export interface StreamTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: StreamTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface UserStreamOptions {
  rest: BingxRestClient;
  wsUrl: string;
  onFrame(result: FrameResult): void;
  onDiagnostic(d: VenueDiagnostic): void;
  /** Called after every successful open; `reconnected` is false for the first one. */
  onOpen(reconnected: boolean): void;
  onDown?(): void;
  timers?: StreamTimers;
  keepAliveMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  reconnectMax?: number;
  openTimeoutMs?: number;
  /** How long a connection must stay open before the attempt count is reset (default 30 s). */
  stableAfterMs?: number;
  /** A socket that spoke and then sends no frame (BingX pings every 5 s) for this long is dead (default 60 s). */
  silenceMaxMs?: number;
}

/** The stream's timings an adapter may set. */
export type StreamTimings = Pick<
  UserStreamOptions,
  "keepAliveMs" | "backoffBaseMs" | "backoffMaxMs" | "reconnectMax" | "openTimeoutMs" | "stableAfterMs" | "silenceMaxMs"
>;

export class UserStream {
  private ws: WebSocket | null = null;
  private key: string | null = null;
  private keepAlive: unknown = null;
  private retry: unknown = null;
  /** Timer that resets the attempt count once the current connection has stayed open long enough. */
  private proving: unknown = null;
  /** Silence watchdog of the current socket (armed by its first frame) and whether a frame came since it last looked. */
  private watchdog: unknown = null;
  private heard = false;
  private stopping = false;
  /** The current listen key has opened a socket (a new key has not, yet). */
  private keyOpened = false;
  private attempt = 0;
  private readonly timers: StreamTimers;

  constructor(private readonly opts: UserStreamOptions) {
    this.timers = opts.timers ?? realTimers;
  }

  isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  listenKey(): string | null {
    return this.key;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.attempt = 0;
    await this.renewKey();
    await this.open();
    this.startProving();
    this.keepAlive = this.timers.setInterval(() => void this.extend(), this.opts.keepAliveMs ?? 30 * 60_000);
    this.opts.onOpen(false);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.keepAlive !== null) this.timers.clearInterval(this.keepAlive);
    if (this.retry !== null) this.timers.clearTimeout(this.retry);
    this.stopProving();
    this.stopWatchdog();
    this.keepAlive = this.retry = null;
    this.ws?.close();
    this.ws = null;
    const key = this.key;
    this.key = null;
    if (key) await this.opts.rest.request(listenKeyClose(key)).catch(() => undefined);
  }

  private async renewKey(): Promise<void> {
    const key = parseListenKey(await this.opts.rest.request(listenKeyCreate()));
    if (!key) throw new Error("Condition failed: listen key answer has no usable listenKey");
    this.key = key;
    this.keyOpened = false;
  }

  private async extend(): Promise<void> {
    if (!this.key || this.stopping) return;
    try {
      await this.opts.rest.request(listenKeyExtend(this.key));
    } catch (err) {
      this.diag("STREAM_RECONNECT", `listen key extension failed (${(err as Error).message}); renewing the key`);
      this.key = null;
      this.ws?.close();
    }
  }

  private open(): Promise<void> {
    const sep = this.opts.wsUrl.includes("?") ? "&" : "?";
    const ws = new WebSocket(`${this.opts.wsUrl}${sep}listenKey=${encodeURIComponent(this.key ?? "")}`);
    ws.binaryType = "arraybuffer";
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = this.timers.setTimeout(() => {
        if (settled) return;
        settled = true;
        ws.close();
        reject(new Error(`stream did not open within ${this.opts.openTimeoutMs ?? 10_000} ms`));
      }, this.opts.openTimeoutMs ?? 10_000);
      ws.onopen = () => {
        if (settled) return;
        settled = true;
        this.timers.clearTimeout(timer);
        this.ws = ws;
        this.keyOpened = true;
        resolve();
      };
      ws.onmessage = (m) => this.message(ws, m.data as string | ArrayBuffer);
      ws.onclose = () => {
        if (!settled) {
          settled = true;
          this.timers.clearTimeout(timer);
          reject(new Error("stream closed before it opened"));
          return;
        }
        if (this.ws === ws) this.dropped();
      };
      ws.onerror = () => undefined;
    });
  }

  private message(ws: WebSocket, data: string | ArrayBuffer): void {
    if (ws === this.ws) this.hear(ws);
    const decoded = decodeFrame(data);
    const result = decoded.ok ? classifyFrame(decoded.text) : decoded.result;
    if (result.type === "ping") {
      if (ws.readyState === WebSocket.OPEN) ws.send("Pong");
      return;
    }
    if (result.type === "listen_key_expired") {
      this.diag("STREAM_RECONNECT", "listen key expired; renewing and reconnecting");
      this.key = null;
      ws.close();
      return;
    }
    this.opts.onFrame(result);
  }

  private dropped(): void {
    this.ws = null;
    this.stopProving();
    this.stopWatchdog();
    if (this.stopping) return;
    this.opts.onDown?.();
    this.diag("STREAM_RECONNECT", "user stream closed; reconnecting");
    this.schedule();
  }

  private schedule(): void {
    const max = this.opts.reconnectMax ?? 1000;
    const cap = this.opts.backoffMaxMs ?? 30_000;
    if (this.attempt === max)
      this.diag("STREAM_GAP", `user stream down after ${max} reconnect attempts; trying again every ${cap} ms`);
    const delay = this.attempt >= max ? cap : Math.min((this.opts.backoffBaseMs ?? 250) * 2 ** this.attempt, cap);
    this.attempt++;
    this.retry = this.timers.setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    this.retry = null;
    if (this.stopping) return;
    let opening = false;
    try {
      if (!this.key) await this.renewKey();
      opening = true;
      await this.open();
    } catch (err) {
      this.diag("STREAM_RECONNECT", `reconnect attempt ${this.attempt} failed: ${(err as Error).message}`);
      // A key that opened a socket before may have lapsed or been dropped while the socket was
      // down (no listenKeyExpired frame could say so): the next attempt takes a new one. A new key
      // is kept through the outage (the keep-alive still extends it).
      if (opening && this.keyOpened) this.key = null;
      if (!this.stopping) this.schedule();
      return;
    }
    if (this.stopping) return this.abandon();
    this.startProving();
    this.opts.onOpen(true);
  }

  /** A reconnect that finished after `stop`: its socket and listen key are closed too. */
  private abandon(): void {
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    const key = this.key;
    this.key = null;
    if (key) void this.opts.rest.request(listenKeyClose(key)).catch(() => undefined);
  }

  /**
   * A frame on the current socket: it is alive. The first one arms the watchdog, which drops the
   * socket after a whole `silenceMaxMs` without a frame (a half-open connection never closes by itself).
   */
  private hear(ws: WebSocket): void {
    this.heard = true;
    if (this.watchdog === null) this.armWatchdog(ws);
  }

  private armWatchdog(ws: WebSocket): void {
    const ms = this.opts.silenceMaxMs ?? 60_000;
    this.heard = false;
    this.watchdog = this.timers.setTimeout(() => {
      this.watchdog = null;
      if (this.ws !== ws) return;
      if (this.heard) return this.armWatchdog(ws);
      this.diag("STREAM_RECONNECT", `no frame on the user stream for ${ms} ms; dropping the socket`);
      ws.close();
      this.dropped(); // its close may never come: it is no longer the stream's socket
    }, ms);
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) this.timers.clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  /** The attempt count is reset only if this connection stays open `stableAfterMs`. */
  private startProving(): void {
    this.stopProving();
    this.proving = this.timers.setTimeout(() => {
      this.proving = null;
      this.attempt = 0;
    }, this.opts.stableAfterMs ?? 30_000);
  }

  private stopProving(): void {
    if (this.proving !== null) this.timers.clearTimeout(this.proving);
    this.proving = null;
  }

  private diag(code: VenueDiagnostic["code"], message: string): void {
    this.opts.onDiagnostic({ code, message });
  }
}
