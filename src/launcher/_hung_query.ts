/**
 * The hung-order path's retries: a HUNG_ORDER diagnostic is reported once per order, so the
 * venue query it starts must not give up on one failure. `resolveHung` asks the executor to
 * resolve the slot's working order by query; while the answer is UNKNOWN (the query failed: a
 * 5xx, a timeout, a rate limit the executor's waits did not outlast; or the attempt threw, e.g. the
 * kernel destroyed under it at shutdown: logged, never a rejection) it asks again after a pause
 * that doubles (250 ms, 500 ms, … at most 8 s), at most `HUNG_QUERY_TRIES` times in all, through
 * the injected timer, and stops as soon as `stopped()` (shutdown). One log line per attempt's end.
 *
 * The executor's side of one attempt: `queryHungOrder` asks the venue (as `lookUpOrder`, which
 * recovery and live reconciliation use: an answer about another order under the id, such as a
 * reused trade id's old one, is no fact about this one, `ANOTHER_ORDER`, told apart from the venue's
 * "no such order"; a rate limit waited out, at most 3 waits; any other failure answers undefined:
 * UNKNOWN), and `QueriesOut` marks the order's client id while its query is out and its
 * answer not yet applied, so live reconciliation leaves that order alone meanwhile (its answer
 * would land on an order a reconcile already ended: OVERFILL).
 *
 * An order the query found absent (rejected, its slot freed) may still land at the venue late (its
 * request was on its way when the placement timed out; a PENDING_SUBMIT order is rejected so on
 * `ANOTHER_ORDER` too). An order the venue acknowledged and then answers "no such order" for
 * (`absentMeans` ENDED: purged from its history, or ended with its event lost; never on
 * `ANOTHER_ORDER`) ended there unseen, what it filled unknown: one VENUE_MISMATCH (`absentVerdict`),
 * the slot marked stale, and (as after a contradicting answer) a live reconciliation pass at once
 * (`reconcileStale`, through `reconcileNow` in the deps) takes it to the venue's truth, passed again
 * after pauses while the slot is still stale (bounded). That "no such order" too may be only the
 * venue's lag: the executor remembers both kinds (`_absent_orders.ts`) for a late landing.
 *
 * Entry points: `resolveHung(slotId, deps)`, `reconcileStale(slotId, deps)`, `queryHungOrder(...)`, `ANOTHER_ORDER`,
 * `lookUpOrder`, `absentMeans`, `absentVerdict`, `QueriesOut`.
 */

import { isWorkingOrder, stageWorkingOrder } from "../contracts/order_status.ts";
import type { DiagnosticRecord, OrderRecord, SlotRecord } from "../contracts/records.ts";
import type { VenueAdapter, VenueEvent, VenueOrderState } from "../contracts/venue.ts";
import { absentReject } from "./_order_event.ts";
import { slotMismatch } from "./_reconcile_truth.ts";
import { readWithRateLimitWaits } from "./_venue_reads.ts";

/**
 * MISMATCH: the answer contradicts the order (another symbol or side, ...): not booked, the slot sent to reconcile.
 * ABSENT_STALE: the venue has no order it once acknowledged (`absentMeans` ENDED): the slot sent to reconcile too.
 */
export type HungResult = "EVENT" | "ABSENT_REJECTED" | "ABSENT_STALE" | "MISMATCH" | "UNKNOWN" | "NONE";

export const HUNG_QUERY_TRIES = 8;
const PAUSE_MS = { first: 250, max: 8_000 } as const;

export interface HungQueryDeps {
  resolve(slotId: number): Promise<HungResult>;
  sleep(ms: number): Promise<void>;
  stopped(): boolean;
  log(line: string): void;
  /** A live-reconciliation pass now (or the one running); the slots the kernel reconciled. */
  reconcileNow?(): Promise<number[]>;
  /** The kernel's slots as they are now: a slot sent to reconcile is passed again while it is still stale. */
  kernel?: { slot(slotId: number): Pick<SlotRecord, "stage"> };
}

