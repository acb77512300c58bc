/**
 * bingx-sim: a local BingX USDT-M perpetual swap exchange on 127.0.0.1 (REST + user-data
 * WebSocket) with seeded prices and fault injection. Public surface of `src/sim/`:
 * `startBingxSim(opts) → SimHandle`, `runSimFromArgs(...)` for the `dita-v2 sim` command, and
 * the option/state/fault types with `defaultFaults()` (every fault off). Prints nothing; `SimHandle.seed` lets callers print the seed.
 */

import { patchContract } from "./contracts_catalog.ts";
import { SimCore } from "./core.ts";
import { serve } from "./server.ts";
import { SimSystemClock } from "./system_clock.ts";
import type { SimHandle, SimOptions } from "./types.ts";

export { runSimFromArgs, type SimArgs } from "./cli.ts";
export type { ContractPatch } from "./contracts_catalog.ts";
export { defaultFaults } from "./faults.ts";
export type {
  PositionMode,
  RateLimitFault,
  SimCounters,
  SimFaults,
  SimFill,
  SimHandle,
  SimOptions,
  SimOrder,
  SimPosition,
  SimState,
} from "./types.ts";

const HOUSEKEEPING_MS = 1000;

export async function startBingxSim(opts: SimOptions): Promise<SimHandle> {
  if (!opts.apiKey || !opts.secret) throw new Error("Condition failed: bingx-sim needs apiKey and secret");
  if (opts.host !== undefined && opts.host !== "127.0.0.1")
    throw new Error("Condition failed: bingx-sim binds 127.0.0.1 only");
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`Condition failed: port must be 0..65535, got ${port}`);
  const core = new SimCore(opts, opts.clock ?? new SimSystemClock());
  const server = serve(core, port);
  const bound = server.port;
  if (bound === undefined) throw new Error("Invariant: Bun.serve did not report a port");
  // Real-time housekeeping so listen keys lapse and the random walk advances without traffic.
  const tickMs = Math.max(10, Math.min(HOUSEKEEPING_MS, opts.priceStepMs || HOUSEKEEPING_MS));
  const timer = setInterval(() => core.housekeeping(), tickMs);
  let stopped = false;
  return {
    url: `http://127.0.0.1:${bound}`,
    wsUrl: `ws://127.0.0.1:${bound}/swap-market`,
    port: bound,
    seed: opts.seed,
    faults: core.faults,
    setPrice: (symbol, price) => core.setPrice(symbol, price),
    setContract: (symbol, patch) => patchContract(core.catalog, symbol, patch),
    state: () => {
      core.housekeeping();
      return core.snapshot();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      core.stream.dropAll();
      await server.stop(true);
    },
  };
}
