/**
 * How serve's shutdown splits its budget (ms) between its steps, in one place so the fleet's
 * lease bound (`shutdownBudgetMs`) and its test see the same drain the runtime runs:
 *  - venue calls (a flatten's answer first, then in-flight calls) drain for half of it, at most 3 s;
 *  - a running reconcile pass gets an eighth, at most 1 s, to stop before the kernel closes;
 *  - the projection flushes for the second half less 0.5 s, at least 0.5 s.
 */

/** serve's whole shutdown budget (ms). */
export const SHUTDOWN_BUDGET_MS = 8000;

export interface ShutdownPlan {
  venueDrainMs: number;
  reconcilerStopMs: number;
  projectionFlushMs: number;
}

export function shutdownPlan(budgetMs: number): ShutdownPlan {
  return {
    venueDrainMs: Math.min(3000, budgetMs / 2),
    reconcilerStopMs: Math.min(1000, budgetMs / 8),
    projectionFlushMs: Math.max(500, budgetMs / 2 - 500),
  };
}
