/**
 * serve's stop, from the signal to the exit: heartbeats stop, the runtime drains within the lease
 * (`shutdownBudgetMs`), the event hub and the HTTP server close, the loops end, the fleet is left,
 * the state dir unlocked, the result logged.
 *
 * The fleet's two steps are Hazelcast calls (a slow or hung cluster, with a long
 * DITA_V2_FLEET_TTL_MS up to 5 s a call): each is raced with its share of the plan
 * (`shutdownPlan`: `beatsStopMs`, `fleetLeaveMs`), so serve exits within its 10 s, well before
 * supervisord's SIGKILL. A step cut short (or failing) is one log line; the fleet entry and the
 * account lease then expire by themselves. The state dir is unlocked whatever happened, also when
 * the runtime's shutdown throws (its error then reaches the caller).
 *
 * Entry point: `stopServe(signal, deps)`.
 */

import { SHUTDOWN_BUDGET_MS, shutdownPlan } from "./_shutdown_plan.ts";
import type { FleetMembership } from "./fleet_member.ts";
import { shutdownBudgetMs } from "./fleet_member.ts";

export interface ShutdownResult {
  inflight_left: number;
  projection_flushed: boolean;
}

/** What the stop drives: serve's own objects, or a test's fakes. */
export interface ServeStopDeps {
  fleet: Pick<FleetMembership, "stopBeats" | "leave" | "leaseLeftMs">;
  runtime: { shutdown(budgetMs: number): Promise<ShutdownResult> };
  hub: { close(): void };
  server: { stop(closeActiveConnections: boolean): unknown };
  loops: Promise<void>;
  unlock: () => void;
  log: (line: string) => void;
  /** Waits `ms` or until `cancel` aborts (default: a timer). */
  sleep?: (ms: number, cancel: AbortSignal) => Promise<void>;
}

export async function stopServe(signal: string, d: ServeStopDeps): Promise<ShutdownResult> {
  const { fleet, log } = d;
  const plan = shutdownPlan(SHUTDOWN_BUDGET_MS); // the fleet's shares do not depend on the budget
  const sleep = d.sleep ?? sleepUnlessCancelled;
  log(`${signal}: stopping intake, draining venue calls, flushing projection`);
  let result: ShutdownResult;
  try {
    await bounded(() => fleet.stopBeats(), plan.beatsStopMs, "stopping the heartbeats", sleep, log);
    result = await d.runtime.shutdown(shutdownBudgetMs(fleet.leaseLeftMs())); // drains within the lease
    d.hub.close();
    d.server.stop(true);
    await d.loops;
    await bounded(() => fleet.leave(), plan.fleetLeaveMs, "leaving the fleet", sleep, log);
  } finally {
    d.unlock();
  }
  log(`stopped: ${JSON.stringify(result)}`);
  return result;
}

/** Runs `step` for at most `ms`; cut short or failing, it is one log line. Never throws. */
async function bounded(
  step: () => Promise<void>,
  ms: number,
  what: string,
  sleep: (ms: number, cancel: AbortSignal) => Promise<void>,
  log: (line: string) => void,
): Promise<void> {
  const cancel = new AbortController();
  try {
    const won = await Promise.race([
      step().then(() => "done" as const),
      sleep(ms, cancel.signal).then(() => "timeout" as const),
    ]);
    if (won === "timeout")
      log(
        `fleet: ${what} cut short after ${ms} ms: the cluster did not answer in time (the fleet entry and the account lease expire by themselves)`,
      );
  } catch (e) {
    log(`fleet: ${what} failed (the fleet entry and the account lease expire by themselves): ${errorText(e)}`);
  } finally {
    cancel.abort();
  }
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);
}

function sleepUnlessCancelled(ms: number, cancel: AbortSignal): Promise<void> {
  if (cancel.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      cancel.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    cancel.addEventListener("abort", done);
  });
}
