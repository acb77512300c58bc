/**
 * The bytes of one HTTP/1.1 request as the REST transport (http_wire.ts) writes them: its line,
 * Host, the transport's own headers, the caller's, Content-Length and the body. A header holding a
 * line break is refused (no header injection).
 *
 * Entry point: `encodeRequest`.
 */

const USER_AGENT = "dita-v2";
/** Headers this transport writes itself. */
const OWN_HEADERS = new Set(["host", "content-length", "connection", "user-agent", "accept"]);

/** The bytes of one request: its line, Host, this transport's own headers, the caller's, the body. */
export function encodeRequest(
  method: string,
  target: string,
  host: string,
  headers: RequestInit["headers"],
  body: string,
): Uint8Array {
  let text = `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${USER_AGENT}\r\nAccept: */*\r\nConnection: keep-alive\r\n`;
  const add = (k: string, v: string) => {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v))
      throw new Error(`Invariant: header ${JSON.stringify(k)} holds a line break`);
    if (!OWN_HEADERS.has(k.toLowerCase())) text += `${k}: ${v}\r\n`;
  };
  if (headers instanceof Headers) for (const [k, v] of headers) add(k, v);
  else if (Array.isArray(headers)) for (const [k, v] of headers) add(String(k), String(v));
  else if (headers !== undefined)
    for (const [k, v] of Object.entries(headers as Record<string, string>)) add(k, String(v));
  return Buffer.from(`${text}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
