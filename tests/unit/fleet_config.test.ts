/**
 * The fleet's configuration and its pure rules: DITA_V2_HAZELCAST_ADDR as a member list (one
 * ConfigError line naming the bad entry), DITA_V2_FLEET_TTL_MS bounds, the client's own check of a
 * member list, fleet entries parsed back from the map (typed, or one line saying what is wrong), the
 * reader's verdict (ok, stale after two missed heartbeats, unhealthy; judged when the listing's
 * answer arrived), and the account lease rules.
 */
import { describe, expect, test } from "bun:test";
import {
  accountKey,
  decideLease,
  type FleetEntry,
  heartbeatMsOf,
  kernelVerdict,
  type LeaseHolder,
  parseFleetEntry,
  pidAlive,
  readFleet,
} from "../../src/fleet/index.ts";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import { hazelcastMembers } from "../../src/projection/index.ts";

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("DITA_V2_HAZELCAST_ADDR", () => {
  test("one member, or a comma-separated list kept in order (spaces trimmed); the default is one local member", () => {
    expect(loadConfig({}).hazelcast_addr).toBe("127.0.0.1:5701");
    expect(loadConfig({ DITA_V2_HAZELCAST_ADDR: "hz1:5701" }).hazelcast_addr).toBe("hz1:5701");
    expect(loadConfig({ DITA_V2_HAZELCAST_ADDR: "10.0.0.1:5701, 10.0.0.2:5701 ,hz3.lan:5702" }).hazelcast_addr).toBe(
      "10.0.0.1:5701,10.0.0.2:5701,hz3.lan:5702",
    );
  });

  test("a bad entry fails the start with one line naming the variable, the entry's position and the entry", () => {
    expect(refusal({ DITA_V2_HAZELCAST_ADDR: "10.0.0.1:5701,10.0.0.2" })).toBe(
      "DITA_V2_HAZELCAST_ADDR: member 2 of 2 must be host:port (port 1..65535), got '10.0.0.2' in '10.0.0.1:5701,10.0.0.2'",
    );
    expect(refusal({ DITA_V2_HAZELCAST_ADDR: "h:5701," })).toContain("member 2 of 2 must be host:port");
    expect(refusal({ DITA_V2_HAZELCAST_ADDR: "h:70000" })).toContain("member 1 of 1 must be host:port (port 1..65535)");
    expect(refusal({ DITA_V2_HAZELCAST_ADDR: "h:0" })).toContain("got 'h:0'");
    expect(refusal({ DITA_V2_HAZELCAST_ADDR: "h:1,h:2,h:1" })).toBe(
      "DITA_V2_HAZELCAST_ADDR: member 3 'h:1' is listed twice in 'h:1,h:2,h:1'",
    );
    const many = Array.from({ length: 17 }, (_, i) => `h${i}:5701`).join(",");
    expect(refusal({ DITA_V2_HAZELCAST_ADDR: many })).toBe(
      "DITA_V2_HAZELCAST_ADDR: at most 16 members (host:port,host:port,...), got 17",
    );
  });

  test("the client splits the canonical list and refuses a malformed member as an invariant", () => {
    expect(hazelcastMembers("a:1,b:2")).toEqual(["a:1", "b:2"]);
    expect(() => hazelcastMembers("a:1,b")).toThrow('Condition failed: Hazelcast member must be host:port, got "b"');
  });
});

describe("DITA_V2_FLEET_TTL_MS", () => {
  test("defaults to 15 s; the heartbeat runs every third of it", () => {
    expect(loadConfig({}).fleet_ttl_ms).toBe(15_000);
    expect(heartbeatMsOf(15_000)).toBe(5_000);
    expect(loadConfig({ DITA_V2_FLEET_TTL_MS: "3000" }).fleet_ttl_ms).toBe(3_000);
  });

  test("outside 3000..600000 or not an integer, the start fails naming the variable", () => {
    for (const bad of ["2999", "600001", "15s", "-1", "1e4"])
      expect(refusal({ DITA_V2_FLEET_TTL_MS: bad })).toBe(
        `DITA_V2_FLEET_TTL_MS: must be an integer 3000..600000 (ms; the heartbeat runs every third of it), got '${bad}'`,
      );
  });
});

const entry = (over: Partial<FleetEntry> = {}): FleetEntry => ({
  namespace: "pink",
  host: "h1",
  pid: 100,
  version: "0.1.0",
  run: "0123456789abcdef",
  health: { ok: true, reasons: [] },
  trading_state: "ACTIVE",
  slots_in_use: 1,
  slot_count: 8,
  last_input_ms: 1_000,
  projection_backlog: 0,
  started_at_ms: 500,
  heartbeat_at_ms: 10_000,
  heartbeat_ms: 5_000,
  ttl_ms: 15_000,
  venue: "BINGX",
  account: "00112233445566ff",
  lease: "held",
  identity: {
    http_url: "http://127.0.0.1:7871",
    state_dir: "/srv/pink",
    zinc_prefix: "dita_v2_pink",
    clickhouse_database: "dita",
    hazelcast_cluster: "dita",
  },
  ...over,
});

