/**
 * serve's stop after SIGTERM (`stopServe`): supervisord SIGKILLs a serve 30 s after its SIGTERM and
 * the design promises an exit within 10 s. The fleet's steps (`stopBeats`, `leave`) are Hazelcast
 * calls, each bounded only by the client's timeout (up to 5 s a call with a long
 * DITA_V2_FLEET_TTL_MS), so a slow or hung cluster used to hold the stop past its budget, and a
 * hung `leave` kept `unlock` (and the "stopped" line) from ever running. Each fleet step now has its
 * own share of the plan, raced with a timer: cut short, it is logged and the stop goes on.
 * Time here is virtual: the fakes' timers fire only when the test advances them.
 */
import { describe, expect, test } from "bun:test";
import { type ServeStopDeps, type ShutdownResult, stopServe } from "../../src/launcher/_serve_stop.ts";
import { SHUTDOWN_BUDGET_MS, shutdownPlan } from "../../src/launcher/_shutdown_plan.ts";
import { shutdownBudgetMs } from "../../src/launcher/fleet_member.ts";

const settle = () => new Promise<void>((r) => setImmediate(r));
const hang = () => new Promise<void>(() => {});
const RESULT: ShutdownResult = { inflight_left: 0, projection_flushed: true };

/** Timers on a virtual clock: they fire only in `runUntil`. */
class VirtualTime {
  now = 0;
  private timers: { at: number; fire: () => void }[] = [];
  sleep = (ms: number, cancel?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      const t = { at: this.now + ms, fire: resolve };
      this.timers.push(t);
      cancel?.addEventListener("abort", () => {
        this.timers = this.timers.filter((x) => x !== t);
        resolve();
      });
    });
  pending(): number {
    return this.timers.length;
  }
  async runUntil(limitMs: number): Promise<void> {
    for (;;) {
      await settle();
      const next = this.timers.reduce<{ at: number; fire: () => void } | null>(
        (a, t) => (a === null || t.at < a.at ? t : a),
        null,
      );
      if (next === null || next.at > limitMs) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.now = next.at;
      next.fire();
    }
    this.now = limitMs;
    await settle();
  }
}

interface Steps {
  stopBeats?: () => Promise<void>;
  leave?: () => Promise<void>;
  leaseLeftMs?: number | null;
  shutdown?: (budgetMs: number) => Promise<ShutdownResult>;
}

function harness(steps: Steps) {
  const vt = new VirtualTime();
  const order: string[] = [];
  const lines: string[] = [];
  const budgets: number[] = [];
  /** The runtime takes its whole plan: venue drain, reconciler stop, projection flush. */
  const fullDrain = (b: number) => {
    const p = shutdownPlan(b);
    return vt.sleep(p.venueDrainMs + p.reconcilerStopMs + p.projectionFlushMs).then(() => RESULT);
  };
  const deps: ServeStopDeps = {
    fleet: {
      stopBeats: () => {
        order.push("stopBeats");
        return (steps.stopBeats ?? (async () => {}))();
      },
      leave: () => {
        order.push("leave");
        return (steps.leave ?? (async () => {}))();
      },
      leaseLeftMs: () => {
        order.push("leaseLeftMs");
        return steps.leaseLeftMs ?? null;
      },
    },
    runtime: {
      shutdown: (b) => {
        order.push("shutdown");
        budgets.push(b);
        return (steps.shutdown ?? fullDrain)(b);
      },
    },
    hub: { close: () => void order.push("hub.close") },
    server: { stop: () => void order.push("server.stop") },
    loops: Promise.resolve(),
    unlock: () => void order.push("unlock"),
    log: (l) => void lines.push(l),
    sleep: vt.sleep,
  };
  let finishedAt: number | null = null;
  let error: unknown = null;
  const done = stopServe("SIGTERM", deps).then(
    (r) => {
      finishedAt = vt.now;
      return r;
    },
    (e) => {
      finishedAt = vt.now;
      error = e;
    },
  );
  return { vt, order, lines, budgets, done, finished: () => finishedAt, error: () => error };
}

