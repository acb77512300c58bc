/**
 * Malformed fleet entries are never a healthy fleet: `dita-v2 fleet` still lists every good kernel,
 * names each malformed entry by its key on a line of its own, and exits 1 (not 0), in the table and
 * in --json, even when every kernel read is ok or none was.
 */
import { describe, expect, test } from "bun:test";
import { fleetReport } from "../../src/cli/_fleet_text.ts";
import { type FleetEntry, readFleet } from "../../src/fleet/index.ts";

const entry = (ns: string, pid: number): FleetEntry => ({
  namespace: ns,
  host: "h1",
  pid,
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
    http_url: `http://127.0.0.1:${7000 + pid}`,
    state_dir: `/srv/${ns}`,
    zinc_prefix: `dita_v2_${ns}`,
    clickhouse_database: "dita",
    hazelcast_cluster: "dita",
  },
});

/** The listing a client reads from a map holding exactly `rows` (key → stored JSON text). */
async function listing(rows: [string, string][]) {
  const map = { entrySet: async () => rows };
  const client = { getMap: async () => map } as unknown as Parameters<typeof readFleet>[0];
  return readFleet(client, () => 11_000);
}

describe("dita-v2 fleet with malformed entries", () => {
  test("good kernels are listed, each malformed entry is named by key on its own line, and the exit is 1", async () => {
    const f = await listing([
      ["pink", JSON.stringify(entry("pink", 100))],
      ["blue", JSON.stringify({ ...entry("blue", 101), pid: "x" })],
      ["green", JSON.stringify(entry("green", 102))],
    ]);
    expect(f.kernels.map((k) => [k.namespace, k.state])).toEqual([
      ["green", "ok"],
      ["pink", "ok"],
    ]);
    const r = fleetReport(f, false);
    expect(r.exitCode).toBe(1);
    expect(r.lines.filter((l) => /^(green|pink)\s+ok\s/.test(l))).toHaveLength(2);
    expect(r.lines).toContain("malformed entry: DITA_V2_FLEET[blue]: pid is not a non-negative integer");
    expect(r.lines.at(-1)).toBe("2 kernel(s): 2 ok, 0 stale, 0 unhealthy; 1 malformed entry");
  });

  test("--json: the same listing (good kernels and the malformed line) and the same exit 1", async () => {
    const f = await listing([
      ["pink", JSON.stringify(entry("pink", 100))],
      ["blue", "{not json"],
    ]);
    const r = fleetReport(f, true);
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.lines.join("\n"));
    expect(doc.kernels.map((k: FleetEntry) => k.namespace)).toEqual(["pink"]);
    expect(doc.malformed).toEqual(["DITA_V2_FLEET[blue]: not JSON"]);
  });

  test("only malformed entries (no kernel parsed) is not a healthy fleet either: exit 1", async () => {
    const r = fleetReport(await listing([["pink", "[]"]]), false);
    expect(r.exitCode).toBe(1);
    expect(r.lines).toContain("malformed entry: DITA_V2_FLEET[pink]: not a JSON object");
  });

  test("every kernel ok and nothing malformed: exit 0 (an empty fleet too)", async () => {
    expect(fleetReport(await listing([["pink", JSON.stringify(entry("pink", 100))]]), false).exitCode).toBe(0);
    const empty = fleetReport(await listing([]), false);
    expect([empty.exitCode, empty.lines.at(-1)]).toEqual([0, "0 kernel(s): 0 ok, 0 stale, 0 unhealthy"]);
  });
});