describe("fleet entries", () => {
  test("a stored entry parses back into the same typed value (from a JSON string or an object)", () => {
    const e = entry();
    expect(parseFleetEntry("pink", JSON.stringify(e))).toEqual({ ok: true, entry: e });
    expect(parseFleetEntry("pink", e)).toEqual({ ok: true, entry: e });
  });

  test("a malformed entry gives one line naming the key and the field, never an exception", () => {
    expect(parseFleetEntry("pink", "{not json")).toEqual({ ok: false, error: "DITA_V2_FLEET[pink]: not JSON" });
    expect(parseFleetEntry("blue", entry())).toEqual({ ok: false, error: 'DITA_V2_FLEET[blue]: namespace "pink"' });
    expect(parseFleetEntry("pink", { ...entry(), pid: -3 })).toEqual({
      ok: false,
      error: "DITA_V2_FLEET[pink]: pid is not a non-negative integer",
    });
    expect(parseFleetEntry("pink", { ...entry(), lease: "maybe" })).toEqual({
      ok: false,
      error: 'DITA_V2_FLEET[pink]: lease "maybe"',
    });
    expect(parseFleetEntry("pink", [1, 2])).toEqual({ ok: false, error: "DITA_V2_FLEET[pink]: not a JSON object" });
  });

  test("the verdict: ok while heartbeats arrive, stale after two intervals without one, unhealthy as the kernel says", () => {
    const e = entry();
    expect(kernelVerdict(e, 12_000)).toEqual({ state: "ok", age_ms: 2_000, why: "" });
    expect(kernelVerdict(e, 20_000).state).toBe("ok");
    expect(kernelVerdict(e, 20_001)).toEqual({
      state: "stale",
      age_ms: 10_001,
      why: "no heartbeat for 10001 ms (every 5000 ms expected)",
    });
    expect(kernelVerdict(entry({ health: { ok: false, reasons: ["venue BINGX not connected"] } }), 11_000)).toEqual({
      state: "unhealthy",
      age_ms: 1_000,
      why: "venue BINGX not connected",
    });
    expect(kernelVerdict(entry({ lease: "lost" }), 11_000).why).toBe("account lease lost to another kernel");
  });

  test("a listing judges each kernel when the cluster's answer arrived, not when the read was asked", async () => {
    // The cluster answers 1.5 s late: by then pink (heartbeat at 10 000, every 5 000 ms) is stale.
    let now = 19_000;
    const map = {
      entrySet: async () => {
        now += 1_500;
        return [["pink", JSON.stringify(entry())]];
      },
    };
    const client = { getMap: async () => map } as unknown as Parameters<typeof readFleet>[0];
    const listing = await readFleet(client, () => now);
    expect(listing.now_ms).toBe(20_500);
    expect(listing.kernels.map((k) => [k.namespace, k.state, k.age_ms])).toEqual([["pink", "stale", 10_500]]);
  });
});

describe("account lease rules", () => {
  const me: LeaseHolder = {
    namespace: "pink",
    host: "h1",
    pid: 200,
    run: "aaaaaaaaaaaaaaaa",
    epoch: 5,
    venue: "BINGX",
    acquired_at_ms: 5,
  };
  const alive = () => true;
  const dead = () => false;

  test("no lease: take it; this very kernel's lease: mine", () => {
    expect(decideLease(null, me, alive)).toEqual({ kind: "free" });
    expect(decideLease({ ...me, acquired_at_ms: 1 }, me, alive)).toEqual({ kind: "mine" });
  });

  test("this namespace's previous process on this host, now gone: taken over; still alive: held", () => {
    const previous = { ...me, pid: 150, run: "bbbbbbbbbbbbbbbb" };
    expect(decideLease(previous, me, dead)).toEqual({ kind: "takeover", previous });
    expect(decideLease(previous, me, alive)).toEqual({ kind: "held", holder: previous });
  });

  test("another namespace, or the same namespace on another host, holds it whatever its pid here", () => {
    const blue = { ...me, namespace: "blue", pid: 150 };
    const elsewhere = { ...me, host: "h2", pid: 150 };
    expect(decideLease(blue, me, dead)).toEqual({ kind: "held", holder: blue });
    expect(decideLease(elsewhere, me, dead)).toEqual({ kind: "held", holder: elsewhere });
  });

  test("the key is a SHA-256 of the identity: stable, different per account, never the key itself", () => {
    const k = accountKey(["bingx", "https://open-api-vst.bingx.com", "KEY-0001"]);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(k).toBe(accountKey(["bingx", "https://open-api-vst.bingx.com", "KEY-0001"]));
    expect(k).not.toBe(accountKey(["bingx", "https://open-api.bingx.com", "KEY-0001"]));
    expect(k).not.toContain("KEY-0001");
    expect(() => accountKey(["a\nb"])).toThrow("Invariant");
  });

  test("pid liveness: this process is alive, a pid that cannot exist is not", () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(2 ** 22 + 1)).toBe(false);
    expect(pidAlive(0)).toBe(false);
  });
});
