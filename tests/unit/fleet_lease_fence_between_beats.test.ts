/**
 * Local fencing between beats: beats come every third of the TTL, the fence falls at TTL − a sixth
 * after the last successful renewal was sent, so no beat falls on it. A kernel cut off from the
 * cluster must halt at the fence, before the member can expire its lease (and another kernel take
 * it), not at the next beat after the lease already expired. And the agent's status names no holder
 * while the lease is only pending (nobody is known to hold it, certainly not this kernel).
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { AccountLease, accountKey, FleetAgent, LEASE_MAP } from "../../src/fleet/index.ts";
import { FakeCluster } from "./fixtures/fake_hazelcast.ts";

const KEY = accountKey(["bingx", "https://open-api.bingx.com", "KEY"]);
const me = { namespace: "pink", host: "h1", pid: 100, run: "runA", epoch: 1, venue: "BINGX", acquired_at_ms: 1 };

describe("FleetAgent local fencing between beats", () => {
  test("a kernel cut off from the cluster halts at its fence, before the member can expire its lease", async () => {
    const clock = new ManualClock();
    const t0 = clock.nowMs();
    const cluster = new FakeCluster(() => clock.nowMs());
    const c = cluster.client("A");
    const TTL = 3000; // heartbeat 1000, renewal budget 500: fence at +2500, member expiry at +3000
    const lease = new AccountLease(c.client, KEY, me, TTL, () => true);
    expect((await lease.acquire()).kind).toBe("free");
    const expiresAt = cluster.store(LEASE_MAP).live(KEY)?.exp as number;
    expect(expiresAt).toBe(t0 + TTL);
    (await c.map(LEASE_MAP)).down = true; // cut off from now on
    const halts: number[] = [];
    const logs: string[] = [];
    let halted = false;
    let finish: () => void = () => {};
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const agent: FleetAgent = new FleetAgent({
      client: c.client,
      namespace: "pink",
      host: "h1",
      pid: 100,
      ttlMs: TTL,
      clock,
      log: (l) => logs.push(l),
      lease: { lease, state: "held", sentAtMs: t0 },
      onLeaseLost: () => {
        halts.push(clock.nowMs() - t0);
        halted = true;
      },
      halted: () => halted,
      sleep: async (ms) => {
        clock.advance(ms);
        if (clock.nowMs() - t0 >= 4000) {
          void agent.stopBeats();
          finish();
        }
      },
    });
    agent.start();
    await finished;
    await agent.stopBeats();
    expect(halts.length).toBeGreaterThan(0);
    expect(halts[0]!).toBeLessThanOrEqual(2500);
    expect(t0 + halts[0]!).toBeLessThan(expiresAt);
    expect(logs.some((l) => l.includes("not renewed within 2500 ms") && l.endsWith("trading HALTED"))).toBe(true);
  });

  test("enforceLease between beats applies the fence as a beat would", async () => {
    const clock = new ManualClock();
    const t0 = clock.nowMs();
    const cluster = new FakeCluster(() => clock.nowMs());
    const c = cluster.client("A");
    const lease = new AccountLease(c.client, KEY, me, 3000, () => true);
    await lease.acquire();
    let halted = false;
    const agent = new FleetAgent({
      client: c.client,
      namespace: "pink",
      host: "h1",
      pid: 100,
      ttlMs: 3000,
      clock,
      log: () => {},
      lease: { lease, state: "held", sentAtMs: t0 },
      onLeaseLost: () => {
        halted = true;
      },
      halted: () => halted,
    });
    clock.advance(2500);
    agent.enforceLease();
    expect(halted).toBe(true);
    expect(agent.status().lease.state).toBe("lost");
  });
});

describe("FleetAgent status names the lease holder only when there is one", () => {
  test("a pending lease (cluster unreachable at start) names no holder, not this kernel", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster(() => clock.nowMs());
    const c = cluster.client("A");
    (await c.map(LEASE_MAP)).down = true;
    const lease = new AccountLease(c.client, KEY, me, 3000, () => true);
    const agent = new FleetAgent({
      client: c.client,
      namespace: "pink",
      host: "h1",
      pid: 100,
      ttlMs: 3000,
      clock,
      log: () => {},
      lease: { lease, state: "pending" },
      onLeaseLost: () => {},
    });
    await agent.beat(); // the cluster still does not answer
    expect(agent.status().lease.state).toBe("pending");
    expect(agent.status().lease.holder).toBeNull();
  });
});
