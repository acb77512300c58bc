/**
 * The executor's cancel, sent until the venue answers it. Refused for the rate limit (nothing
 * executed), or with its outcome unknown (a 5xx, a timeout), it is sent again after a pause while
 * the order still works: an unknown one is first looked up (the cancel may have executed); the
 * cancel is idempotent at the venue by client id. The venue's CANCEL_ACK then ends the order.
 * After CANCEL_TRIES sends it stops; the next flatten sends it again (`Executor.resendCancel`).
 *
 * Entry point: `sendCancelUntilAnswered(deps, slotId, cid)`.
 */

import type { Clock } from "../contracts/clock.ts";
import { isTerminalOrder, stageWorkingOrder } from "../contracts/order_status.ts";
import type { VenueAdapter, VenueEvent } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { RETRY_WAIT_MAX_MS } from "./_leverage.ts";
import { unknownOutcome } from "./_order_event.ts";

/** Sends in all of a cancel refused for the rate limit (waits the hint) or left unknown (waits 250 ms, doubling). */
const CANCEL_TRIES = 4;
const CANCEL_UNKNOWN_PAUSE_MS = 250;

export interface CancelDeps {
  kernel: ExecutionKernel;
  venue: VenueAdapter;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  log(line: string): void;
  /** The cancel call's latency in ms, for metrics. */
  latency(ms: number): void;
  /** A venue answer, into the kernel (a CANCEL_REJECTED). */
  onVenueEvent(event: VenueEvent): unknown;
  /** Looks the slot's working order up at the venue (the cancel may have executed). */
  resolveByQuery(slotId: number): Promise<unknown>;
}

export async function sendCancelUntilAnswered(d: CancelDeps, slotId: number, cid: string): Promise<void> {
  const asset = d.kernel.slot(slotId).asset;
  for (let attempt = 1; ; attempt++) {
    const started = d.clock.monoNs();
    const result = await d.venue.cancel(asset, cid).catch(unknownOutcome);
    d.latency(Number(d.clock.monoNs() - started) / 1e6);
    if (result.status === "REQUESTED") return;
    let pauseMs = CANCEL_UNKNOWN_PAUSE_MS * 2 ** (attempt - 1);
    if (result.status === "REJECTED") {
      d.onVenueEvent(result.event); // the kernel records CANCEL_REJECTED (the adapter also delivered it)
      if (result.event.reject_reason !== "RATE_LIMITED") return;
      pauseMs = result.event.retry_after_ms ?? 500;
    } else d.log(`slot ${slotId}: cancel of ${cid} unknown (${result.reason}), try ${attempt} of ${CANCEL_TRIES}`);
    if (attempt >= CANCEL_TRIES) return; // the next flatten re-sends it (resendCancel)
    await d.sleep(Math.min(Math.max(pauseMs, 50), RETRY_WAIT_MAX_MS));
    if (result.status === "UNKNOWN") await d.resolveByQuery(slotId);
    const now = stageWorkingOrder(d.kernel.slot(slotId));
    if (now?.client_order_id !== cid || isTerminalOrder(now.status)) return;
  }
}
