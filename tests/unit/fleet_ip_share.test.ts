/**
 * `dita-v2 fleet` and DITA_V2_BINGX_IP_SHARE: BingX limits requests per IP, so a host running more
 * BingX kernels than one of them declares in its share budgets for fewer clients than send from
 * its IP. Each such host is one line, and the exit is 1 (like a malformed entry). An entry written
 * before the field existed (no ip_share) reads as share 1; a MOCK kernel is no BingX client.
 */
import { describe, expect, test } from "bun:test";
import { fleetReport } from "../../src/cli/_fleet_text.ts";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type FleetEntry, ipShareFindings, parseFleetEntry, readFleet } from "../../src/fleet/index.ts";
import type { RuntimeConfig } from "../../src/launcher/config.ts";
import { ipShareOf } from "../../src/launcher/fleet_member.ts";

const entry = (ns: string, host: string, ipShare?: number, venue = "BINGX"): FleetEntry => ({
  namespace: ns,
  host,
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
  venue,
  account: "00112233445566ff",
  lease: "held",
  identity: {
    http_url: "http://127.0.0.1:7001",
    state_dir: `/srv/${ns}`,
    zinc_prefix: `dita_v2_${ns}`,
    clickhouse_database: "dita",
    hazelcast_cluster: "dita",
  },
  ...(ipShare === undefined ? {} : { ip_share: ipShare }),
});

async function listing(entries: FleetEntry[]) {
  const map = { entrySet: async () => entries.map((e) => [e.namespace, JSON.stringify(e)]) };
  const client = { getMap: async () => map } as unknown as Parameters<typeof readFleet>[0];
  return readFleet(client, () => 11_000);
}

describe("hosts whose BingX kernels under-declare DITA_V2_BINGX_IP_SHARE", () => {
  test("three BingX kernels on h1, two of them at share 1: one line naming them, exit 1", async () => {
    const f = await listing([entry("pink_a", "h1", 1), entry("pink_b", "h1"), entry("pink_c", "h1", 3)]);
    const line =
      "host h1: 3 BingX kernels share its IP but DITA_V2_BINGX_IP_SHARE=1 on pink_a, pink_b: each budgets BingX's per-IP limits as if alone";
    expect(f.malformed).toEqual([]);
    expect(ipShareFindings(f.kernels)).toEqual([line]);
    const r = fleetReport(f, false);
    expect(r.exitCode).toBe(1);
    expect(r.lines).toContain(line);
    expect(r.lines.filter((l) => /^pink_[abc]\s+ok\s/.test(l))).toHaveLength(3);
    const json = fleetReport(f, true);
    expect([json.exitCode, json.warnings]).toEqual([1, [line]]);
    expect(JSON.parse(json.lines[0]!).kernels.map((k: FleetEntry) => k.ip_share)).toEqual([1, undefined, 3]);
  });

  test("every kernel declaring at least the number of BingX kernels on its host: no finding, exit 0", async () => {
    const f = await listing([entry("a", "h1", 2), entry("b", "h1", 3), entry("c", "h2"), entry("d", "h3", 1)]);
    expect(ipShareFindings(f.kernels)).toEqual([]);
    expect(fleetReport(f, false).exitCode).toBe(0);
  });

  test("an entry written before ip_share existed reads as share 1: two such kernels on one host are a finding", async () => {
    const f = await listing([entry("blue", "h2"), entry("green", "h2")]);
    expect(f.malformed).toEqual([]);
    expect(ipShareFindings(f.kernels)).toEqual([
      "host h2: 2 BingX kernels share its IP but DITA_V2_BINGX_IP_SHARE=1 on blue, green: each budgets BingX's per-IP limits as if alone",
    ]);
  });

  test("shares above 1 but below the count are named by value; MOCK kernels do not count; one line per host", () => {
    const ks = [
      entry("a", "h1", 2),
      entry("b", "h1", 1),
      entry("c", "h1", 4),
      entry("m", "h1", undefined, "MOCK"),
      entry("x", "h0", 1),
      entry("y", "h0", 1),
    ];
    expect(ipShareFindings(ks)).toEqual([
      "host h0: 2 BingX kernels share its IP but DITA_V2_BINGX_IP_SHARE=1 on x, y: each budgets BingX's per-IP limits as if alone",
      "host h1: 3 BingX kernels share its IP but DITA_V2_BINGX_IP_SHARE=1 on b; =2 on a: each budgets BingX's per-IP limits as if fewer clients shared its IP",
    ]);
    expect(ipShareFindings([entry("m1", "h1", undefined, "MOCK"), entry("m2", "h1", undefined, "MOCK")])).toEqual([]);
  });

  test("an ip_share outside 1..64 makes the entry malformed, named by key", () => {
    for (const bad of [0, 65, 1.5, "2"]) {
      const p = parseFleetEntry("pink", { ...entry("pink", "h1"), ip_share: bad });
      expect(p).toEqual({ ok: false, error: expect.stringMatching(/^DITA_V2_FLEET\[pink\]: ip_share: /) });
    }
    expect(parseFleetEntry("pink", { ...entry("pink", "h1"), ip_share: 64 }).ok).toBe(true);
  });
});

describe("the share a kernel writes into its fleet entry", () => {
  const env = { BINGX_API_KEY: "key0123456789", BINGX_API_SECRET: "secret0123456789" };
  const clock = new ManualClock();
  test("a BINGX kernel writes its DITA_V2_BINGX_IP_SHARE (default 1); a MOCK kernel writes none", () => {
    const bingx = { venue: "BINGX" } as RuntimeConfig;
    expect(ipShareOf(bingx, { ...env, DITA_V2_BINGX_IP_SHARE: "3" }, clock)).toBe(3);
    expect(ipShareOf(bingx, env, clock)).toBe(1);
    expect(ipShareOf({ venue: "MOCK" } as RuntimeConfig, env, clock)).toBeUndefined();
    expect(() => ipShareOf(bingx, { ...env, DITA_V2_BINGX_IP_SHARE: "0" }, clock)).toThrow("DITA_V2_BINGX_IP_SHARE");
  });
});
