/**
 * `dita-v2 fleet` prints what any client of the cluster wrote: a field holding a newline must not
 * forge a row of the table an operator trusts, an escape sequence must not reach the terminal, and a
 * huge string must not blow up every row's width. Every kernel, malformed entry and finding is one
 * line, control characters shown escaped, long values cut.
 */
import { describe, expect, test } from "bun:test";
import { checklistLines, fleetReport } from "../../src/cli/_fleet_text.ts";
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
    http_url: "http://127.0.0.1:7000",
    state_dir: `/srv/${ns}`,
    zinc_prefix: null,
    clickhouse_database: null,
    hazelcast_cluster: "dita",
  },
});

async function listing(rows: [string, string][]) {
  const map = { entrySet: async () => rows };
  const client = { getMap: async () => map } as unknown as Parameters<typeof readFleet>[0];
  return readFleet(client, () => 11_000);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe("dita-v2 fleet with hostile field values", () => {
  test("a newline or an escape sequence in a field neither forges a row nor reaches the terminal", async () => {
    const f = await listing([
      [
        "pink",
        JSON.stringify({
          ...entry("pink", 1),
          host: "h1\u001b[2J",
          health: { ok: false, reasons: ["x\nblue       ok  h9"] },
        }),
      ],
      ["bl\nue", JSON.stringify(entry("bl\nue", 2))],
      ["green", JSON.stringify({ ...entry("green", 3), host: "h\n2", venue: "BINGX" })],
      ["teal", JSON.stringify({ ...entry("teal", 4), host: "h\n2" })],
    ]);
    const r = fleetReport(f, false);
    for (const line of [...r.lines, ...r.warnings]) expect(line).not.toMatch(CONTROL);
    expect(r.lines.filter((l) => /^blue\s/.test(l))).toHaveLength(0); // no forged row
    expect(r.lines.some((l) => l.startsWith("pink ") && l.includes("h1\\u001b[2J") && l.includes("x\\nblue"))).toBe(
      true,
    );
    expect(r.lines).toContain('malformed entry: DITA_V2_FLEET[bl\\nue]: namespace "bl\\nue"');
  });

  test("a huge string is cut, not padded into every row", async () => {
    const f = await listing([
      ["pink", JSON.stringify({ ...entry("pink", 1), host: "h".repeat(1_000_000) })],
      ["blue", JSON.stringify(entry("blue", 2))],
      ["green", JSON.stringify({ ...entry("green", 3), lease: "x".repeat(1_000_000) })],
    ]);
    const r = fleetReport(f, false);
    for (const line of r.lines) expect(line.length).toBeLessThan(2_000);
    expect(r.lines.some((l) => l.startsWith("malformed entry: DITA_V2_FLEET[green]: lease"))).toBe(true);
  });

  test("checklist details are one line each too", () => {
    const lines = checklistLines([
      { n: 6, assertion: "a", method: "m", verdict: "FAIL", detail: "pink: host h1\nok" } as never,
    ]);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toMatch(CONTROL);
  });
});
