/**
 * The rig the stage breakdowns share (bench/_clients_stages.ts: the ring path; bench/_http_stages.ts:
 * POST /intents): the runtime serve runs (`Runtime`, journal on, real Zinc, the BingX adapter) built in
 * this process, bingx-sim behind the first-byte relay (`startProbe`), and the hand-overs every order
 * path shares stamped on the relay's clock (`realtimeNs`): the executor's dispatch of an ENTER or EXIT
 * transition, the adapter's submit entered, the signed placement handed to the REST client's transport.
 * `backToBackMs` lifts the adapter's placement budget (bench only), so orders can follow that close.
 *
 * Entry point: `startStageRig(o)` → `{ rt, sim, probe, prefix, rest, stamps, reset(), stop() }`.
 */

import { rmSync } from "node:fs";
import { join } from "node:path";
import type { TransitionRecord } from "../src/contracts/index.ts";
import { buildBundle, loadConfig, Runtime, SystemClock } from "../src/launcher/index.ts";
import { startBingxSim } from "../src/sim/index.ts";
import { Throttle } from "../src/venue/bingx/_throttle.ts";
import { realtimeNs, startProbe } from "./_venue_probe.ts";

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
