/**
 * An HTTP/1.1 response read from a byte stream, as the wire transport (`http_wire.ts`) receives
 * it: the status line, the header block, and a body framed by Content-Length, by chunked
 * transfer coding, or (neither given) by the connection's end. Bytes are fed as they arrive;
 * `feed` answers when the response is complete. Anything that is not a well-formed response is
 * an `HttpFramingError` with what was wrong: the connection is then unusable and is closed.
 *
 * Well-formed means what a standard `Response` can carry (`toResponse`): a status of 200-599 (an
 * informational 1xx is not expected: nothing asks for one), header names that are tokens, header
 * values of visible ASCII, spaces, tabs and bytes 0x80-0xFF (read one character per byte, as
 * `fetch` reads them); no other control byte.
 *
 * Bounds: a header block of at most HEADER_MAX bytes and a body of at most BODY_MAX bytes (a
 * venue answer is a few kilobytes). A larger body is refused as soon as it is announced (its
 * Content-Length, a chunk's size), else as soon as it grows past the bound; never buffered
 * without end. Each byte is copied a bounded number of times: body bytes are kept as the pieces
 * they came in and joined once, at the end.
 *
 * Entry points: `ResponseReader` (`feed`, `end`), `toResponse`, `HttpFramingError`, `ParsedResponse`.
 */

import { GrowableBytes } from "./_growable_bytes.ts";

const HEADER_MAX = 64 * 1024;
export const BODY_MAX = 16 * 1024 * 1024;
/** A chunk size line (hex size and extensions) is at most this long, its CRLF included. */
const CHUNK_LINE_MAX = 66;
const CR = 13;
const LF = 10;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, space, tab and obs-text (0x80-0xFF); no other control byte. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export class HttpFramingError extends Error {}

export interface ParsedResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  /** False when the server said `Connection: close` or the body ran to the connection's end. */
  keepAlive: boolean;
}

type Framing = { kind: "length"; left: number } | { kind: "chunked" } | { kind: "close" };
type Head = { status: number; headers: [string, string][]; keepAlive: boolean; framing: Framing };
/** Where the body reader stands: in a body of known length, in chunked coding, or to the end. */
type Stage =
  | { kind: "length"; left: number }
  | { kind: "chunk-line"; line: string }
  | { kind: "chunk-data"; left: number }
  | { kind: "crlf"; seen: number; after: "chunk" | "last" }
  | { kind: "close" };

/** The standard `Response` of a parsed answer; one that `Response` refuses is a framing error. */
export function toResponse(p: ParsedResponse): Response {
  try {
    return new Response(p.body.length > 0 ? p.body : null, { status: p.status, headers: p.headers });
  } catch (e) {
    throw new HttpFramingError(`answer not representable as a Response: ${(e as Error).message}`);
  }
}

export class ResponseReader {
  /** The header block as it arrives; null once it was read. */
  private headBytes: GrowableBytes | null = new GrowableBytes();
  private head: Head | null = null;
  private stage: Stage = { kind: "close" };
  private readonly body: Uint8Array[] = [];
  private bodyBytes = 0;
  private complete = false;

  /** Adds bytes; returns the response once complete (bytes after it are an error: no pipelining). */
  feed(chunk: Uint8Array): ParsedResponse | null {
    if (this.complete) throw new HttpFramingError("bytes after the response body");
    let rest = chunk;
    if (this.headBytes !== null) {
      const bytes = this.headBytes;
      const from = Math.max(0, bytes.length - 3);
      bytes.append(chunk);
      const end = indexOfHeaderEnd(bytes.view(), from);
      if (end < 0 || end > HEADER_MAX) {
        if (bytes.length > HEADER_MAX) throw new HttpFramingError(`header block over ${HEADER_MAX} bytes`);
        return null;
      }
      this.head = parseHead(Buffer.from(bytes.view().subarray(0, end)).toString("latin1"));
      this.stage = firstStage(this.head.framing);
      rest = bytes.view().subarray(end + 4);
      this.headBytes = null;
    }
    return this.readBody(rest);
  }

  /** The connection ended: completes a body framed by the end, else the response was cut. */
  end(): ParsedResponse {
    if (this.head !== null && this.stage.kind === "close") return { ...this.done(), keepAlive: false };
    throw new HttpFramingError(this.head === null ? "connection ended before the header block" : "body cut short");
  }

