/**
 * Load generation for bench/http.ts: `wrk` from Debian (installed with apt-get when missing) or,
 * when it cannot be had, a Bun client with N concurrent keep-alive connections. Both answer
 * requests/s and latency percentiles in ms for one GET URL over a fixed duration.
 *
 * Entry points: `ensureWrk()`, `wrkRun(url, opts)`, `bunRun(url, opts)`, `percentile(sorted, q)`.
 */

import { spawnSync } from "node:child_process";

export interface LoadOptions {
  threads: number;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
}

/** "wrk debian/4.1.0-3+b2" when wrk is present or could be installed, else null. */
export function ensureWrk(): string | null {
  if (!Bun.which("wrk")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { env, timeout: 300_000 });
    spawnSync("apt-get", ["install", "-y", "-qq", "wrk"], { env, timeout: 300_000 });
  }
  if (!Bun.which("wrk")) return null;
  const v = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  return `wrk ${/wrk (\S+)/.exec(`${v.stdout}${v.stderr}`)?.[1] ?? "(unknown version)"}`;
}

function ms(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

export function wrkRun(url: string, o: LoadOptions): LoadResult {
  const r = spawnSync("wrk", [`-t${o.threads}`, `-c${o.connections}`, `-d${o.durationS}s`, "--latency", url], {
    encoding: "utf8",
    timeout: (o.durationS + 30) * 1000,
  });
  const out = r.stdout ?? "";
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(out);
    if (!m) throw new Error(`wrk output has no ${p}% line: ${out.slice(0, 400)}`);
    return ms(m[1]!, m[2]!);
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  if (!(rps > 0)) throw new Error(`wrk failed: ${out}${r.stderr}`);
  return { rps, p50_ms: pct("50"), p99_ms: pct("99"), requests, errors };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The fallback generator: `connections` concurrent fetch loops for `durationS` seconds. */
export async function bunRun(url: string, o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + o.durationS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await fetch(url).catch(() => null);
      if (res === null || res.status !== 200) errors++;
      else await res.arrayBuffer();
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: o.connections }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsedS,
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
    requests: latencies.length,
    errors,
  };
}
