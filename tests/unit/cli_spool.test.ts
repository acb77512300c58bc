/**
 * `dita-v2 spool DIR`: the operator's way to read what the local sink holds (the destination of a serve
 * with neither Hazelcast nor ClickHouse), sealed files and active file together, without TypeScript:
 * a summary, `--json`, `--export jsonl` (every stored value in order, `--kind` to keep some) and
 * `--export rows --kind K` (one record kind's rows: JSONEachRow for its ClickHouse table). Every option
 * that would do nothing, and every bad value, is refused (exit 2) before anything is read; a directory
 * without a local spool exits 1; unreadable bytes are said on stderr, never silently dropped.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spoolCommand } from "../../src/cli/spool.ts";
import { LocalSpoolSink, type OutRecord, readLocalSpool } from "../../src/projection/index.ts";
import { cliRefusal, runCli, spawnCli } from "../_support/cli.ts";
import { tempDirsPerTest } from "../_support/runtime.ts";

const dir = tempDirsPerTest("cli-spool-");

const trade = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:T${i}:OPEN`, strategy: "pink", n: i, pad: "x".repeat(200) },
});
const diagnostic = (i: number): OutRecord => ({
  kind: "diagnostic",
  row: { row_id: `pink:run:D${i}`, strategy: "pink", code: "RATE_LIMITED", n: i },
});

/** A state directory whose local sink sealed twice or more: 300 trades, 30 diagnostics, marks on 2 slots. */
async function stateDir(): Promise<{ state: string; spool: string }> {
  const state = dir();
  const spool = join(state, "spool");
  const sink = new LocalSpoolSink(spool, () => {}, undefined, { segmentBytes: 16 * 1024, keep: 100 });
  for (let r = 0; r < 30; r++) {
    await sink.writeMaps(
      ["0", "1"].map((key) => ({ map: "DOLPHIN_STATE_PINK", key, value: { slot: key, round: r }, version: r })),
    );
    await sink.writeRecords([...Array.from({ length: 10 }, (_, k) => trade(10 * r + k)), diagnostic(r)]);
  }
  await sink.close();
  return { state, spool };
}

const lines = (s: string) =>
  s
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("dita-v2 spool reads the local sink", () => {
  test("the summary: files, records by kind, map writes and the keys they hold (state dir or spool dir alike)", async () => {
    const { state, spool } = await stateDir();
    const r = await runCli(spoolCommand, [state, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.spool_dir).toBe(spool);
    expect(doc.files.length).toBeGreaterThan(2); // sealed files, then local.spool
    expect(doc.files.at(-1).file).toBe(join(spool, "local.spool"));
    expect(doc.records).toEqual({ trade_event: 300, topic_event: 0, transition: 0, diagnostic: 30, control_change: 0 });
    expect(doc.map_keys).toEqual({ DOLPHIN_STATE_PINK: 2 });
    expect(doc.skipped_bytes).toBe(0);
    const text = await runCli(spoolCommand, [spool]);
    expect(text.stdout).toContain("records: 300 trade_event · 0 topic_event · 0 transition · 30 diagnostic");
    expect(text.stdout).toContain("keys in 1 maps");
  });

  test("--export jsonl: every stored value in order, as readLocalSpool reads it; --kind keeps the kinds named", async () => {
    const { state, spool } = await stateDir();
    const all = await runCli(spoolCommand, [state, "--export", "jsonl"]);
    expect(lines(all.stdout)).toEqual(readLocalSpool(spool).values as Record<string, unknown>[]);
    const maps = lines((await runCli(spoolCommand, [state, "--export", "jsonl", "--kind", "map"])).stdout);
    expect(new Set(maps.map((v) => v.kind))).toEqual(new Set(["map"]));
    expect(maps.filter((v) => v.key === "1").at(-1)).toMatchObject({ value: { round: 29 } }); // latest last
  });

  test("--export rows --kind trade_event: the rows alone, each once, in order (JSONEachRow)", async () => {
    const { state } = await stateDir();
    const rows = lines((await runCli(spoolCommand, [state, "--export", "rows", "--kind", "trade_event"])).stdout);
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(rows[0]).toEqual(trade(0).row);
  });

  test("--export rows prints a row written again under its id once (a restart re-projects an open position's OPEN row)", async () => {
    // Found by an audit: piped into clickhouse-client, the repeated row double-counted until a merge.
    const { state, spool } = await stateDir();
    const sink = new LocalSpoolSink(spool, () => {}, undefined, { segmentBytes: 16 * 1024, keep: 100 });
    await sink.writeRecords([trade(7), trade(300), trade(0)]); // the next run: two again, one new
    await sink.close();
    const rows = lines((await runCli(spoolCommand, [state, "--export", "rows", "--kind", "trade_event"])).stdout);
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 301 }, (_, i) => i));
    const all = lines((await runCli(spoolCommand, [state, "--export", "jsonl", "--kind", "trade_event"])).stdout);
    expect(all).toHaveLength(303); // jsonl: every value as stored
  });

  test("options that would do nothing and bad values are refused (exit 2) before anything is read", async () => {
    const { state } = await stateDir();
    for (const [args, says] of [
      [[state, "--kind", "map"], "spool: --kind goes with --export"],
      [[state, "--export", "csv"], "spool: --export takes jsonl or rows, got 'csv'"],
      [[state, "--export", "rows"], "spool: --export rows takes one record kind"],
      [[state, "--export", "rows", "--kind", "map"], "spool: --export rows takes one record kind"],
      [[state, "--export", "rows", "--kind", "trade_event,diagnostic"], "spool: --export rows takes one record kind"],
      [[state, "--export", "jsonl", "--kind", "trades"], "spool: --kind takes trade_event, topic_event"],
      [[state, "--export", "jsonl", "--json"], "spool: give one of --export, --json"],
      [[join(state, "nope")], "is not a directory"],
      [["  "], "spool: DIR is empty"],
    ] as const) {
      const r = await cliRefusal(spoolCommand, [...args]);
      expect([args, r.code, r.message.includes(says)]).toEqual([args, 2, true]);
    }
  });

  test("a directory without a local spool exits 1 naming where a server sink's backlog is seen", async () => {
    const empty = dir();
    mkdirSync(join(empty, "spool"));
    writeFileSync(join(empty, "spool", "clickhouse.spool"), "");
    const r = await cliRefusal(spoolCommand, [empty]);
    expect(r.code).toBe(1);
    expect(r.message).toContain("holds no local spool");
    expect(r.message).toContain("dita-v2 status");
  });

  test("through the entry point: unreadable bytes are said on stderr and the readable rows still printed (exit 0)", async () => {
    const { state, spool } = await stateDir();
    writeFileSync(join(spool, "local.spool"), new Uint8Array([0x44, 0x53, 0x52, 0x31, 9, 9, 9]), { flag: "a" });
    const r = spawnCli(["spool", state, "--export", "rows", "--kind", "diagnostic"], { timeout: 30_000 });
    expect(r.code).toBe(0);
    expect(lines(r.stdout).length).toBe(30);
    expect(r.stderr).toBe("warning: 7 bytes skipped (corrupt, or a frame being written by a running serve)\n");
  });
});
