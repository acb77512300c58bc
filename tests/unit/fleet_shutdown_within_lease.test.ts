/**
 * serve's shutdown stops the lease's renewals first (a beat reads kernel memory), then drains its
 * venue calls for up to 3 s. With a short DITA_V2_FLEET_TTL_MS (3 s: the lease's local fence 2.5 s
 * after the last renewal was sent) the lease could expire while calls still drained, and another
 * kernel take the account and trade beside them. The drain is now bounded by what is left of the
 * lease (`leaseLeftMs`), and a lease already lost leaves nothing to drain in.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { AccountLease, accountKey, FleetAgent } from "../../src/fleet/index.ts";
import { SHUTDOWN_BUDGET_MS, shutdownPlan } from "../../src/launcher/_shutdown_plan.ts";
import { shutdownBudgetMs } from "../../src/launcher/fleet_member.ts";
import { FakeCluster } from "./fixtures/fake_hazelcast.ts";

const KEY = accountKey(["bingx", "https://open-api.bingx.com", "KEY"]);
const me = { namespace: "pink", host: "h1", pid: 100, run: "runA", epoch: 1, venue: "BINGX", acquired_at_ms: 1 };
/** Runtime.shutdown's venue drain for a budget (the plan the runtime itself runs). */
const drainOf = (budgetMs: number) => shutdownPlan(budgetMs).venueDrainMs;

async function heldAgent(clock: ManualClock, ttlMs: number): Promise<FleetAgent> {
  const c = new FakeCluster(() => clock.nowMs()).client("A");
  const lease = new AccountLease(c.client, KEY, me, ttlMs, () => true);
  expect((await lease.acquire()).kind).toBe("free");
  return new FleetAgent({
    client: c.client,
    namespace: "pink",
    host: "h1",
    pid: 100,
    ttlMs,
    clock,
    log: () => {},
    lease: { lease, state: "held", sentAtMs: clock.nowMs() },
    onLeaseLost: () => {},
  });
}

describe("shutdown drains venue calls only within the lease", () => {
  test("with a 3 s TTL, 1 s after the last renewal, the drain ends by the lease's fence", async () => {
    const clock = new ManualClock();
    const agent = await heldAgent(clock, 3000);
    clock.advance(1000);
    const left = agent.leaseLeftMs();
    expect(left).toBe(1500); // fence at +2500
    expect(drainOf(shutdownBudgetMs(left))).toBeLessThanOrEqual(1500);
  });

  test("a lease past its fence is lost: nothing is left to drain in", async () => {
    const clock = new ManualClock();
    const agent = await heldAgent(clock, 3000);
    clock.advance(2600);
    expect(agent.leaseLeftMs()).toBe(0);
    expect(drainOf(shutdownBudgetMs(0))).toBe(0);
  });

  test("a long lease, or none, keeps the whole budget", async () => {
    const clock = new ManualClock();
    const agent = await heldAgent(clock, 60_000);
    expect(shutdownBudgetMs(agent.leaseLeftMs())).toBe(SHUTDOWN_BUDGET_MS);
    expect(shutdownBudgetMs(null)).toBe(SHUTDOWN_BUDGET_MS);
  });
});
