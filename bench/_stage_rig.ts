/**
 * The rig the stage breakdowns share (bench/_clients_stages.ts: the ring path; bench/_http_stages.ts:
 * POST /intents): the runtime serve runs (`Runtime`, journal on, real Zinc, the BingX adapter) built in
 * this process, bingx-sim behind the first-byte relay (`startProbe`), and the hand-overs every order
 * path shares stamped on the relay's clock (`realtimeNs`): the executor's dispatch of an ENTER or EXIT
 * transition, the adapter's submit entered, the signed placement handed to the REST client's transport.
 * `backToBackMs` lifts the adapter's placement budget (bench only), so orders can follow that close.
 *
 * Also what each breakdown does with its stamps: `p50`, `gap50` (the median gap between two hand-overs),
 * `totals` (the first hand-over to the last, p50 and p99), and `inChild` (a breakdown run in a bun
 * process of its own with serve's eager JIT tiers, as serve has them).
 *
 * Entry point: `startStageRig(o)` → `{ rt, sim, probe, prefix, rest, stamps, reset(), stop() }`.
 */

import { rmSync } from "node:fs";
import { join } from "node:path";
import type { TransitionRecord } from "../src/contracts/index.ts";
import { buildBundle, loadConfig, Runtime, SystemClock } from "../src/launcher/index.ts";
import { EAGER_JIT_ENV } from "../src/launcher/jit_tiers.ts";
import { startBingxSim } from "../src/sim/index.ts";
import { Throttle } from "../src/venue/bingx/_throttle.ts";
import { realtimeNs, startProbe } from "./_venue_probe.ts";
import { percentile } from "./http_load.ts";

export type StageOptions = { trades: number; key: string; secret: string; scratch: string; backToBackMs?: number };

/** The REST client's transport and request builder, reached through the verbosity wrapper and the adapter. */
export type RigRest = {
  doFetch: (url: string, init: RequestInit) => Promise<Response>;
  buildRequest: (req: { method: string; path: string }, nowMs: number) => unknown;
};

export async function startStageRig(o: StageOptions, tag: string) {
  const unlimited = Object.fromEntries(
    ["place_order", "query_order", "positions", "balance", "leverage", "listen_key", "market"].map((k) => [k, 1e6]),
  );
  const sim = await startBingxSim({
    port: 0,
    apiKey: o.key,
    secret: o.secret,
    seed: 9,
    balance: 1e7,
    rateLimitsPerS: unlimited,
    ipLimits: false,
  });
  const probe = await startProbe(sim.port);
  const prefix = `dita_bench_${tag}_${process.pid}`;
  const env = {
    DITA_V2_VENUE: "BINGX",
    BINGX_BASE_URL: probe.url,
    BINGX_WS_URL: sim.wsUrl,
    BINGX_API_KEY: o.key,
    BINGX_API_SECRET: o.secret,
    DITA_V2_ZINC: "REAL",
    DITA_V2_ZINC_PREFIX: prefix,
    DITA_V2_STATE_DIR: join(o.scratch, prefix),
  };
  const stamps = { dispatch: 0, submit: 0, fetch: 0 };
  const rt = new Runtime(await buildBundle(loadConfig(env), new SystemClock(), env, { journal: true }), () => {});
  const rest = (rt.b.venue as unknown as { inner: { rest: RigRest } }).inner.rest;
  if (o.backToBackMs !== undefined) {
    const lifted = { place_order: 100_000, query_order: 100_000, market: 100_000 };
    (rest as unknown as { throttle: Throttle }).throttle = new Throttle({
      clock: new SystemClock(),
      margin: 1,
      sleep: (ms) => Bun.sleep(ms),
      limitsPerS: lifted,
    });
  }
  const transport = rest.doFetch;
  rest.doFetch = (url, init) => {
    if (url.includes("/trade/order") && init.method === "POST" && stamps.fetch === 0) stamps.fetch = realtimeNs();
    return transport(url, init);
  };
  await rt.start();
  const dispatch = rt.executor.dispatch.bind(rt.executor);
  rt.executor.dispatch = (ts: readonly TransitionRecord[]) => {
    if (stamps.dispatch === 0 && ts.some((t) => t.trigger === "ENTER" || t.trigger === "EXIT"))
      stamps.dispatch = realtimeNs();
    dispatch(ts);
  };
  const submit = rt.b.venue.submit.bind(rt.b.venue);
  rt.b.venue.submit = (order) => {
    if (stamps.submit === 0) stamps.submit = realtimeNs();
    return submit(order);
  };
  return {
    rt,
    sim,
    probe,
    prefix,
    rest,
    stamps,
    reset: () => Object.assign(stamps, { dispatch: 0, submit: 0, fetch: 0 }),
    async stop(loops: Promise<unknown>) {
      await rt.shutdown(2000);
      await loops;
      probe.stop();
      sim.stop();
      for (const k of ["intents", "state", "outcomes"]) rmSync(`/dev/shm/${prefix}.${k}`, { force: true });
    },
  };
}

/** The median of `xs` in µs, to 0.1 (sorts `xs`). */
export const p50 = (xs: number[]) =>
  Number(
    percentile(
      xs.sort((a, b) => a - b),
      0.5,
    ).toFixed(1),
  );

/** The median gap between a table's hand-overs k and k + 1 (ns stamps), in µs. */
export const gap50 = (table: number[][], k: number) => p50(table.map((r) => (r[k + 1]! - r[k]!) / 1000));

/** Each row's first stamp to its last, in µs: p50 and p99. */
export function totals(rows: number[][]): { total_p50: number; total_p99: number } {
  const total = rows.map((r) => (r[r.length - 1]! - r[0]!) / 1000).sort((a, b) => a - b);
  return {
    total_p50: Number(percentile(total, 0.5).toFixed(1)),
    total_p99: Number(percentile(total, 0.99).toFixed(1)),
  };
}

/** The breakdown module at `path` run in a bun process of its own with serve's eager JIT tiers; its last stdout line. */
export async function inChild<T>(path: string, o: StageOptions): Promise<T> {
  const child = Bun.spawn([process.execPath, path, JSON.stringify(o)], {
    env: { ...process.env, ...EAGER_JIT_ENV },
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`the stage breakdown's process (${path}) failed`);
  return JSON.parse(out.trim().split("\n").pop()!) as T;
}
