/**
 * Read-only venue calls that must not give up on a rate limit: at start (recovery) a refusal for
 * the venue's rate limit is answered by waiting for the venue's hint (or a default), bounded in
 * count and length, with one log line per wait; any other failure, or the last refusal, is thrown.
 * Reads are idempotent, so retrying them is safe (orders are never retried here).
 *
 * Entry point: `readWithRateLimitWaits(what, call, log, options?)`.
 */

import { rateLimited } from "../contracts/venue.ts";

export interface WaitPolicy {
  /** Waits before giving up (default 5). */
  waitsMax: number;
  /** Longest single wait, whatever the hint (default 10 s). */
  waitMaxMs: number;
  /** Wait when the venue gave no hint (default 1 s). */
  waitDefaultMs: number;
  sleep(ms: number): Promise<void>;
}

const DEFAULT_POLICY: WaitPolicy = {
  waitsMax: 5,
  waitMaxMs: 10_000,
  waitDefaultMs: 1_000,
  sleep: (ms) => Bun.sleep(ms),
};

export async function readWithRateLimitWaits<T>(
  what: string,
  call: () => Promise<T>,
  log: (line: string) => void,
  policy: Partial<WaitPolicy> = {},
): Promise<T> {
  const p = { ...DEFAULT_POLICY, ...policy };
  for (let waits = 0; ; waits++) {
    try {
      return await call();
    } catch (e) {
      const limited = rateLimited(e);
      if (!limited || waits >= p.waitsMax) throw e;
      const hinted = limited.retry_after_ms;
      const ms = Math.min(p.waitMaxMs, Math.max(1, hinted ?? p.waitDefaultMs));
      log(
        `${what}: rate limited by the venue; waiting ${ms} ms (${hinted === undefined ? "no hint" : `hint ${hinted} ms`}, wait ${waits + 1} of ${p.waitsMax})`,
      );
      await p.sleep(ms);
    }
  }
}
