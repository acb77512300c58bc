/** Wall clock for the projection benchmark only (bench/ may read real time; src/ never does). */
import type { Clock } from "../src/contracts/clock.ts";

export class SystemClockForBench implements Clock {
  nowMs(): number {
    return Date.now();
  }
  monoNs(): bigint {
    return process.hrtime.bigint();
  }
}
