/**
 * Read calls that wait out a venue's rate limit: BingX limits reads per account and endpoint
 * (balance, positions, open orders, ...), and the auditor reads after every step, so a live run
 * meets those limits as a matter of course. A rate-limited read waits the venue's hint (or 1 s)
 * and tries again, at most `TRIES_MAX` times; any other failure is thrown at once. Reads only:
 * orders are never retried here.
 *
 * Entry point: `patiently(call)`.
 */

import { rateLimited } from "../contracts/venue.ts";

const TRIES_MAX = 6;
const WAIT_MAX_MS = 5_000;

export async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const limited = rateLimited(e);
      if (!limited || attempt >= TRIES_MAX) throw e;
      await Bun.sleep(Math.min(WAIT_MAX_MS, Math.max(50, limited.retry_after_ms ?? 1_000)));
    }
  }
}
