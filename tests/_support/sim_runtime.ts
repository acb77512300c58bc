/**
 * A Runtime on the BingX adapter against a fresh bingx-sim in this process (journal on, serve loops
 * running, the path warmer off), for tests of the hung-order path and live reconciliation end to end.
 * `lose(cid)` makes the user stream lose every later event of that order before the runtime hears it;
 * `adjust(bundle)` may wrap the venue before the runtime starts; `tradeEvents()` are the `trade_events` rows the
 * projection wrote so far (a callback sink beside the local spool, across restarts). `stop()` shuts the runtime down
 * (the process is down: the sim goes on), `restart()` starts another Runtime on the same state directory and sim (the
 * journal's kernel state survives, the process's memory does not) and returns it as the first one is returned. Each
 * teardown goes into `stops` (the caller runs them in reverse after each test).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VenueEvent } from "../../src/contracts/venue.ts";
import { type Bundle, buildBundle, loadConfig, Runtime, SystemClock } from "../../src/launcher/index.ts";
import { CallbackSink, type TradeEventRow } from "../../src/projection/index.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { SIM_API_KEY, SIM_SECRET } from "./bingx_sim.ts";

export interface SimRuntimeOptions {
  seed: number;
  prices: Record<string, number>;
  /** DITA_V2_RECONCILE_INTERVAL_MS (0 = off) and DITA_V2_HUNG_ORDER_MS. */
  intervalMs: number;
  hungOrderMs: number;
  stops: Array<() => Promise<void>>;
  adjust?: (bundle: Bundle) => void;
  events?: ConstructorParameters<typeof Runtime>[2];
}

export async function simRuntime(o: SimRuntimeOptions) {
  const sim = await startBingxSim({ port: 0, apiKey: SIM_API_KEY, secret: SIM_SECRET, seed: o.seed, prices: o.prices });
  o.stops.push(() => sim.stop());
  const dir = mkdtempSync(join(tmpdir(), "dita-sim-runtime-"));
  o.stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  const rows = new CallbackSink({ name: "trade-events", kinds: ["trade_event"], takesMaps: false });
  const lost = new Set<string>();
  const tradeEvents = () => rows.records.map((r) => r.row as TradeEventRow);
  const lose = (cid: string) => void lost.add(cid);
  const start = async () => ({ ...(await startRuntime(o, sim, dir, rows, lost)), tradeEvents, lose });
  const first = await start();
  return { ...first, restart: start };
}

/** One process: a bundle on state directory `dir` and `sim`, its Runtime started, its loops running. */
async function startRuntime(
  o: SimRuntimeOptions,
  sim: SimHandle,
  dir: string,
  rows: CallbackSink,
  lost: ReadonlySet<string>,
) {
  const env = {
    DITA_V2_STATE_DIR: dir,
    DITA_V2_VENUE: "BINGX",
    BINGX_API_KEY: SIM_API_KEY,
    BINGX_API_SECRET: SIM_SECRET,
    BINGX_BASE_URL: sim.url,
    BINGX_WS_URL: sim.wsUrl,
    DITA_V2_RECONCILE_INTERVAL_MS: String(o.intervalMs),
    DITA_V2_HUNG_ORDER_MS: String(o.hungOrderMs),
    DITA_V2_WARM_PATH_MS: "0",
  };
  const options = { journal: true, log: () => {}, projectionSinks: [rows] };
  const bundle = await buildBundle(loadConfig(env), new SystemClock(), env, options);
  const subscribe = bundle.venue.onEvent.bind(bundle.venue);
  bundle.venue.onEvent = (h) => subscribe((e: VenueEvent) => (lost.has(e.client_order_id) ? undefined : h(e)));
  o.adjust?.(bundle);
  const lines: string[] = [];
  const rt = new Runtime(bundle, (line) => lines.push(line), o.events);
  await rt.start();
  const loops = rt.runLoops();
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= rt.shutdown(1_000).then(() => loops);
    return stopped;
  };
  o.stops.push(stop);
  const slot = () => rt.b.kernel.slot(0);
  const count = (code: string) => rt.metrics.diagnostics.get(code) ?? 0;
  return { sim, rt, lines, slot, count, stop };
}
