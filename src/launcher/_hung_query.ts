/**
 * The hung-order path's retries: a HUNG_ORDER diagnostic is reported once per order, so the
 * venue query it starts must not give up on one failure. `resolveHung` asks the executor to
 * resolve the slot's working order by query; while the answer is UNKNOWN (the query failed: a
 * 5xx, a timeout, a rate limit the executor's waits did not outlast) it asks again after a pause
 * that doubles (250 ms, 500 ms, … at most 8 s), at most `HUNG_QUERY_TRIES` times in all, through
 * the injected timer, and stops as soon as `stopped()` (shutdown). One log line per attempt's end.
 *
 * Entry point: `resolveHung(slotId, deps)`.
 */

export type HungResult = "EVENT" | "ABSENT_REJECTED" | "UNKNOWN" | "NONE";

export const HUNG_QUERY_TRIES = 8;
const PAUSE_MS = { first: 250, max: 8_000 } as const;

export interface HungQueryDeps {
  resolve(slotId: number): Promise<HungResult>;
  sleep(ms: number): Promise<void>;
  stopped(): boolean;
  log(line: string): void;
}

/** Resolves a hung order by query, retrying while the answer is UNKNOWN; returns the last answer. */
export async function resolveHung(slotId: number, d: HungQueryDeps): Promise<HungResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await d.resolve(slotId);
    if (result !== "UNKNOWN" || attempt >= HUNG_QUERY_TRIES || d.stopped()) {
      d.log(`slot ${slotId}: hung order resolved by query: ${result}${attempt > 1 ? ` (try ${attempt})` : ""}`);
      return result;
    }
    const pauseMs = Math.min(PAUSE_MS.first * 2 ** (attempt - 1), PAUSE_MS.max);
    d.log(`slot ${slotId}: hung order query failed (try ${attempt} of ${HUNG_QUERY_TRIES}); again in ${pauseMs} ms`);
    await d.sleep(pauseMs);
    if (d.stopped()) return "UNKNOWN";
  }
}
