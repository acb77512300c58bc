/**
 * An order's wait for a connection in the REST transport (src/venue/bingx/http_wire.ts), side by
 * side with a base commit's transport in one run; writes bench/results/venue_wire.json. The
 * figure is the time from the order's `fetch` call to its first byte reaching the venue's process
 * (bench/_wire_venue.ts, a process of its own; both ends stamp CLOCK_MONOTONIC), over TLS (as
 * BingX is reached) and plain TCP, on loopback, for an order:
 *  - alone: nothing else in flight;
 *  - beside a slow read: a request the venue answers after 20 ms (a reconciliation's read, a mark
 *    refresh) went out 2 ms before it;
 *  - second of two: placed right after another order, in the same turn.
 * A transport that keeps no free connection beside the one in use opens one in front of the order
 * (a TCP, and over TLS a TLS, handshake; on a real network each is a round trip or two).
 * Between orders the venue closes every idle connection (its keep-alive timeout, here on command),
 * then PACE_MS pass, so each order meets what its transport re-opened by itself.
 * Variants alternate round by round, each keeps one transport for the whole run (warmed by one
 * request, as the adapter's connect does).
 *
 *   bun bench/venue_wire.ts [ORDERS_PER_CASE (60)] [--base COMMIT]
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { HttpWire } from "../src/venue/bingx/http_wire.ts";
import { monoNs } from "./_mono_clock.ts";
import { percentile } from "./http_load.ts";

const ROOT = join(import.meta.dir, "..");
const FIXTURES = join(ROOT, "tests/unit/fixtures");
const PACE_MS = 150;
const ROUNDS = 4;
const baseAt = process.argv.indexOf("--base");
const BASE = baseAt > 0 ? process.argv[baseAt + 1] : undefined;
if (BASE !== undefined && !/^[0-9a-f]{7,40}$/.test(BASE)) throw new Error(`--base needs a commit id, got ${BASE}`);
const ORDERS = Number(process.argv.slice(2).find((a, i, all) => a !== "--base" && all[i - 1] !== "--base") ?? 60);
const CASES = ["alone", "beside a slow read", "second of two"] as const;
type Transport = { fetch(url: string, init?: RequestInit): Promise<Response>; close(): void };
/** Base commits before the clock took only `{ ca }`; an extra option is ignored there. */
type WireClass = new (url: string, o: { ca?: string; nowMs: () => number }) => Transport;

/** The base commit's transport, its two files written out of git beside each other. */
async function baseWire(commit: string): Promise<WireClass> {
  const dir = join(ROOT, ".cache", `wire-base-${commit}`);
  mkdirSync(dir, { recursive: true });
  for (const file of ["http_wire.ts", "_http_response.ts"]) {
    const show = Bun.spawnSync(["git", "-C", ROOT, "show", `${commit}:src/venue/bingx/${file}`]);
    if (show.exitCode !== 0) throw new Error(`git show ${commit}:${file}: ${show.stderr.toString().trim()}`);
    writeFileSync(join(dir, file), show.stdout);
  }
  return (await import(join(dir, "http_wire.ts"))).HttpWire as WireClass;
}

