/**
 * The REST client's transport to one venue origin: HTTP/1.1 over kept-alive TCP (or TLS)
 * connections that this thread writes itself. A request is written to the socket in the
 * caller's turn, so an order's first byte leaves while the caller is still running, instead of
 * being handed to another thread as `fetch` does (bench/clients.ts measures both). The answer
 * is read as it arrives (`_http_response.ts`) and handed back as a standard `Response`.
 *
 * One request at a time per connection (no pipelining); at most CONNECTIONS_MAX connections,
 * and requests beyond them wait for one to be free, in order. Connections are opened ahead of
 * need (`_spares.ts`): once the wire is in use two are kept open and free, so an order finds one
 * ready while another request holds one, instead of paying a handshake before its first byte.
 *
 * Failures read as `fetch`'s do: a request whose bytes were written and whose answer did not
 * come (closed, reset, unreadable, or not one a standard `Response` can carry) rejects with an
 * Error and closes its connection, and the caller treats its outcome as unknown: every request
 * settles. An aborted request rejects with an AbortError and its connection is closed (one still
 * opening for it is kept, its bytes never written: it serves the next request). Requests
 * to another origin, or with a body other than text, go to the global `fetch`.
 *
 * Entry point: `new HttpWire(baseUrl, { nowMs, ca? })` → `fetch(url, init)`, `rehearse`, `close()`.
 */

import type { Socket } from "bun";
import { encodeRequest } from "./_http_request.ts";
import { HttpFramingError, ResponseReader, toResponse } from "./_http_response.ts";
import { Spares } from "./_spares.ts";

const CONNECTIONS_MAX = 8;
/** Free connections kept open (or opening) once the wire is in use. */

interface Exchange {
  resolve(r: Response): void;
  reject(e: Error): void;
  reader: ResponseReader;
}

interface Conn {
  socket: Socket<Conn> | null;
  open: Promise<void>;
  exchange: Exchange | null;
  /** Bytes the socket did not take yet (written on `drain`). */
  unsent: Uint8Array | null;
  closed: boolean;
  /** An answer came on it: the venue served it, so its closing later is no failure. */
  served: boolean;
  openedMs: number;
}

export class HttpWire {
  private readonly origin: URL;
  private readonly conns = new Set<Conn>();
  private readonly queue: Array<() => void> = [];
  private closed = false;
  private readonly spares: Spares;

  /**
   * `nowMs`: the process clock (a spare's age tells a hang-up from a keep-alive timeout, _spares.ts);
   * `ca`: PEM certificates trusted beside the system's (a private CA, a test venue).
   */
  constructor(
    baseUrl: string,
    private readonly opts: { nowMs: () => number; ca?: string },
  ) {
    this.origin = new URL(baseUrl);
    if (this.origin.protocol !== "http:" && this.origin.protocol !== "https:")
      throw new Error(`Condition failed: venue base URL must be http or https, got ${this.origin.protocol}`);
    this.spares = new Spares(
      {
        free: () => [...this.conns].filter((c) => c.exchange === null && !c.closed).length,
        room: () => this.conns.size < CONNECTIONS_MAX,
        open: () => this.connect().open,
      },
      opts.nowMs,
    );
  }

  close(): void {
    this.closed = true;
    this.spares.close();
    for (const c of this.conns) this.drop(c, new Error("transport closed"));
  }

  fetch = (url: string, init: RequestInit = {}): Promise<Response> => {
    const body = init.body ?? "";
    const target = this.targetOf(url);
    if (target === null || typeof body !== "string" || this.closed) return fetch(url, init);
    return this.exchange(
      encodeRequest(init.method ?? "GET", target, this.origin.host, init.headers, body),
      init.signal ?? null,
    );
  };

  /** Builds the bytes `fetch` would write for this request, and writes nothing (path warming). */
  rehearse(url: string, init: RequestInit): void {
    const target = this.targetOf(url);
    if (target !== null) encodeRequest(init.method ?? "GET", target, this.origin.host, init.headers, "");
  }

  /** The request target (path and query) of a URL on this origin; null for another origin. */
  private targetOf(url: string): string | null {
    const origin = this.origin.origin;
    if (!url.startsWith(origin)) return null;
    if (url.length === origin.length) return "/";
    return url[origin.length] === "/" ? url.slice(origin.length) : null;
  }

