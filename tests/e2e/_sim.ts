/**
 * Runs bingx-sim as its own process (`dist/dita-v2 sim --port 0 ...`) for e2e tests, parses its
 * "bingx-sim listening on URL (ws WSURL) SEED=N" line, and offers the admin API (state, price)
 * plus the environment that points `dita-v2 serve`/`smoke` at it. Stop with SIGTERM (exit 0).
 */

import { existsSync, readdirSync, rmSync } from "node:fs";
import { requireExe } from "./_exe.ts";

export interface SimPosition {
  symbol: string;
  positionSide: "LONG" | "SHORT";
  positionAmt: number;
  avgPrice: number;
}

export interface SimStateDoc {
  positions: SimPosition[];
  orders: Array<{ clientOrderId: string; status: string; executedQty: number; symbol: string }>;
  balance: { wallet: number; equity: number };
  counters: {
    requests: number;
    placed_by_client_id: Record<string, number>;
    orders_placed: number;
    rate_limited: number;
    ip_banned: number;
  };
}

export interface SimProc {
  url: string;
  wsUrl: string;
  port: number;
  apiKey: string;
  secret: string;
  proc: ReturnType<typeof Bun.spawn>;
  /** BINGX_* variables that point the kernel at this sim. */
  env: Record<string, string>;
  state(): Promise<SimStateDoc>;
  setPrice(symbol: string, price: number): Promise<void>;
  /** A change behind the kernel's back, with no stream event (src/sim/out_of_band.ts). */
  outOfBand(action: Record<string, unknown>): Promise<void>;
  /** Patches the sim's faults (e.g. `{ rate_limit: {...} }`). */
  faults(patch: Record<string, unknown>): Promise<void>;
  stop(): Promise<number>;
}

export async function startSim(
  seed = 7,
  apiKey = "e2e-sim-key-0001",
  secret = "e2e-sim-secret-0001",
): Promise<SimProc> {
  const proc = Bun.spawn(
    [requireExe(), "sim", "--port", "0", "--api-key", apiKey, "--secret", secret, "--seed", String(seed)],
    {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let out = "";
  let line: RegExpExecArray | null = null;
  // One read stays pending across timeouts: a read abandoned to a timer would swallow the line.
  let pending: ReturnType<typeof reader.read> | null = null;
  const deadline = Bun.nanoseconds() + 20e9;
  while (line === null && Bun.nanoseconds() < deadline) {
    pending ??= reader.read();
    const r = await Promise.race([pending, Bun.sleep(100).then(() => null)]);
    if (r === null) continue;
    pending = null;
    if (r.value) out += new TextDecoder().decode(r.value);
    if (r.done) break;
    line = /bingx-sim listening on (http:\/\/127\.0\.0\.1:(\d+)) \(ws (ws:\/\/\S+)\) SEED=(\d+)/.exec(out);
  }
  reader.releaseLock();
  if (line === null) {
    proc.kill("SIGKILL");
    throw new Error(`bingx-sim did not start: ${out.slice(-400)}`);
  }
  const [, url, port, wsUrl] = line as unknown as [string, string, string, string];
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`sim ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url,
    wsUrl,
    port: Number(port),
    apiKey,
    secret,
    proc,
    env: {
      DITA_V2_VENUE: "BINGX",
      BINGX_BASE_URL: url,
      BINGX_WS_URL: wsUrl,
      BINGX_API_KEY: apiKey,
      BINGX_API_SECRET: secret,
    },
    state: () => admin("/_sim/state") as Promise<SimStateDoc>,
    setPrice: async (symbol, price) => void (await admin("/_sim/price", { symbol, price })),
    outOfBand: async (action) => void (await admin("/_sim/out_of_band", action)),
    faults: async (patch) => void (await admin("/_sim/faults", patch)),
    async stop() {
      proc.kill("SIGTERM");
      return proc.exited;
    },
  };
}

/** The sim's position size on one symbol and side (0 when flat). */
export function simSize(state: SimStateDoc, symbol: string, side: "LONG" | "SHORT" = "LONG"): number {
  return state.positions.find((p) => p.symbol === symbol && p.positionSide === side)?.positionAmt ?? 0;
}

/** Removes the /dev/shm files of one Zinc prefix (`<prefix>.state`, `<prefix>.intents`, ...). */
export function removeShm(prefix: string): void {
  if (!existsSync("/dev/shm")) return;
  for (const name of readdirSync("/dev/shm")) {
    if (name === prefix || name.startsWith(`${prefix}.`)) rmSync(`/dev/shm/${name}`, { force: true });
  }
}

let prefixes = 0;

/** A Zinc prefix unique to this test run (and to every other call in it). */
export function uniquePrefix(tag: string): string {
  return `dita_e2e_${tag}_${process.pid}_${Date.now().toString(36)}_${++prefixes}`;
}

/** The Zinc prefixes one test file makes; `removeAll` deletes their /dev/shm files. */
export class ShmPrefixes {
  private readonly made: string[] = [];

  fresh(tag: string): string {
    const p = uniquePrefix(tag);
    this.made.push(p);
    return p;
  }

  removeAll(): void {
    for (const p of this.made.splice(0)) removeShm(p);
  }
}