const venue = Bun.spawn(
  [
    process.execPath,
    join(import.meta.dir, "_wire_venue.ts"),
    ...["crt", "key"].map((x) => join(FIXTURES, `tls-test-only.${x}`)),
  ],
  { stdin: "pipe", stdout: "pipe", stderr: "inherit" },
);
const closeWaiter: { done: (() => void) | null } = { done: null };
/** The venue's keep-alive timeout, on command: every idle connection closed. */
async function closeIdle(): Promise<void> {
  const done = new Promise<void>((resolve) => {
    closeWaiter.done = resolve;
  });
  venue.stdin.write("close-idle\n");
  venue.stdin.flush();
  await done;
}
const arrivals = new Map<string, (ns: bigint) => void>();
let ports: { tls: number; plain: number } | null = null;
const listening = (async () => {
  const lines = venue.stdout.pipeThrough(new TextDecoderStream());
  let rest = "";
  for await (const chunk of lines) {
    rest += chunk;
    for (let nl = rest.indexOf("\n"); nl >= 0; nl = rest.indexOf("\n")) {
      const line = JSON.parse(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
      if ("tls" in line) ports = line;
      else if ("closed" in line) closeWaiter.done?.();
      else arrivals.get(line.path)?.(BigInt(line.ns));
    }
  }
})();
while (ports === null) await Bun.sleep(5);
const { tls, plain } = ports as { tls: number; plain: number };
const cert = await Bun.file(join(FIXTURES, "tls-test-only.crt")).text();
const origins = { TLS: `https://localhost:${tls}`, plain: `http://127.0.0.1:${plain}` } as const;

let seq = 0;
/** Sends `path` and answers the microseconds from the call to its first byte at the venue. */
function timed(w: Transport, origin: string, path: string): Promise<number> {
  const unique = `${path}?n=${seq++}`;
  const arrived = new Promise<bigint>((resolve) => arrivals.set(unique, resolve));
  const t0 = monoNs();
  const answered = w.fetch(`${origin}${unique}`, {
    method: path.startsWith("/slow") ? "GET" : "POST",
    signal: AbortSignal.timeout(3000),
  });
  return answered.then(async (r) => {
    await r.text();
    const at = await arrived; // the venue's line may come after the answer
    arrivals.delete(unique);
    return Number(at - t0) / 1000;
  });
}

async function orderIn(kase: (typeof CASES)[number], w: Transport, origin: string): Promise<number> {
  if (kase === "alone") return timed(w, origin, "/order");
  if (kase === "beside a slow read") {
    const read = timed(w, origin, "/slow");
    await Bun.sleep(2);
    const order = await timed(w, origin, "/order");
    await read;
    return order;
  }
  const first = timed(w, origin, "/order-first");
  const second = await timed(w, origin, "/order-second");
  await first;
  return second;
}

const variants: Array<{ name: string; Wire: WireClass }> = [
  { name: "now", Wire: HttpWire as unknown as WireClass },
  ...(BASE ? [{ name: `base ${BASE}`, Wire: await baseWire(BASE) }] : []),
];
const samples = new Map<string, number[]>();
const load = loadavg();
for (const [kind, origin] of Object.entries(origins)) {
  const wires = variants.map((v) => new v.Wire(origin, { ca: cert, nowMs: Date.now }));
  for (const w of wires) await (await w.fetch(`${origin}/connect`)).text();
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, v] of variants.entries())
      for (const kase of CASES)
        for (let k = 0; k < Math.ceil(ORDERS / ROUNDS); k++) {
          await closeIdle();
          await Bun.sleep(PACE_MS);
          const key = `${kind}|${kase}|${v.name}`;
          samples.set(key, [...(samples.get(key) ?? []), await orderIn(kase, wires[i]!, origin)]);
        }
  for (const w of wires) w.close();
}
venue.kill();
await listening.catch(() => {});

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50_us: Number(percentile(s, 0.5).toFixed(1)), p99_us: Number(percentile(s, 0.99).toFixed(1)) };
};
const result: Record<string, unknown> = {
  bench: "venue_wire",
  runtime: `bun ${Bun.version}`,
  context: { load_average_1_5_15: load, orders_paced_ms: PACE_MS, rounds: ROUNDS },
  fetch_call_to_first_byte_at_venue_us: Object.fromEntries(
    Object.keys(origins).map((kind) => [
      kind,
      Object.fromEntries(
        CASES.map((kase) => {
          const now = stats(samples.get(`${kind}|${kase}|now`)!);
          if (!BASE) return [kase, { now }];
          const base = stats(samples.get(`${kind}|${kase}|base ${BASE}`)!);
          const ratio = {
            p50: Number((now.p50_us / base.p50_us).toFixed(2)),
            p99: Number((now.p99_us / base.p99_us).toFixed(2)),
          };
          return [kase, { now, [`base ${BASE}`]: base, now_over_base: ratio }];
        }),
      ),
    ]),
  ),
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/venue_wire.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result.fetch_call_to_first_byte_at_venue_us, null, 1));