describe("serve's stop is bounded even when the fleet's Hazelcast calls hang", () => {
  test("a hung stopBeats does not hold the stop past SHUTDOWN_BUDGET_MS; the runtime still drains", async () => {
    const h = harness({ stopBeats: hang });
    await h.vt.runUntil(SHUTDOWN_BUDGET_MS);
    expect(h.finished()).not.toBeNull();
    expect(h.finished()!).toBeLessThanOrEqual(SHUTDOWN_BUDGET_MS);
    expect(h.order).toContain("shutdown");
    expect(h.order.at(-1)).toBe("unlock");
    expect(h.lines.some((l) => /heartbeats.*cut short/.test(l))).toBe(true);
  });

  test("a hung leave still unlocks the state dir and returns within SHUTDOWN_BUDGET_MS", async () => {
    const h = harness({ leave: hang });
    await h.vt.runUntil(SHUTDOWN_BUDGET_MS);
    expect(h.order).toContain("unlock");
    expect(h.finished()).not.toBeNull();
    expect(h.finished()!).toBeLessThanOrEqual(SHUTDOWN_BUDGET_MS);
    expect(h.lines.some((l) => /leav.*cut short.*expire by themselves/.test(l))).toBe(true);
    expect(h.lines.at(-1)).toStartWith("stopped: ");
  });

  test("both fleet steps hung and the runtime taking its whole plan: done within SHUTDOWN_BUDGET_MS", async () => {
    const h = harness({ stopBeats: hang, leave: hang });
    await h.vt.runUntil(SHUTDOWN_BUDGET_MS);
    expect(h.finished()).not.toBeNull();
    expect(h.finished()!).toBeLessThanOrEqual(SHUTDOWN_BUDGET_MS);
    expect(h.order).toEqual(["stopBeats", "leaseLeftMs", "shutdown", "hub.close", "server.stop", "leave", "unlock"]);
    expect(await h.done).toEqual(RESULT);
  });

  test("a fleet step that rejects is logged and the stop goes on to unlock", async () => {
    const h = harness({ leave: () => Promise.reject(new Error("cluster gone")) });
    await h.vt.runUntil(SHUTDOWN_BUDGET_MS);
    expect(h.error()).toBeNull();
    expect(h.order.at(-1)).toBe("unlock");
    expect(h.lines.some((l) => l.includes("cluster gone"))).toBe(true);
  });

  test("a runtime shutdown that throws still unlocks, and the error reaches the caller", async () => {
    const h = harness({ shutdown: () => Promise.reject(new Error("journal close failed")) });
    await h.vt.runUntil(SHUTDOWN_BUDGET_MS);
    expect(h.order).toContain("unlock");
    expect((h.error() as Error | null)?.message).toBe("journal close failed");
  });
});

describe("a healthy fleet stop keeps its order and the lease-bounded drain", () => {
  test("steps run in order, the runtime gets shutdownBudgetMs(leaseLeftMs), no timer is left behind", async () => {
    const h = harness({ leaseLeftMs: 1500, shutdown: async () => RESULT });
    await h.done;
    expect(h.finished()).toBe(0);
    expect(h.budgets).toEqual([shutdownBudgetMs(1500)]);
    expect(h.order).toEqual(["stopBeats", "leaseLeftMs", "shutdown", "hub.close", "server.stop", "leave", "unlock"]);
    expect(h.vt.pending()).toBe(0);
    expect(h.lines.some((l) => l.includes("cut short"))).toBe(false);
  });
});

describe("the shutdown plan gives the fleet steps their own share", () => {
  test("every step at its bound, for any runtime budget, sums to at most SHUTDOWN_BUDGET_MS", () => {
    for (const b of [0, 500, 1000, 3000, 5000, SHUTDOWN_BUDGET_MS]) {
      const p = shutdownPlan(b);
      const total = p.beatsStopMs + p.venueDrainMs + p.reconcilerStopMs + p.projectionFlushMs + p.fleetLeaveMs;
      expect(p.beatsStopMs).toBeGreaterThan(0);
      expect(p.fleetLeaveMs).toBeGreaterThan(0);
      expect(total).toBeLessThanOrEqual(SHUTDOWN_BUDGET_MS);
    }
  });
});
