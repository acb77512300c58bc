/**
 * The one place in the simulator allowed to read the machine's clock. `startBingxSim` builds a
 * `SimSystemClock` only when the caller did not inject a `Clock`; every other sim module receives
 * the clock as a parameter, so tests drive time with `ManualClock` and replay exactly.
 */

import type { Clock } from "../contracts/clock.ts";

export class SimSystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
  monoNs(): bigint {
    return BigInt(Math.round(performance.now() * 1_000_000));
  }
}
