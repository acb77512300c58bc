/**
 * bingx-sim on loopback and the BingX adapter pointed at it, for unit tests: on a ManualClock
 * (`simOnClock`, `simAdapter`, `adapterOnSim`) or in real time (`realTimeSim`); `QUICK_STREAM`, the
 * stream timings a test can wait out.
 */

import { type Clock, ManualClock } from "../../src/contracts/clock.ts";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";

export const SIM_API_KEY = "simKeyAAAAbbbbCCCCdddd0123456789";
export const SIM_SECRET = "simSecretZZZZyyyyXXXXwwww9876543210qq";
/** The place/cancel/query order endpoint, as a request URL starts. */
export const ORDER_PATH = "/openApi/swap/v2/trade/order?";

/** Stream reconnects quick enough for a unit test: a 20 ms backoff growing to 200 ms, 2 s to open. */
export const QUICK_STREAM = { backoffBaseMs: 20, backoffMaxMs: 200, openTimeoutMs: 2000 };

/** The machine's clocks (wall ms, monotonic ns), for a sim that runs in real time. */
export const machineClock: Clock = { nowMs: () => Date.now(), monoNs: () => process.hrtime.bigint() };

/**
 * A sim in real time (seed `seed`, marks `prices`, a 10 000 balance), and the adapter's config for
 * it on `clock` (default the machine's): a 5 s receive window and request timeout.
 */
export async function realTimeSim(seed: number, prices: Record<string, number>, clock: Clock = machineClock) {
  const sim = await startBingxSim({ port: 0, apiKey: SIM_API_KEY, secret: SIM_SECRET, seed, prices, balance: 10_000 });
  const config = {
    apiKey: SIM_API_KEY,
    secret: SIM_SECRET,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock,
    timeoutMs: 5000,
  };
  return { sim, config };
}

/** A sim (BTC-USDT at 65 000, a 10 000 balance) whose time is a ManualClock. */
export async function simOnClock(seed: number): Promise<{ sim: SimHandle; clock: ManualClock }> {
  const clock = new ManualClock();
  const sim = await startBingxSim({
    port: 0,
    apiKey: SIM_API_KEY,
    secret: SIM_SECRET,
    seed,
    prices: { "BTC-USDT": 65_000 },
    balance: 10_000,
    clock,
  });
  return { sim, clock };
}

/** The adapter for `sim` on `clock` (10 s receive window, 5 s timeout), with `options` as given. */
export function simAdapter(
  sim: SimHandle,
  clock: ManualClock,
  options: ConstructorParameters<typeof BingxVenueAdapter>[1],
): BingxVenueAdapter {
  const config = { apiKey: SIM_API_KEY, secret: SIM_SECRET, baseUrl: sim.url, wsUrl: sim.wsUrl, recvWindowMs: 10_000 };
  return new BingxVenueAdapter({ ...config, clock, timeoutMs: 5_000 }, options);
}

/** A resting LIMIT buy of 0.001 BTC-USDT at 60 000 (below the sim's 65 000): it works until cancelled. */
export const restingBuy = (cid: string): OrderRequest => ({
  client_order_id: cid,
  asset: "BTC-USDT",
  side: "BUY",
  position_side: "LONG",
  type: "LIMIT",
  price: 60_000,
  size: 0.001,
  reduce_only: false,
});

/**
 * The adapter on a sim (seed `seed`) whose every request first moves the clock 1 s (within every
 * budget) and then goes through `network` (default: straight to the sim). `stops` gets its teardown.
 * Also the adapter's working-set size and a reconnect's catch-up run to its end.
 */
export async function adapterOnSim(
  seed: number,
  stops: Array<() => Promise<void>>,
  network: (url: string, init: RequestInit) => Promise<Response> = (url, init) => fetch(url, init),
) {
  const { sim, clock } = await simOnClock(seed);
  const adapter = simAdapter(sim, clock, {
    fetch: (url, init) => {
      clock.advance(1_000);
      return network(url, init);
    },
    resolveDelaysMs: [0],
  });
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  const inner = adapter as unknown as {
    working: { all(): unknown[] };
    catchUps: { request(): void; running(): boolean };
  };
  const catchUp = async () => {
    inner.catchUps.request();
    while (inner.catchUps.running()) await Bun.sleep(1);
  };
  return { sim, clock, adapter, working: () => inner.working.all().length, catchUp };
}
