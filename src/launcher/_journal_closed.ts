/**
 * Kernel inputs after the journal closed at shutdown. The journal is the recovery authority, so the
 * runtime closes the executor just before it closes the journal (`Executor.close`): from then on no
 * input reaches the kernel, the projection or the metrics. A venue answer still arriving (a cancel
 * that waited out a rate limit, a hung-order query, a placement's answer) is not applied: one log
 * line names its order, and the next start's recovery takes it from the venue. Never a throw.
 *
 * Entry point: `notAppliedAfterClose(input, log)`.
 */

import type { KernelInput } from "../contracts/intents.ts";
import type { KernelOutcome } from "../contracts/records.ts";

/** Logs the input refused because the journal closed; returns its outcome (not accepted, nothing in it). */
export function notAppliedAfterClose(input: KernelInput, log: (line: string) => void): KernelOutcome {
  if (input.type === "VENUE_EVENT") {
    const e = input.event;
    log(
      `shutting down: venue ${e.kind} of ${e.client_order_id} not applied (the journal is closed); the next start's recovery takes it from the venue`,
    );
  } else log(`shutting down: ${input.type} input not applied (the journal is closed)`);
  return { accepted: false, slot: null, transitions: [], diagnostics: [] };
}
