/**
 * The real clock. The launcher is the only module that constructs it (tidy test allowlist);
 * everything else receives a `Clock`.
 */

import type { Clock } from "../contracts/clock.ts";

export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
  monoNs(): bigint {
    return process.hrtime.bigint();
  }
}
