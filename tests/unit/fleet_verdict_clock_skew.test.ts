/**
 * The reader's verdict on a fleet entry (src/fleet/entry.ts `kernelVerdict`) at its boundaries:
 * exactly two intervals old is still ok, one millisecond more is stale; a heartbeat stamped further
 * in the future than one interval (the writer's clock ahead of the reader's) is not judged ok: its
 * age cannot be known, and a kernel that stopped beating would be listed ok until its entry expired.
 */
import { describe, expect, test } from "bun:test";
import { type FleetEntry, kernelVerdict } from "../../src/fleet/index.ts";

const H = 5_000;
function entry(heartbeatAtMs: number, over: Partial<FleetEntry> = {}): FleetEntry {
  return {
    namespace: "blue",
    host: "h2",
    pid: 42,
    version: "0.1.0",
    run: "0123456789abcdef",
    health: { ok: true, reasons: [] },
    trading_state: "ACTIVE",
    slots_in_use: 0,
    slot_count: 8,
    last_input_ms: null,
    projection_backlog: 0,
    started_at_ms: 1,
    heartbeat_at_ms: heartbeatAtMs,
    heartbeat_ms: H,
    ttl_ms: 3 * H,
    venue: "BINGX",
    account: "3fa1c2d40a9e7b11",
    lease: "held",
    identity: {
      http_url: "http://127.0.0.1:7002",
      state_dir: "/srv/blue",
      zinc_prefix: null,
      clickhouse_database: null,
      hazelcast_cluster: "dita",
    },
    ...over,
  };
}

const NOW = 1_000_000;

describe("kernelVerdict at its boundaries", () => {
  test("exactly two intervals old is ok; one ms more is stale", () => {
    expect(kernelVerdict(entry(NOW - 2 * H), NOW).state).toBe("ok");
    expect(kernelVerdict(entry(NOW - 2 * H - 1), NOW)).toMatchObject({ state: "stale", age_ms: 2 * H + 1 });
  });

  test("a heartbeat up to one interval in the future (small skew) is ok", () => {
    expect(kernelVerdict(entry(NOW + H), NOW)).toMatchObject({ state: "ok", age_ms: -H });
  });

  test("a heartbeat more than one interval in the future is stale, saying the clocks disagree", () => {
    // The writer's clock ten minutes ahead: a kernel that stopped beating 2.5 intervals ago (by its
    // own clock) would otherwise be listed ok for its whole time to live.
    const skew = 600_000;
    const v = kernelVerdict(entry(NOW + skew - 2.5 * H), NOW);
    expect(v.state).toBe("stale");
    expect(v.why).toContain("in the future");
    expect(kernelVerdict(entry(NOW + H + 1), NOW).state).toBe("stale");
  });

  test("stale wins over unhealthy; a fresh unhealthy one says why", () => {
    expect(kernelVerdict(entry(NOW - 3 * H, { lease: "lost" }), NOW).state).toBe("stale");
    expect(kernelVerdict(entry(NOW, { health: { ok: false, reasons: ["x", "y"] } }), NOW)).toMatchObject({
      state: "unhealthy",
      why: "x; y",
    });
  });
});
