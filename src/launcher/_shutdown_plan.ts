/**
 * How serve's shutdown splits its budget (ms) between its steps, in one place so the fleet's
 * lease bound (`shutdownBudgetMs`), serve's stop (`_serve_stop.ts`) and their tests see the same plan:
 *  - the heartbeats stop (the beat under way ends) within 500 ms (`beatsStopMs`);
 *  - venue calls (a flatten's answer first, then in-flight calls) drain for half of it, at most 3 s;
 *  - a running reconcile pass gets an eighth, at most 1 s, to stop before the kernel closes;
 *  - the projection flushes for the second half less 1.5 s (the fleet's two steps), at least 0.5 s
 *    (what is not flushed stays in the spool for the next start);
 *  - leaving the fleet (entry removed, lease given back, client closed) within 1 s (`fleetLeaveMs`).
 * The fleet's steps are Hazelcast calls, each bounded only by the client's timeout (a sixth of
 * DITA_V2_FLEET_TTL_MS, up to 5 s a call), so serve races each with its share: one cut short is
 * logged, and the entry and the lease expire by themselves. The runtime's budget is the lease's
 * (`shutdownBudgetMs`, at most SHUTDOWN_BUDGET_MS); for any such budget all five steps at their
 * bounds sum to at most SHUTDOWN_BUDGET_MS, which leaves serve 2 s of its 10 s for the rest
 * (closing the hub and the server, the loops' end, the exit).
 */

/** serve's whole shutdown budget (ms): the runtime's budget with a lease of at least 4 s left. */
export const SHUTDOWN_BUDGET_MS = 8000;

export interface ShutdownPlan {
  beatsStopMs: number;
  venueDrainMs: number;
  reconcilerStopMs: number;
  projectionFlushMs: number;
  fleetLeaveMs: number;
}

/** The fleet's two steps (ms), whatever the runtime's budget. */
const BEATS_STOP_MS = 500;
const FLEET_LEAVE_MS = 1000;

export function shutdownPlan(budgetMs: number): ShutdownPlan {
  return {
    beatsStopMs: BEATS_STOP_MS,
    venueDrainMs: Math.min(3000, budgetMs / 2),
    reconcilerStopMs: Math.min(1000, budgetMs / 8),
    projectionFlushMs: Math.max(500, budgetMs / 2 - BEATS_STOP_MS - FLEET_LEAVE_MS),
    fleetLeaveMs: FLEET_LEAVE_MS,
  };
}
