/**
 * Submit → outcome for bench/clients.ts: one MARK_PRICE at a time through the ring and the
 * client's outcome lane, after a warm-up, by the Python client (its own process,
 * bench/clients_python.py) and the TypeScript client (this process), against one serve. With a
 * base checkout (`--base`), that commit's clients run too, against the same serve, in alternating
 * rounds: what the clients changed, with the kernel side held equal. Per round: p50, p99, mean,
 * max and the submits that waited over 10 ms; per client, the medians of the rounds' p50 and p99,
 * the largest max and the summed waits over 10 ms.
 *
 * Entry points: `roundtrips({ prefix, lib, n, rounds, baseDir })`; `pythonBench` (any mode of
 * clients_python.py).
 */

import { join } from "node:path";
import type { DitaClient } from "../clients/typescript/index.ts";
import { percentile } from "./http_load.ts";

const ROOT = join(import.meta.dir, "..");
const WARM_UP = 2000;

interface Round {
  n: number;
  p50_us: number;
  p99_us: number;
  mean_us: number;
  max_us: number;
  over_10ms: number;
}

const round1 = (x: number) => Number(x.toFixed(1));

/** Runs `clients_python.py MODE` with the Python client of `clientDir` on its path; its JSON line. */
export function pythonBench<T>(mode: string, prefix: string, lib: string, n: number, clientDir = ROOT): T {
  const r = Bun.spawnSync(["python3", join(import.meta.dir, "clients_python.py"), mode, prefix, lib, String(n)], {
    env: { PATH: process.env.PATH ?? "", PYTHONPATH: join(clientDir, "clients/python") },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`python ${mode} (${clientDir}): ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString().trim().split("\n").pop()!) as T;
}

function python(prefix: string, lib: string, n: number, clientDir: string): Round {
  const o = pythonBench<Round>("roundtrip", prefix, lib, n, clientDir);
  return {
    ...o,
    p50_us: round1(o.p50_us),
    p99_us: round1(o.p99_us),
    mean_us: round1(o.mean_us),
    max_us: round1(o.max_us),
  };
}

async function typescript(prefix: string, lib: string, n: number, clientDir: string): Promise<Round> {
  const { DitaClient: Client } = (await import(join(clientDir, "clients/typescript/index.ts"))) as {
    DitaClient: typeof DitaClient;
  };
  const c = Client.connect({ prefix, libPath: lib, spinUs: 200 });
  const mark = (i: number) => ({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 + (i % 97) }) as const;
  try {
    for (let i = 0; i < WARM_UP; i++) await c.submit(mark(i), { timeoutMs: 2000 });
    const lat: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = Bun.nanoseconds();
      const o = await c.submit(mark(i), { timeoutMs: 2000 });
      lat.push((Bun.nanoseconds() - t) / 1000);
      if (!o.accepted) throw new Error(`refused: ${o.message}`);
    }
    lat.sort((a, b) => a - b);
    return {
      n,
      p50_us: round1(percentile(lat, 0.5)),
      p99_us: round1(percentile(lat, 0.99)),
      mean_us: round1(lat.reduce((a, b) => a + b, 0) / n),
      max_us: round1(lat.at(-1)!),
      over_10ms: lat.filter((x) => x > 10_000).length,
    };
  } finally {
    c.close();
  }
}

function summary(rounds: Round[]) {
  const median = (xs: number[]) =>
    round1(
      percentile(
        [...xs].sort((a, b) => a - b),
        0.5,
      ),
    );
  return {
    n: rounds.reduce((a, r) => a + r.n, 0),
    p50_us: median(rounds.map((r) => r.p50_us)),
    p99_us: median(rounds.map((r) => r.p99_us)),
    max_us: Math.max(...rounds.map((r) => r.max_us)),
    over_10ms: rounds.reduce((a, r) => a + r.over_10ms, 0),
    rounds,
  };
}

export async function roundtrips(o: { prefix: string; lib: string; n: number; rounds: number; baseDir?: string }) {
  const dirs = o.baseDir === undefined ? [ROOT] : [ROOT, o.baseDir];
  const got = dirs.map(() => ({ python: [] as Round[], typescript: [] as Round[] }));
  for (let r = 0; r < o.rounds; r++)
    for (const k of r % 2 === 0 ? dirs.keys() : [...dirs.keys()].reverse()) {
      got[k]!.python.push(python(o.prefix, o.lib, o.n, dirs[k]!));
      got[k]!.typescript.push(await typescript(o.prefix, o.lib, o.n, dirs[k]!));
    }
  const now = { python: summary(got[0]!.python), typescript: summary(got[0]!.typescript) };
  if (got[1] === undefined) return { now, base: null };
  const base = { python: summary(got[1].python), typescript: summary(got[1].typescript) };
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  return {
    now,
    base: {
      ...base,
      now_over_base: {
        python_p50: ratio(now.python.p50_us, base.python.p50_us),
        python_p99: ratio(now.python.p99_us, base.python.p99_us),
        typescript_p50: ratio(now.typescript.p50_us, base.typescript.p50_us),
        typescript_p99: ratio(now.typescript.p99_us, base.typescript.p99_us),
      },
    },
  };
}
