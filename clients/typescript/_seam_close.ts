/**
 * The seam's parts around its steps (seam.ts), as the Python seam's: CLOSE_ALL's second step and
 * its `remaining` report, the seam's CLIENT refusals, and its trade ids.
 *
 * CLOSE_ALL with `awaitVenue`: a cancel's first venue answer can be a fill that raced it (the entry
 * still works): each cancel whose answer did not end its order then waits, until one deadline the
 * venue timeout away (on `monoMs`), for its final answer (the order FILLED, CANCELLED or REJECTED,
 * or a CANCEL_REJECT: a VENUE refusal), taking the fills on the way; none in time: `venuePending`.
 * Then the slots are read again (the kernel mirrors a venue event's change before its VENUE
 * outcome is published) and every slot the close cancelled that now holds a position (an entry
 * that had partly filled keeps that part after its cancel) is exited whole, with the decision's
 * reason, in the same result. `remaining` is every slot not IDLE or CLOSED at the seam's last read
 * (after those exits were answered; without `awaitVenue` nothing is followed up and it is the
 * state the close was planned on).
 *
 * The fills taken on the way are answers that are not refusals: their WARNING / CRITICAL diagnostics
 * are `warnings` (`warningsOf`), as every accepted step's.
 *
 * Entry points: `closeRest`, `clientRefusal`, `fromOutcome`, `isVenueRefusal`, `warningsOf`, `tradeId`.
 */

import type { DitaClient } from "./client.ts";
import {
  DitaClientError,
  InvalidIntentError,
  KernelNotRunningError,
  KernelRestartedError,
  OutcomeTimeoutError,
  StateBusyError,
} from "./errors.ts";
import type { Outcome } from "./outcome.ts";
import type { ExitReason, Slot } from "./records.ts";
import type { SeamRefusalReport, SeamResult, SeamStep, SeamWarningReport } from "./seam.ts";
import { whole } from "./seam_plan.ts";

const FLAT = new Set(["IDLE", "CLOSED"]);
/** Venue answers after which no more come for the order: it ended, or its cancel was refused. */
const FINAL_EVENTS = new Set(["FULL_FILL", "CANCEL_ACK", "CANCEL_REJECT", "REJECT"]);
const FINISHED = new Set(["FILLED", "CANCELLED", "REJECTED"]);

/** A client error as the seam's CLIENT refusal (a busy state read, a full ring: retryable). */
export function clientRefusal(e: DitaClientError, retryable = e instanceof StateBusyError): SeamRefusalReport {
  return { origin: "CLIENT", code: e.code, message: e.message, slotId: null, retryable, retryAfterMs: null };
}

/** A refused outcome (EDGE, KERNEL, or the venue's REJECT / CANCEL_REJECT) as the seam's refusal. */
export function fromOutcome(o: Outcome): SeamRefusalReport {
  const d = o.diagnostics[0];
  return {
    origin: o.origin,
    code: d?.code ?? o.eventKind ?? "REFUSED",
    message: o.message,
    slotId: o.slotId,
    retryable: d?.retryable ?? false,
    retryAfterMs: d?.retryAfterMs ?? null,
  };
}

/** A venue answer that refuses (REJECT, CANCEL_REJECT): a VENUE refusal of the seam, never a warning. */
export const isVenueRefusal = (o: Outcome): boolean => o.eventKind === "REJECT" || o.eventKind === "CANCEL_REJECT";

/** The WARNING and CRITICAL diagnostics of an accepted step's outcome or of a venue answer, as the seam's
 * warnings; none for a venue answer that refuses (`isVenueRefusal`: its diagnostics are its refusal). */
export function warningsOf(o: Outcome): SeamWarningReport[] {
  const out: SeamWarningReport[] = [];
  if (isVenueRefusal(o)) return out;
  o.diagnostics.forEach((d, i) => {
    if (d.severity === "WARNING" || d.severity === "CRITICAL")
      out.push({
        origin: o.origin,
        code: d.code,
        severity: d.severity,
        message: i === 0 ? o.message : d.code,
        slotId: o.slotId,
        value: d.value,
      });
  });
  return out;
}

const isFinal = (o: Outcome): boolean => FINAL_EVENTS.has(o.eventKind ?? "") || FINISHED.has(o.orderStatus ?? "");

/** The waits of CLOSE_ALL's second step: the venue timeout (ms) and the monotonic clock it is measured on. */
export interface CloseWaits {
  venueTimeoutMs: number;
  monoMs: () => number;
}

/** The cancel's next venue answer within `leftMs`: null when none came; a client error is a CLIENT
 * refusal (undefined; a kernel gone meanwhile sets `restarted`). */
async function nextAnswer(client: DitaClient, id: bigint, leftMs: number, result: SeamResult) {
  try {
    return await client.nextVenueOutcome(id, leftMs);
  } catch (e) {
    if (!(e instanceof DitaClientError)) throw e;
    if (e instanceof OutcomeTimeoutError) return null;
    result.refusals.push(clientRefusal(e));
    result.restarted ||= e instanceof KernelRestartedError || e instanceof KernelNotRunningError;
    return undefined;
  }
}

/**
 * Each accepted CANCEL whose venue answer so far did not end its order (a fill raced the cancel)
 * waits, until one deadline `venueTimeoutMs` away, for its final answer, taking the fills on the
 * way (`venue` is its last answer; each such cancel looks at least once, past the deadline too);
 * none in time: its slot is `venuePending`. A CANCEL_REJECT or REJECT that comes is a VENUE refusal.
 */
async function settleCancels(client: DitaClient, result: SeamResult, waits: CloseWaits): Promise<void> {
  const deadline = waits.monoMs() + waits.venueTimeoutMs;
  for (const step of result.steps) {
    if (result.restarted) return;
    if (step.intent.type !== "CANCEL" || step.id === null || step.venue === null || isFinal(step.venue)) continue;
    let venue: Outcome | null | undefined = step.venue;
    for (let looked = false; venue && !isFinal(venue); looked = true) {
      const left = Math.max(deadline - waits.monoMs(), 0) || 0; // NaN (a clock answering no time): 0
      venue = looked && left === 0 ? null : await nextAnswer(client, step.id, left, result);
      if (venue) step.venue = venue;
      if (venue) result.warnings.push(...warningsOf(venue));
    }
    const slotId = step.intent.slotId;
    if (venue === null && !result.venuePending.includes(slotId)) result.venuePending.push(slotId);
    if (venue && isVenueRefusal(venue)) result.refusals.push(fromOutcome(venue));
  }
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
  waits: CloseWaits,
): Promise<void> {
  let slots = planned;
  if (awaitVenue && !result.restarted) await settleCancels(client, result, waits);
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
