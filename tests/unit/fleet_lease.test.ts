/**
 * The account lease and the fleet agent against a fake cluster (tests/unit/fixtures/fake_hazelcast.ts:
 * per-entry TTL by an injected clock, key locks that make other clients' mutations wait):
 *  - a renewal is conditional: an entry that expires mid-renewal cannot be taken by another kernel
 *    and then refreshed as if it were this kernel's (both would hold it);
 *  - the beats run at a fixed rate with the renewal on its own, so slow fleet-map calls never let
 *    the lease lapse between two successful renewals;
 *  - a lost lease halts trading at every beat until the halt worked, and the log says HALTED only then;
 *  - local fencing: a kernel cut off from the cluster halts before its lease can expire at the member.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { AccountLease, accountKey, FleetAgent, LEASE_MAP, type LeaseHolder } from "../../src/fleet/index.ts";
import { FakeCluster } from "./fixtures/fake_hazelcast.ts";

const KEY = accountKey(["bingx", "https://open-api.bingx.com", "KEY"]);
const holder = (host: string, pid: number, run: string): LeaseHolder => ({
  namespace: "pink",
  host,
  pid,
  run,
  epoch: 1,
  venue: "BINGX",
  acquired_at_ms: 1,
});

describe("AccountLease.renew is conditional (under the key's lock)", () => {
  test("an entry expiring between the renewal's get and setTtl is not taken by another kernel and then refreshed as this one's", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster(() => clock.nowMs());
    const a = cluster.client("A");
    const b = cluster.client("B");
    const A = new AccountLease(a.client, KEY, holder("h1", 100, "runA"), 3000, () => true);
    const B = new AccountLease(b.client, KEY, holder("h2", 200, "runB"), 3000, () => true);
    expect((await A.acquire()).kind).toBe("free");
    clock.advance(2990);
    let bDone = false;
    let bPromise: Promise<{ kind: string }> | null = null;
    (await a.map(LEASE_MAP)).hooks["after:get"] = async () => {
      (await a.map(LEASE_MAP)).hooks["after:get"] = undefined;
      clock.advance(20); // A's entry expired at +3000
      bPromise = B.acquire().finally(() => {
        bDone = true;
      });
      await Bun.sleep(10);
      expect(bDone).toBe(false); // B's putIfAbsent waits for A's lock
    };
    const r = await A.renew(500);
    expect(r.kind).toBe("reacquired");
    const bResult = await (bPromise as unknown as Promise<{ kind: string }>);
    expect(bResult.kind).toBe("held"); // B is refused, naming A: exactly one kernel holds it
    const stored = JSON.parse(String(cluster.store(LEASE_MAP).live(KEY)?.v));
    expect(stored.run).toBe("runA");
  });

  test("a renewal finding another kernel's entry reports it lost and leaves it untouched", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster(() => clock.nowMs());
    const A = new AccountLease(cluster.client("A").client, KEY, holder("h1", 100, "runA"), 3000, () => true);
    const B = new AccountLease(cluster.client("B").client, KEY, holder("h2", 200, "runB"), 3000, () => true);
    await A.acquire();
    clock.advance(3001);
    expect((await B.acquire()).kind).toBe("free");
    const expBefore = cluster.store(LEASE_MAP).live(KEY)?.exp;
    clock.advance(100);
    const r = await A.renew(500);
    expect(r.kind).toBe("lost");
    expect(cluster.store(LEASE_MAP).live(KEY)?.exp).toBe(expBefore as number);
    expect(cluster.store(LEASE_MAP).lockOf(KEY)).toBeUndefined(); // unlocked again
  });

  test("a renewal that does not answer within its budget fails and claims nothing", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster(() => clock.nowMs());
    const a = cluster.client("A");
    const A = new AccountLease(a.client, KEY, holder("h1", 100, "runA"), 3000, () => true);
    await A.acquire();
    (await a.map(LEASE_MAP)).latencyMs = 40;
    await expect(A.renew(50)).rejects.toThrow(/renewal took over 50 ms/);
  });

  test("the fake cluster: a locked key's other mutators wait until unlock or the lock's lease runs out", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster(() => clock.nowMs());
    const a = await cluster.client("A").map("M");
    const b = await cluster.client("B").map("M");
    expect(await a.tryLock("k", 0, 1000)).toBe(true);
    expect(await b.tryLock("k", 0, 1000)).toBe(false);
    let put = false;
    const p = b.putIfAbsent("k", "B", 5000).then(() => {
      put = true;
    });
    await Bun.sleep(5);
    expect(put).toBe(false);
    clock.advance(1000); // A died: its lock's lease runs out
    cluster.poke();
    await p;
    expect(put).toBe(true);
  });
});

function agentOn(cluster: FakeCluster, clock: { nowMs: () => number }, ttlMs: number, extra = {}) {
  const c = cluster.client("A");
  const lease = new AccountLease(c.client, KEY, holder("h1", 100, "runA"), ttlMs, () => true);
  const logs: string[] = [];
  let halted = false;
  let haltCalls = 0;
  const opts = {
    client: c.client,
    namespace: "pink",
    host: "h1",
    pid: 100,
    ttlMs,
    clock: { nowMs: () => clock.nowMs(), monoNs: () => BigInt(clock.nowMs()) * 1_000_000n },
    log: (l: string) => logs.push(l),
    lease: { lease, state: "held" as const, sentAtMs: clock.nowMs() },
    onLeaseLost: () => {
      haltCalls++;
      halted = true;
    },
    halted: () => halted,
    ...extra,
  };
  return {
    c,
    lease,
    logs,
    agent: new FleetAgent(opts),
    state: {
      get halted() {
        return halted;
      },
      set halted(v: boolean) {
        halted = v;
      },
      get haltCalls() {
        return haltCalls;
      },
    },
  };
}

describe("FleetAgent beats at a fixed rate, the lease renewal first and on its own", () => {
  test("slow fleet-map sets never let the lease lapse between two successful renewals", async () => {
    const t0 = Date.now();
    const clock = { nowMs: () => Date.now() - t0 + 1_000_000 };
    const cluster = new FakeCluster(clock.nowMs);
    const TTL = 600; // heartbeat 200, renewal budget 100
    const { c, lease, agent } = agentOn(cluster, clock, TTL);
    expect((await lease.acquire()).kind).toBe("free");
    const leaseMap = await c.map(LEASE_MAP);
    leaseMap.latencyMs = 15; // a renewal takes ~45 ms
    (await c.map("DITA_V2_FLEET")).latencyMs = 450; // the fleet map answers slowly (under the TTL)
    let lapsed = false;
    const watch = setInterval(() => {
      if (cluster.store(LEASE_MAP).live(KEY) === undefined) lapsed = true;
    }, 5);
    agent.start(() => ({}) as any);
    await Bun.sleep(1300);
    await agent.stopBeats();
    clearInterval(watch);
    const locks = leaseMap.calls.filter((x) => x.op === "tryLock").map((x) => x.at);
    const gaps = locks.slice(1).map((x, i) => x - locks[i]!);
    expect(lapsed).toBe(false);
    expect(Math.max(...gaps)).toBeLessThan(200 + 40); // start to start, one heartbeat apart
    expect(agent.status().lease.state).toBe("held");
  });
});

describe("FleetAgent halts trading while the lease is lost", () => {
  test("a halt that failed is retried at every beat, and HALTED is logged only once it worked", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster(() => clock.nowMs());
    let calls = 0;
    let halted = false;
    const { lease, agent, logs } = agentOn(cluster, clock, 3000, {
      onLeaseLost: () => {
        calls++;
        if (calls === 1) throw new Error("ZincError TORN: control block 0 was being written");
        halted = true;
      },
      halted: () => halted,
    });
    await lease.acquire();
    clock.advance(3001);
    const B = new AccountLease(cluster.client("B").client, KEY, holder("h2", 200, "runB"), 3000, () => true);
    expect((await B.acquire()).kind).toBe("free");
    const tick = async () => {
      clock.advance(1000);
      expect((await B.renew()).kind).toBe("held");
    };
    await agent.beat();
    expect(halted).toBe(false);
    expect(logs.some((l) => l.includes("HALTED"))).toBe(false);
    expect(logs.some((l) => l.includes("halting trading FAILED (ZincError TORN"))).toBe(true);
    await tick(); // B keeps renewing
    await agent.beat();
    expect(halted).toBe(true);
    expect(logs.filter((l) => l.endsWith("trading HALTED"))).toHaveLength(1);
    await tick(); // B keeps renewing
    await agent.beat(); // HALTED already: not applied again
    expect(calls).toBe(2);
    halted = false; // an operator sets ACTIVE while another kernel holds the account
    await tick(); // B keeps renewing
    await agent.beat();
    expect(halted).toBe(true);
    expect(agent.status().lease.state).toBe("lost");
  });
});

describe("FleetAgent local fencing", () => {
  test("a kernel cut off from the cluster halts before its lease can expire at the member, and trading stays halted when it is taken back", async () => {
    const clock = new ManualClock();
    const cluster = new FakeCluster(() => clock.nowMs());
    const { c, lease, agent, logs, state } = agentOn(cluster, clock, 3000); // heartbeat 1000, margin 500
    await lease.acquire();
    const leaseMap = await c.map(LEASE_MAP);
    clock.advance(1000);
    await agent.beat(); // renewed at +1000: counts as held until +3500
    leaseMap.down = true;
    clock.advance(1000);
    await agent.beat(); // +2000: fails
    clock.advance(1000);
    await agent.beat(); // +3000: fails, still inside the fence
    expect(state.halted).toBe(false);
    clock.advance(500);
    await agent.beat(); // +3500: fenced
    expect(state.halted).toBe(true);
    expect(agent.status().lease.state).toBe("lost");
    expect(logs.some((l) => l.includes("not renewed within 2500 ms") && l.endsWith("trading HALTED"))).toBe(true);
    // The member keeps the entry until +4000: nobody else could have taken it before the halt.
    expect(cluster.store(LEASE_MAP).live(KEY)).toBeDefined();
    leaseMap.down = false;
    clock.advance(300);
    await agent.beat(); // the cluster answers: still ours, renewed, taken back; trading stays HALTED
    expect(agent.status().lease.state).toBe("held");
    expect(state.halted).toBe(true);
    expect(state.haltCalls).toBe(1);
  });
});
