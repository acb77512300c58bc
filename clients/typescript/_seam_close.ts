/**
 * The seam's parts around its steps (seam.ts), as the Python seam's: CLOSE_ALL's second step and
 * its `remaining` report, the seam's CLIENT refusals, and its trade ids.
 *
 * CLOSE_ALL with `awaitVenue`: once the venue answered the cancels, the slots are read again (the
 * kernel mirrors a venue event's change before its VENUE outcome is published) and every slot the
 * close cancelled that now holds a position (an entry that had partly filled keeps that part after
 * its cancel) is exited whole, with the decision's reason, in the same result. `remaining` is every
 * slot not IDLE or CLOSED at the seam's last read (after those exits were answered; without
 * `awaitVenue` nothing is followed up and it is the state the close was planned on).
 *
 * Entry points: `closeRest`, `clientRefusal`, `tradeId`.
 */

import type { DitaClient } from "./client.ts";
import {
  DitaClientError,
  InvalidIntentError,
  KernelNotRunningError,
  KernelRestartedError,
  StateBusyError,
} from "./errors.ts";
import type { ExitReason, Slot } from "./records.ts";
import type { SeamRefusalReport, SeamResult, SeamStep } from "./seam.ts";
import { whole } from "./seam_plan.ts";

const FLAT = new Set(["IDLE", "CLOSED"]);

/** A client error as the seam's CLIENT refusal (a busy state read, a full ring: retryable). */
export function clientRefusal(e: DitaClientError, retryable = e instanceof StateBusyError): SeamRefusalReport {
  return { origin: "CLIENT", code: e.code, message: e.message, slotId: null, retryable, retryAfterMs: null };
}

/** `<prefix>-<ms in base 36>-<n>`; a clock answer that is no time is InvalidIntentError NOW_MS. */
export function tradeId(prefix: string, ms: unknown, n: () => number): string {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
    throw new InvalidIntentError(
      "NOW_MS",
      `now_ms (the clock of the seam's trade ids) must be a finite number >= 0, got ${String(ms)}`,
    );
  return `${prefix}-${Math.trunc(ms).toString(36)}-${n()}`;
}

/** The kernel's slots now; null (the failure a CLIENT refusal) when they cannot be read. */
function reread(client: DitaClient, result: SeamResult): readonly Slot[] | null {
  if (result.restarted) return null;
  try {
    return client.state().slots;
  } catch (e) {
    if (!(e instanceof DitaClientError)) throw e;
    result.restarted ||= e instanceof KernelRestartedError || e instanceof KernelNotRunningError;
    result.refusals.push(clientRefusal(e));
    return null;
  }
}

/** CLOSE_ALL's second step (with `awaitVenue`), then its `remaining` from the last read of the slots. */
export async function closeRest(
  client: DitaClient,
  reason: ExitReason,
  planned: readonly Slot[],
  result: SeamResult,
  awaitVenue: boolean,
  run: (step: SeamStep) => Promise<boolean>,
): Promise<void> {
  let slots = planned;
  const now = awaitVenue ? reread(client, result) : null;
  if (now !== null) {
    slots = now;
    const cancelled = new Set<number>();
    for (const s of result.steps) if (s.intent.type === "CANCEL" && s.outcome?.accepted) cancelled.add(s.intent.slotId);
    const left = slots.filter((s) => cancelled.has(s.slotId) && s.stage === "POSITION_OPEN");
    for (const s of left) {
      const step: SeamStep = {
        intent: { type: "EXIT", slotId: s.slotId, ...whole(s), reason, price: null },
        id: null,
        outcome: null,
        venue: null,
      };
      result.steps.push(step);
      if (!(await run(step))) break;
    }
    if (left.length > 0) slots = reread(client, result) ?? slots;
  }
  result.remaining = slots.filter((s) => !FLAT.has(s.stage)).map((s) => ({ slotId: s.slotId, stage: s.stage }));
}