  /** Consumes body bytes stage by stage; the response once its last byte came. */
  private readBody(bytes: Uint8Array): ParsedResponse | null {
    let at = 0;
    for (;;) {
      const s = this.stage;
      if (s.kind === "length" && s.left === 0) {
        if (at < bytes.length) throw new HttpFramingError("bytes after the response body");
        return this.done();
      }
      if (at >= bytes.length) return null;
      if (s.kind === "close") {
        this.take(bytes.subarray(at));
        return null;
      }
      if (s.kind === "length" || s.kind === "chunk-data") {
        const n = Math.min(s.left, bytes.length - at);
        this.take(bytes.subarray(at, at + n));
        at += n;
        s.left -= n;
        if (s.kind === "chunk-data" && s.left === 0) this.stage = { kind: "crlf", seen: 0, after: "chunk" };
      } else if (s.kind === "crlf") {
        if (bytes[at++] !== (s.seen === 0 ? CR : LF))
          throw new HttpFramingError(
            s.after === "chunk" ? "chunk not followed by CRLF" : "trailers after the last chunk are not read",
          );
        if (++s.seen === 2)
          this.stage = s.after === "chunk" ? { kind: "chunk-line", line: "" } : { kind: "length", left: 0 };
      } else at = this.readChunkLine(s, bytes, at);
    }
  }

  /** Reads (part of) a chunk size line from `at`; returns where reading stopped. */
  private readChunkLine(s: { line: string }, bytes: Uint8Array, at: number): number {
    const lf = bytes.indexOf(LF, at);
    const stop = lf < 0 ? bytes.length : lf + 1;
    s.line += Buffer.from(bytes.subarray(at, stop)).toString("latin1");
    if (s.line.length > CHUNK_LINE_MAX) throw new HttpFramingError("chunk size line too long");
    if (lf < 0) return stop;
    const sizeText = s.line.slice(0, -1).split(";")[0]!.trim();
    if (!s.line.endsWith("\r\n") || !/^[0-9a-fA-F]{1,8}$/.test(sizeText))
      throw new HttpFramingError(`bad chunk size ${JSON.stringify(sizeText)}`);
    const size = Number.parseInt(sizeText, 16);
    if (this.bodyBytes + size > BODY_MAX) throw new HttpFramingError(`body over ${BODY_MAX} bytes`);
    // The last chunk is followed by the final CRLF (no trailers are expected).
    this.stage = size === 0 ? { kind: "crlf", seen: 0, after: "last" } : { kind: "chunk-data", left: size };
    return stop;
  }

  private take(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.bodyBytes += bytes.length;
    if (this.bodyBytes > BODY_MAX) throw new HttpFramingError(`body over ${BODY_MAX} bytes`);
    this.body.push(bytes.slice());
  }

  private done(): ParsedResponse {
    this.complete = true;
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

function firstStage(f: Framing): Stage {
  if (f.kind === "length") return { kind: "length", left: f.left };
  return f.kind === "chunked" ? { kind: "chunk-line", line: "" } : { kind: "close" };
}

function parseHead(text: string): Head {
  const [statusLine = "", ...lines] = text.split("\r\n");
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) throw new HttpFramingError(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 60))}`);
  const status = Number(m[2]);
  if (status < 200) throw new HttpFramingError(`informational status ${status} is not expected`);
  if (status > 599) throw new HttpFramingError(`status ${status} is outside 200-599`);
  const headers = lines.map(parseHeaderLine);
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
    if (Number(length) > BODY_MAX) throw new HttpFramingError(`Content-Length ${length} over ${BODY_MAX} bytes`);
    framing = { kind: "length", left: Number(length) };
  } else framing = { kind: "close" };
  return { status, headers, keepAlive: connection !== "close" && framing.kind !== "close", framing };
}

/** `Name: value`: the name a token (no space before the colon), the value trimmed of spaces and tabs. */
function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(":");
  const name = line.slice(0, Math.max(colon, 0));
  const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  if (colon <= 0) throw new HttpFramingError(`malformed header line ${JSON.stringify(line.slice(0, 60))}`);
  if (!TOKEN.test(name)) throw new HttpFramingError(`header name ${JSON.stringify(name.slice(0, 60))} is not a token`);
  if (!FIELD_VALUE.test(value))
    throw new HttpFramingError(`header ${name} holds a control character: ${JSON.stringify(value.slice(0, 60))}`);
  return [name, value];
}

function indexOfHeaderEnd(b: Uint8Array, from: number): number {
  for (let i = b.indexOf(CR, from); i >= 0 && i + 3 < b.length; i = b.indexOf(CR, i + 1))
    if (b[i + 1] === LF && b[i + 2] === CR && b[i + 3] === LF) return i;
  return -1;
}