  private exchange(bytes: Uint8Array, signal: AbortSignal | null): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      if (this.closed) return reject(new Error("transport closed")); // a request queued before close()
      const start = (c: Conn) => {
        const ex: Exchange = { resolve, reject, reader: new ResponseReader() };
        c.exchange = ex;
        c.socket?.ref(); // a request in flight keeps the process alive, an idle connection does not
        signal?.addEventListener("abort", () => c.exchange === ex && this.drop(c, abortError()), { once: true });
        this.write(c, bytes);
        setImmediate(() => this.spares.topUp()); // after this turn: nothing delays the order's bytes
      };
      const ready = [...this.conns].find((c) => c.socket !== null && c.exchange === null && !c.closed);
      if (ready) return start(ready); // the common case: written in this turn
      if (this.conns.size < CONNECTIONS_MAX) {
        const c = this.connect();
        const reserved: Exchange = { resolve: () => {}, reject: () => {}, reader: new ResponseReader() };
        c.exchange = reserved;
        // An abort while the connection opens settles the request at once; its bytes are never
        // written, and the connection, once open, is free for the next request.
        let aborted = false;
        const onAbort = () => {
          aborted = true;
          reject(abortError());
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        c.open.then(
          () => {
            signal?.removeEventListener("abort", onAbort);
            if (c.closed) return reject(new Error("connection closed before the request was sent"));
            if (!aborted) return start(c);
            if (c.exchange === reserved) c.exchange = null;
            this.release();
          },
          (e: Error) => {
            signal?.removeEventListener("abort", onAbort);
            reject(e);
          },
        );
        return;
      }
      const run = () => void this.exchange(bytes, signal).then(resolve, reject);
      this.queue.push(run);
      const unqueue = () => {
        const at = this.queue.indexOf(run);
        if (at >= 0) this.queue.splice(at, 1);
        if (at >= 0) reject(abortError());
      };
      signal?.addEventListener("abort", unqueue, { once: true });
    });
  }

  private connect(): Conn {
    const c: Conn = {
      socket: null,
      open: Promise.resolve(),
      exchange: null,
      unsent: null,
      closed: false,
      served: false,
      openedMs: this.opts.nowMs(),
    };
    this.conns.add(c);
    const port = Number(this.origin.port || (this.origin.protocol === "https:" ? 443 : 80));
    c.open = Bun.connect<Conn>({
      hostname: this.origin.hostname,
      port,
      ...(this.origin.protocol === "https:"
        ? { tls: { serverName: this.origin.hostname, ...(this.opts.ca === undefined ? {} : { ca: this.opts.ca }) } }
        : {}),
      data: c,
      socket: {
        data: (_s, chunk) => this.onData(c, chunk),
        drain: (s) => {
          const rest = c.unsent;
          c.unsent = null;
          if (rest) this.writeRest(c, s, rest);
        },
        close: () => this.drop(c, new Error("connection closed by the venue before its answer")),
        error: (_s, e) => this.drop(c, new Error(`connection error: ${e.message}`)),
        connectError: (_s, e) => this.drop(c, new Error(`connection failed: ${e.message}`)),
        end: (s) => this.onEnd(c, s),
      },
    }).then(
      (s) => {
        c.socket = s;
        s.unref();
        s.setNoDelay?.(true);
        if (c.exchange === null && !c.closed) this.release(); // a spare opened: it serves the queue first
      },
      (e: Error) => {
        this.drop(c, e);
        throw new Error(`connection failed: ${e.message}`);
      },
    );
    c.exchange = null;
    return c;
  }

  private write(c: Conn, bytes: Uint8Array): void {
    if (c.socket === null) this.drop(c, new Error("connection not open"));
    else this.writeRest(c, c.socket, bytes);
  }

  private writeRest(c: Conn, s: Socket<Conn>, bytes: Uint8Array): void {
    const n = s.write(bytes);
    if (n < 0) this.drop(c, new Error("write failed"));
    else if (n < bytes.length) c.unsent = bytes.subarray(n);
  }

  private onData(c: Conn, chunk: Uint8Array): void {
    const ex = c.exchange;
    if (ex === null) {
      this.drop(c, new Error("bytes from the venue with no request waiting"));
      return;
    }
    let answer: { response: Response; keepAlive: boolean } | null = null;
    try {
      const parsed = ex.reader.feed(chunk);
      if (parsed !== null) answer = { response: toResponse(parsed), keepAlive: parsed.keepAlive };
    } catch (e) {
      this.drop(c, e instanceof HttpFramingError ? new Error(`unreadable answer: ${e.message}`) : (e as Error));
      return;
    }
    if (answer === null) return;
    c.exchange = null; // only once its Response exists: a request is never let go unsettled
    c.served = true;
    this.spares.answered();
    c.socket?.unref();
    ex.resolve(answer.response);
    if (!answer.keepAlive) this.drop(c, new Error("closed after its answer"));
    else this.release();
  }

  private onEnd(c: Conn, s: Socket<Conn>): void {
    const ex = c.exchange;
    let why = "connection ended by the venue before its answer";
    if (ex !== null && c.socket !== null) {
      try {
        const response = toResponse(ex.reader.end());
        c.exchange = null;
        c.served = true;
        ex.resolve(response);
      } catch (e) {
        why = `${why} (${(e as Error).message})`;
      }
    }
    s.end();
    this.drop(c, new Error(why));
  }

  /** A free connection serves the next queued request. */
  private release(): void {
    this.queue.shift()?.();
  }

  private drop(c: Conn, why: Error): void {
    const ex = c.exchange;
    c.exchange = null;
    const wasOpen = !c.closed;
    c.closed = true;
    this.conns.delete(c);
    if (wasOpen) c.socket?.terminate();
    ex?.reject(why);
    if (wasOpen) {
      if (!c.served) this.spares.closedUnserved(c.openedMs);
      const next = this.queue.shift();
      if (next) next();
      else this.spares.topUp();
    }
  }
}

function abortError(): Error {
  return new DOMException("the request was aborted", "AbortError");
}
