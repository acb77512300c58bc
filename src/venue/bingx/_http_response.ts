/**
 * An HTTP/1.1 response read from a byte stream, as the wire transport (`http_wire.ts`) receives
 * it: the status line, the header block, and a body framed by Content-Length, by chunked
 * transfer coding, or (neither given) by the connection's end. Bytes are fed as they arrive;
 * `feed` answers when the response is complete. Anything that is not a well-formed response is
 * an `HttpFramingError` with what was wrong: the connection is then unusable and is closed.
 *
 * Bounds: a header block of at most HEADER_MAX bytes and a body of at most BODY_MAX bytes (a
 * venue answer is a few kilobytes; anything larger is refused, never buffered without end).
 *
 * Entry points: `ResponseReader` (`feed`, `end`), `HttpFramingError`, `ParsedResponse`.
 */

const HEADER_MAX = 64 * 1024;
const BODY_MAX = 16 * 1024 * 1024;
const CRLF = "\r\n";

export class HttpFramingError extends Error {}

export interface ParsedResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  /** False when the server said `Connection: close` or the body ran to the connection's end. */
  keepAlive: boolean;
}

type Framing = { kind: "length"; left: number } | { kind: "chunked" } | { kind: "close" };

export class ResponseReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private head: { status: number; headers: [string, string][]; keepAlive: boolean; framing: Framing } | null = null;
  private readonly body: Uint8Array[] = [];
  private bodyBytes = 0;

  /** Adds bytes; returns the response once complete (bytes after it are an error: no pipelining). */
  feed(chunk: Uint8Array): ParsedResponse | null {
    this.buffer = concat(this.buffer, chunk);
    if (this.head === null) {
      const end = indexOfHeaderEnd(this.buffer);
      if (end < 0) {
        if (this.buffer.length > HEADER_MAX) throw new HttpFramingError(`header block over ${HEADER_MAX} bytes`);
        return null;
      }
      this.head = parseHead(new TextDecoder().decode(this.buffer.subarray(0, end)));
      this.buffer = this.buffer.subarray(end + 4);
    }
    const f = this.head.framing;
    if (f.kind === "length") {
      if (this.buffer.length > f.left) throw new HttpFramingError("bytes after the response body");
      if (this.buffer.length < f.left) return null;
      return this.done(this.buffer);
    }
    if (f.kind === "chunked") return this.readChunks();
    this.take(this.buffer);
    this.buffer = new Uint8Array(0);
    return null;
  }

  /** The connection ended: completes a body framed by the end, else the response was cut. */
  end(): ParsedResponse {
    if (this.head?.framing.kind === "close") return { ...this.done(new Uint8Array(0)), keepAlive: false };
    throw new HttpFramingError(this.head === null ? "connection ended before the header block" : "body cut short");
  }

  private readChunks(): ParsedResponse | null {
    for (;;) {
      const line = indexOfCrlf(this.buffer);
      if (line < 0) {
        if (this.buffer.length > 64) throw new HttpFramingError("chunk size line too long");
        return null;
      }
      const sizeText = new TextDecoder().decode(this.buffer.subarray(0, line)).split(";")[0]!.trim();
      if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText))
        throw new HttpFramingError(`bad chunk size ${JSON.stringify(sizeText)}`);
      const size = Number.parseInt(sizeText, 16);
      if (size === 0) {
        // The last chunk, then (no trailers are expected) the final CRLF.
        if (this.buffer.length < line + 4) return null;
        if (this.buffer[line + 2] !== 13 || this.buffer[line + 3] !== 10)
          throw new HttpFramingError("trailers after the last chunk are not read");
        if (this.buffer.length > line + 4) throw new HttpFramingError("bytes after the response body");
        return this.done(new Uint8Array(0));
      }
      if (this.buffer.length < line + 2 + size + 2) return null;
      const start = line + 2;
      if (this.buffer[start + size] !== 13 || this.buffer[start + size + 1] !== 10)
        throw new HttpFramingError("chunk not followed by CRLF");
      this.take(this.buffer.subarray(start, start + size));
      this.buffer = this.buffer.subarray(start + size + 2);
    }
  }

  private take(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.bodyBytes += bytes.length;
    if (this.bodyBytes > BODY_MAX) throw new HttpFramingError(`body over ${BODY_MAX} bytes`);
    this.body.push(bytes.slice());
  }

  private done(last: Uint8Array): ParsedResponse {
    this.take(last);
    const head = this.head!;
    const body = new Uint8Array(this.bodyBytes);
    let at = 0;
    for (const b of this.body) {
      body.set(b, at);
      at += b.length;
    }
    return { status: head.status, headers: head.headers, body, keepAlive: head.keepAlive };
  }
}

function parseHead(text: string): NonNullable<ResponseReader["head"]> {
  const [statusLine = "", ...lines] = text.split(CRLF);
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) throw new HttpFramingError(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 60))}`);
  const status = Number(m[2]);
  if (status < 200) throw new HttpFramingError(`informational status ${status} is not expected`);
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpFramingError(`malformed header line ${JSON.stringify(line.slice(0, 60))}`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const get = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1];
  const connection = get("connection")?.toLowerCase() ?? (m[1] === "0" ? "close" : "keep-alive");
  const coding = get("transfer-encoding")?.toLowerCase();
  const length = get("content-length");
  let framing: Framing;
  if (status === 204 || status === 304) framing = { kind: "length", left: 0 };
  else if (coding !== undefined) {
    if (coding !== "chunked") throw new HttpFramingError(`transfer coding ${coding} is not read`);
    framing = { kind: "chunked" };
  } else if (length !== undefined) {
    if (!/^\d{1,9}$/.test(length)) throw new HttpFramingError(`bad Content-Length ${JSON.stringify(length)}`);
    framing = { kind: "length", left: Number(length) };
  } else framing = { kind: "close" };
  return { status, headers, keepAlive: connection !== "close" && framing.kind !== "close", framing };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfHeaderEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++)
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

function indexOfCrlf(b: Uint8Array): number {
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10) return i;
  return -1;
}
