/**
 * The hung-order path's retries: a HUNG_ORDER diagnostic is reported once per order, so the
 * venue query it starts must not give up on one failure. `resolveHung` asks the executor to
 * resolve the slot's working order by query; while the answer is UNKNOWN (the query failed: a
 * 5xx, a timeout, a rate limit the executor's waits did not outlast) it asks again after a pause
 * that doubles (250 ms, 500 ms, … at most 8 s), at most `HUNG_QUERY_TRIES` times in all, through
 * the injected timer, and stops as soon as `stopped()` (shutdown). One log line per attempt's end.
 *
 * The executor's side of one attempt: `queryHungOrder` asks the venue (a rate limit waited out, at
 * most 3 waits; any other failure answers undefined: UNKNOWN), and `QueriesOut` marks the order's
 * client id while its query is out and its answer not yet applied, so live reconciliation leaves
 * that order alone meanwhile (its answer would land on an order a reconcile already ended: OVERFILL).
 *
 * Entry points: `resolveHung(slotId, deps)`, `queryHungOrder(...)`, `QueriesOut`.
 */

import type { VenueAdapter, VenueOrderState } from "../contracts/venue.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";

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

/** The venue's state of a hung order: null when it never heard of it, undefined when the query failed. */
export function queryHungOrder(
  venue: Pick<VenueAdapter, "queryOrder">,
  asset: string,
  cid: string,
  sleep: (ms: number) => Promise<void>,
  log: (line: string) => void,
): Promise<VenueOrderState | null | undefined> {
  const query = () => venue.queryOrder(asset, cid);
  return readWithRateLimitWaits("hung order query", query, log, { sleep, waitsMax: 3 }).catch(() => undefined);
}

/** Client order ids with a hung-order query out, counted (two queries of one order may overlap). */
export class QueriesOut {
  private readonly out = new Map<string, number>();

  has(cid: string): boolean {
    return this.out.has(cid);
  }

  /** Runs `resolve` (the query and the applying of its answer) with `cid` marked out until it ends. */
  async during<T>(cid: string, resolve: () => Promise<T>): Promise<T> {
    this.out.set(cid, (this.out.get(cid) ?? 0) + 1);
    try {
      return await resolve();
    } finally {
      const left = (this.out.get(cid) ?? 1) - 1;
      if (left > 0) this.out.set(cid, left);
      else this.out.delete(cid);
    }
  }
}
