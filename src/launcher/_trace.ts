/**
 * What the verbosity controls log (docs/architecture.md §6): venue traffic at VERBOSE and TRACE,
 * every kernel transition at TRACE or with `trace_transitions` on. Read from the live snapshot on
 * every use, so a control change takes effect on the next call.
 *
 * Entry points: `logsVenue`, `tracesTransitions`, `transitionLine`.
 */

import type { ControlSnapshot } from "../contracts/control.ts";
import type { TransitionRecord } from "../contracts/records.ts";

export const logsVenue = (c: ControlSnapshot): boolean => c.verbosity !== "QUIET";

export const tracesTransitions = (c: ControlSnapshot): boolean => c.verbosity === "TRACE" || c.trace_transitions;

/** `transition slot 3 IDLE -> ENTRY_WORKING on ENTER (row 0, version 7, now 1733...)`. */
export function transitionLine(t: TransitionRecord): string {
  const row = t.row === null ? "none" : String(t.row);
  return `transition slot ${t.slot_id} ${t.from} -> ${t.to} on ${t.trigger} (row ${row}, version ${t.version}, now ${t.now_ms})`;
}