/** Resolves a hung order by query, retrying while the answer is UNKNOWN; returns the last answer. */
export async function resolveHung(slotId: number, d: HungQueryDeps): Promise<HungResult> {
  for (let attempt = 1; ; attempt++) {
    // An attempt that throws (the kernel destroyed under it at shutdown) is an UNKNOWN, logged: never a rejection.
    const result = await d.resolve(slotId).catch((e: unknown): HungResult => {
      d.log(`slot ${slotId}: hung order query ended in error: ${String(e)}`);
      return "UNKNOWN";
    });
    if (result !== "UNKNOWN" || attempt >= HUNG_QUERY_TRIES || d.stopped()) {
      d.log(`slot ${slotId}: hung order resolved by query: ${result}${attempt > 1 ? ` (try ${attempt})` : ""}`);
      if (result === "ABSENT_STALE" || result === "MISMATCH") await reconcileStale(slotId, d);
      return result;
    }
    const pauseMs = Math.min(PAUSE_MS.first * 2 ** (attempt - 1), PAUSE_MS.max);
    d.log(`slot ${slotId}: hung order query failed (try ${attempt} of ${HUNG_QUERY_TRIES}); again in ${pauseMs} ms`);
    await d.sleep(pauseMs);
    if (d.stopped()) return "UNKNOWN";
  }
}

/**
 * A slot sent to reconcile by the query's answer (ABSENT_STALE, MISMATCH) or by a venue event (OVERFILL: an order's
 * late fill, e.g. one taken as ended that landed after all) takes the venue's truth now, whatever the reconcile
 * interval (0 = off too): a live-reconciliation pass, and one more at once when it did not take the slot (a pass
 * already running read the venue before the slot was marked). While the slot is still stale after that (a pass
 * failed: the venue's reads answered 5xx, timed out, stayed rate-limited), passes again after the query's pauses
 * (250 ms doubling, at most 8 s), `HUNG_QUERY_TRIES` passes in all: with live reconciliation off no other pass
 * would ever come, and a stale slot holds its place and its position unmanaged. Stops once the slot is no longer
 * stale (taken by any pass, or never marked; without `kernel`, once a pass says it took the slot) or at shutdown.
 */
export async function reconcileStale(
  slotId: number,
  d: Pick<HungQueryDeps, "reconcileNow" | "kernel" | "stopped" | "sleep" | "log">,
): Promise<void> {
  if (d.reconcileNow === undefined) return; // the interval's passes take it
  for (let pass = 1; !d.stopped(); pass++) {
    const took = (await d.reconcileNow()).includes(slotId);
    if (d.stopped()) return;
    // The slot's stage decides: a pass already running may have reconciled it before it went stale again.
    if (d.kernel === undefined ? took : d.kernel.slot(slotId).stage !== "STALE_STATE_RECONCILING") return;
    if (pass >= HUNG_QUERY_TRIES) {
      const next = "live reconciliation's next pass (DITA_V2_RECONCILE_INTERVAL_MS > 0) or the next start takes it";
      return d.log(`slot ${slotId}: the venue's truth not taken after ${pass} passes; ${next}`);
    }
    if (pass >= 2) await d.sleep(Math.min(PAUSE_MS.first * 2 ** (pass - 2), PAUSE_MS.max));
  }
}

/** The venue answered a hung order's query about another order holding its client id: no fact about this one. */
export const ANOTHER_ORDER = "ANOTHER_ORDER";

/**
 * The venue's state of a hung order: null when it has no such order, `ANOTHER_ORDER` when it answered about another
 * order under the id (`lookUpOrder`'s null: not "no such order"), undefined when the query failed.
 */
