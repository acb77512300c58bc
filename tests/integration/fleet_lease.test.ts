/**
 * The account lease and the fleet heartbeat against a real Hazelcast member running the deployed
 * config (deploy/hazelcast/hazelcast.yaml, one member, lease quorum 1):
 *  - a lease is taken once; a second kernel is refused naming the holder; renewals keep it past its
 *    TTL without changing it; released, it is free at once; left by a dead kernel, it expires;
 *  - a dead predecessor of the same namespace on this host is taken over at once;
 *  - a renewal that finds another holder reports it lost; one the cluster lost is re-taken;
 *  - the heartbeat entry is listed while beats run and expires by itself once they stop; a graceful
 *    leave removes it and gives the lease back at once;
 *  - with the member down, beats fail without throwing and the agent logs once, then once again
 *    when they work; down past TTL − TTL/6 the kernel fences itself (halts), and the lease the
 *    restarted (empty) member lost is re-taken with trading left HALTED.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Clock, ManualClock } from "../../src/contracts/clock.ts";
import {
  AccountLease,
  accountKey,
  FLEET_MAP,
  FleetAgent,
  FleetClient,
  type KernelFields,
  LEASE_MAP,
  type LeaseHolder,
  readFleet,
} from "../../src/fleet/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { type HazelcastCluster, startHazelcastCluster } from "./_services.ts";

let hz: HazelcastCluster;
const clients: FleetClient[] = [];
const TTL = 3_000;

beforeAll(async () => {
  hz = await startHazelcastCluster(1, "lease");
}, 120_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await hz?.destroy();
}, 60_000);

function client(): FleetClient {
  const c = new FleetClient({ addr: hz.addr, cluster: hz.cluster }, 2_000);
  clients.push(c);
  return c;
}

let runs = 0;
function holder(over: Partial<LeaseHolder> = {}): LeaseHolder {
  runs++;
  return {
    namespace: "pink",
    host: "host-a",
    pid: process.pid,
    run: `${runs}`.padStart(16, "0"),
    epoch: runs,
    venue: "BINGX",
    acquired_at_ms: runs,
    ...over,
  };
}

const key = (name: string) => accountKey(["bingx", "http://127.0.0.1:1", name]);
const ttlOf = async (c: FleetClient, k: string) => (await (await c.map(LEASE_MAP)).getEntryView(k))?.ttl.toNumber();

describe("account lease on a real member", () => {
  test("taken once; a second kernel is refused naming the holder; renewals keep it past its TTL; released, it is free", async () => {
    const k = key("acct-1");
    const first = new AccountLease(client(), k, holder(), TTL);
    const second = new AccountLease(client(), k, holder({ namespace: "blue" }), TTL);
    expect(await first.acquire()).toEqual({ kind: "free" });
    expect(await second.acquire()).toEqual({ kind: "held", holder: first.me });
    for (let i = 0; i < 4; i++) {
      await Bun.sleep(1_000);
      expect(await first.renew()).toEqual({ kind: "held" });
    }
    expect(await ttlOf(client(), k)).toBe(TTL); // setTtl kept the time to live (a replace would make it infinite)
    expect(await second.acquire()).toEqual({ kind: "held", holder: first.me });
    expect(await first.release()).toBe(true);
    expect(await second.acquire()).toEqual({ kind: "free" });
    expect(await first.release()).toBe(false); // not its lease any more: nothing removed
  }, 30_000);

  test("a lease left by a dead kernel expires by its TTL; this namespace's dead predecessor here is taken over at once", async () => {
    const k = key("acct-2");
    const gone = new AccountLease(client(), k, holder({ host: "host-b", pid: 2 ** 22 + 1 }), TTL);
    expect((await gone.acquire()).kind).toBe("free");
    const next = new AccountLease(client(), k, holder(), TTL);
    expect((await next.acquire()).kind).toBe("held"); // another host: its pid cannot be checked from here
    await Bun.sleep(TTL + 1_500);
    expect(await next.acquire()).toEqual({ kind: "free" });

    const k2 = key("acct-3");
    const dead = new AccountLease(client(), k2, holder({ pid: 2 ** 22 + 1 }), TTL);
    expect((await dead.acquire()).kind).toBe("free");
    const restarted = new AccountLease(client(), k2, holder(), TTL);
    expect(await restarted.acquire()).toEqual({ kind: "takeover", previous: dead.me });
    expect(await restarted.renew()).toEqual({ kind: "held" });
    expect(await ttlOf(client(), k2)).toBe(TTL);
  }, 30_000);

  test("a renewal that finds another kernel's lease reports it lost; a lease the cluster lost is re-taken", async () => {
    const k = key("acct-4");
    const a = new AccountLease(client(), k, holder(), TTL);
    expect((await a.acquire()).kind).toBe("free");
    await (await client().map(LEASE_MAP)).delete(k); // as if the cluster had lost it
    expect(await a.renew()).toEqual({ kind: "reacquired" });
    expect(await a.release()).toBe(true);
    const b = new AccountLease(client(), k, holder({ namespace: "blue" }), TTL);
    expect((await b.acquire()).kind).toBe("free");
    expect(await a.renew()).toEqual({ kind: "lost", holder: b.me });
  }, 30_000);
});

const fields = (): KernelFields => ({
  version: "0.1.0",
  run: "00000000000000aa",
  health: { ok: true, reasons: [] },
  trading_state: "ACTIVE",
  slots_in_use: 1,
  slot_count: 4,
  last_input_ms: null,
  projection_backlog: 0,
  started_at_ms: 1,
  venue: "MOCK",
  identity: {
    http_url: "http://127.0.0.1:1",
    state_dir: "/tmp/x",
    zinc_prefix: null,
    clickhouse_database: null,
    hazelcast_cluster: "lease",
  },
});

function agent(ns: string, logs: string[], lease: AccountLease | null, clock: Clock = new ManualClock(Date.now())) {
  return new FleetAgent({
    client: client(),
    namespace: ns,
    host: "host-a",
    pid: process.pid,
    ttlMs: TTL,
    clock,
    log: (l) => logs.push(l),
    lease: lease === null ? null : { lease, state: "held" },
    onLeaseLost: () => logs.push("LOST"),
  });
}

describe("fleet heartbeat on a real member", () => {
  test("the entry is listed while beats run and expires by itself once they stop; a graceful leave removes it at once", async () => {
    const logs: string[] = [];
    const reader = client();
    const a = agent("hb", logs, null);
    a.start(fields);
    await Bun.sleep(300);
    const listed = await readFleet(await reader.ensure(), Date.now);
    expect(listed.kernels.find((k) => k.namespace === "hb")).toMatchObject({
      state: "ok",
      ttl_ms: TTL,
      heartbeat_ms: 1_000,
    });
    await a.stopBeats(); // as a SIGKILL would: no leave
    await Bun.sleep(TTL + 1_500);
    expect((await readFleet(await reader.ensure(), Date.now)).kernels.map((k) => k.namespace)).not.toContain("hb");

    const lease = new AccountLease(client(), key("acct-5"), holder({ namespace: "hb2" }), TTL);
    expect((await lease.acquire()).kind).toBe("free");
    const b = agent("hb2", logs, lease);
    b.start(fields);
    await Bun.sleep(300);
    expect(await (await reader.map(FLEET_MAP)).containsKey("hb2")).toBe(true);
    await b.leave();
    expect(await (await reader.map(FLEET_MAP)).containsKey("hb2")).toBe(false);
    expect(await (await reader.map(LEASE_MAP)).containsKey(lease.key)).toBe(false);
    expect(logs).toEqual([]);
  }, 30_000);

  test("with the member down, beats fail without throwing and are logged once; when they work, once again; the fenced lease is re-taken", async () => {
    const logs: string[] = [];
    const lease = new AccountLease(client(), key("acct-6"), holder({ namespace: "down" }), TTL);
    expect((await lease.acquire()).kind).toBe("free");
    const a = agent("down", logs, lease, new SystemClock()); // real time: the local fence runs
    a.start(fields);
    await Bun.sleep(300);
    await hz.members[0]!.kill();
    await Bun.sleep(4_000); // several beats, each failing
    expect(a.status().heartbeats_failed).toBeGreaterThanOrEqual(2);
    await hz.members[0]!.restart(); // empty: the entry and the lease are gone
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !logs.some((l) => l.startsWith("fleet: heartbeat works again")))
      await Bun.sleep(200);
    const failures = logs.filter((l) => l.startsWith("fleet: heartbeat to hazelcast"));
    expect(failures).toHaveLength(1);
    expect(logs.filter((l) => l.startsWith("fleet: heartbeat works again"))).toHaveLength(1);
    // Down past TTL - TTL/6 without a renewal: fenced (halted) before the member could expire it.
    expect(logs).toContain("LOST");
    expect(logs.some((l) => /^account lease: not renewed within 2500 ms .*: trading HALTED$/.test(l))).toBe(true);
    expect(logs).toContain(
      "account lease: re-taken (free again, or still this kernel's); trading stays HALTED until the operator sets ACTIVE",
    );
    expect(a.status()).toMatchObject({ last_error: null, lease: { state: "held" } });
    await a.leave();
  }, 60_000);
});
