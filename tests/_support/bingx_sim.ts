/** bingx-sim on loopback with time on a ManualClock, and the BingX adapter pointed at it, for unit tests. */

import { ManualClock } from "../../src/contracts/clock.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";

export const SIM_API_KEY = "simKeyAAAAbbbbCCCCdddd0123456789";
export const SIM_SECRET = "simSecretZZZZyyyyXXXXwwww9876543210qq";
/** The place/cancel/query order endpoint, as a request URL starts. */
export const ORDER_PATH = "/openApi/swap/v2/trade/order?";

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