export function queryHungOrder(
  venue: Pick<VenueAdapter, "queryOrder">,
  asset: string,
  order: Pick<OrderRecord, "client_order_id" | "created_at_ms">,
  sleep: (ms: number) => Promise<void>,
  log: (line: string) => void,
): Promise<VenueOrderState | null | typeof ANOTHER_ORDER | undefined> {
  const query = async () => {
    const s = await venue.queryOrder(asset, order.client_order_id, order.created_at_ms);
    return s === null ? null : (ownAnswer(s, order) ?? ANOTHER_ORDER);
  };
  return readWithRateLimitWaits("hung order query", query, log, { sleep, waitsMax: 3 }).catch(() => undefined);
}

/**
 * The venue's state of the kernel's `order`, looked up by its client id and when the kernel created it;
 * null when the venue has no such order, or answers under another client id: another order holding
 * the (lower-cased) id, e.g. an old one under a reused trade id (the adapter's judgement), no fact about this one.
 */
export async function lookUpOrder(
  venue: Pick<VenueAdapter, "queryOrder">,
  asset: string,
  order: Pick<OrderRecord, "client_order_id" | "created_at_ms">,
): Promise<VenueOrderState | null> {
  const s = await venue.queryOrder(asset, order.client_order_id, order.created_at_ms);
  return s === null ? null : ownAnswer(s, order);
}

/** The venue's answer when it is about `order` (under its client id), else null (another order holding the id). */
function ownAnswer(s: VenueOrderState, order: Pick<OrderRecord, "client_order_id">): VenueOrderState | null {
  return s.client_order_id === order.client_order_id ? s : null;
}

/**
 * What the venue's "no such order" (109421; 80016 before) means for the slot's order as it was asked about
 * (`asked`) and as the kernel holds it now (`now`, null when the slot works none): REJECT, it is still
 * PENDING_SUBMIT (the venue never took it); ENDED, the venue acknowledged it (a venue order id) and no word of it
 * came since it was asked about, yet the venue has none: it ended there unseen (purged from the venue's history,
 * or ended by the venue with its event lost), what it filled unknown; null, anything else (it moved meanwhile,
 * another order, or one cancelled before the venue acknowledged it).
 */
export function absentMeans(asked: OrderRecord, now: OrderRecord | null): "REJECT" | "ENDED" | null {
  if (now?.client_order_id !== asked.client_order_id || !isWorkingOrder(now.status)) return null;
  if (now.status === "PENDING_SUBMIT") return "REJECT";
  const unmoved = now.status === asked.status && now.last_update_ms === asked.last_update_ms;
  return unmoved && now.venue_order_id !== "" ? "ENDED" : null;
}

/**
 * The executor's step after the venue answered it has no such order (`answer` null) or answered about another
 * order under its id (`ANOTHER_ORDER`), the slot being `now`: the REJECT (VENUE, 80016) of a PENDING_SUBMIT order
 * to apply (either answer, as before), the VENUE_MISMATCH of a slot to mark stale (its order ENDED unseen: only on
 * the venue's own "no such order"; another order's answer says nothing of an acknowledged one), or nothing. The
 * caller asks only while no placement or cancel of the order runs (its own answer settles it).
 */
export function absentVerdict(
  asked: SlotRecord,
  order: OrderRecord,
  now: SlotRecord,
  nowMs: number,
  answer: null | typeof ANOTHER_ORDER,
): { reject: VenueEvent } | { stale: DiagnosticRecord } | null {
  const means = absentMeans(order, stageWorkingOrder(now));
  if (means === "REJECT") return { reject: absentReject(order.client_order_id, asked.asset, nowMs) };
  return means === "ENDED" && answer === null ? { stale: absentMismatch(asked, order, nowMs) } : null;
}

/** The VENUE_MISMATCH of a working order the venue acknowledged and no longer has (`absentMeans` ENDED). */
function absentMismatch(slot: SlotRecord, order: OrderRecord, nowMs: number): DiagnosticRecord {
  const what = `${order.role} order ${order.client_order_id} (venue id ${order.venue_order_id}, ${order.status})`;
  return slotMismatch(
    slot,
    `the venue no longer has slot ${slot.slot_id}'s ${what}: it ended there unseen; reconciling`,
    nowMs,
  );
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
