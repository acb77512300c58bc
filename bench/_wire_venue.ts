/**
 * The venue for bench/venue_wire.ts, in a process of its own: one TLS and one plain TCP listener
 * on loopback speaking just enough HTTP/1.1. Each request's first byte is stamped on
 * CLOCK_MONOTONIC (shared by every process on the host) when its bytes reach this process, and
 * reported on stdout as `{"path":…,"ns":…}`. A path starting `/slow` is answered after SLOW_MS (a
 * read the venue is slow to answer); every other path at once. A line `close-idle` on stdin closes
 * every connection with no request on it, as a venue's keep-alive timeout does: the bench sends it
 * between orders, so each order meets only the connections a transport re-opens by itself (a timer
 * instead would race the bench's own requests).
 *
 *   bun bench/_wire_venue.ts CERT_FILE KEY_FILE
 * stdout: `{"tls":PORT,"plain":PORT}` once listening, then one line per request.
 */

import { writeSync } from "node:fs";
import type { Socket } from "bun";
import { monoNs } from "./_mono_clock.ts";

const SLOW_MS = 20;
const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error("usage: _wire_venue.ts CERT_FILE KEY_FILE");

interface Conn {
  buf: string;
  /** Stamp of the first byte of the request being read, 0 between requests. */
  firstNs: bigint;
  /** Requests read and not answered yet. */
  open: number;
}

/** Stdout unbuffered: the bench waits on each line. */
const report = (line: object) => writeSync(1, `${JSON.stringify(line)}\n`);
const connections = new Set<Socket<Conn>>();

const handlers = {
  open(s: Socket<Conn>) {
    s.data = { buf: "", firstNs: 0n, open: 0 };
    connections.add(s);
  },
  close(s: Socket<Conn>) {
    connections.delete(s);
  },
  data(s: Socket<Conn>, chunk: Buffer) {
    if (s.data.firstNs === 0n) s.data.firstNs = monoNs();
    s.data.buf += chunk.toString("latin1");
    for (let end = s.data.buf.indexOf("\r\n\r\n"); end >= 0; end = s.data.buf.indexOf("\r\n\r\n")) {
      const path = s.data.buf.slice(0, end).split(" ")[1] ?? "?";
      s.data.buf = s.data.buf.slice(end + 4); // the bench's requests carry no body
      report({ path, ns: String(s.data.firstNs) });
      s.data.firstNs = s.data.buf.length > 0 ? monoNs() : 0n;
      s.data.open++;
      const answer = () => {
        s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        s.data.open--;
      };
      if (path.startsWith("/slow")) setTimeout(answer, SLOW_MS);
      else answer();
    }
  },
};

const tls = Bun.listen<Conn>({
  hostname: "127.0.0.1",
  port: 0,
  tls: { cert: Bun.file(certFile), key: Bun.file(keyFile) },
  socket: handlers,
});
const plain = Bun.listen<Conn>({ hostname: "127.0.0.1", port: 0, socket: handlers });
report({ tls: tls.port, plain: plain.port });
for await (const line of console) {
  if (line.trim() !== "close-idle") continue;
  for (const s of connections) if (s.data.open === 0 && s.data.firstNs === 0n) s.end();
  report({ closed: true });
}
