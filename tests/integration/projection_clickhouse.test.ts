/**
 * ClickHouseSink against a real ClickHouse 18.16 (started for this file, stopped in afterAll):
 * trade_events / dita_v2_transitions / dita_v2_diagnostics rows field by field, the documented
 * timeline query, idempotent replays (each row id once in the raw table, no FINAL), two runs with
 * the same journal seqs keeping every row, the server killed mid-run with rows counted exactly,
 * control snapshots as rows of dita_v2_control, the v1 → v2 → v3 schema migration, schema-version refusal, bad configuration, and a URL with a
 * password (it authenticates; stats and errors show it masked).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import {
  createProjection,
  type Projection,
  type ProjectionDiagnostic,
  SCHEMA_VERSION,
} from "../../src/projection/index.ts";
import { type ClickHouseService, freePort, startClickHouse } from "./_services.ts";
import { control, TradeScript, wholeTrade } from "./projection_fixtures.ts";

let ch: ClickHouseService;
let q: ClickHouseClient;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  ch = await startClickHouse({ user: { name: "dita", password: "Pw-9f3c-SECRET" } });
  q = createClient({ url: ch.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
}, 120_000);
afterAll(async () => {
  await q?.close();
  await ch?.destroy();
}, 60_000);
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function project(
  database: string,
  opts: {
    diags?: ProjectionDiagnostic[];
    required?: boolean;
    url?: string;
    stateDir?: string;
    run?: string;
    batchMax?: number;
  } = {},
): Promise<Projection> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "proj-ch-"));
  const p = await createProjection({
    run: opts.run ?? "t1",
    strategy: "pink",
    stateDir,
    clock: new ManualClock(),
    clickhouse: { url: opts.url ?? ch.url, database },
    required: opts.required ?? true,
    onDiagnostic: (d) => opts.diags?.push(d),
    tuning: { delayMs: 2, retryMinMs: 50, retryMaxMs: 300, requestTimeoutMs: 3_000, batchMax: opts.batchMax },
  });
  cleanups.push(async () => {
    await p.close();
    if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
  });
  return p;
}
async function rows<T = Record<string, unknown>>(query: string): Promise<T[]> {
  return (await q.query({ query, format: "JSONEachRow" })).json<T>();
}
const count = async (sql: string) => Number((await rows<{ n: string }>(sql))[0]!.n);
const debugScript = () => {
  const k = new TradeScript();
  k.ctl = control({ mode: "DEBUG", debug_clickhouse_enabled: true });
  return k;
};
const diag = (seq: number): DiagnosticRecord => ({
  code: "HUNG_ORDER",
  severity: "WARNING",
  slot_id: 0,
  message: "entry order hung",
  details: { stage: "ENTRY_WORKING" },
  input_index: 0,
  now_ms: 1_700_000_000_500 + seq,
});

describe("ClickHouseSink with a live 18.16 server", () => {
  test("a whole trade in DEBUG writes lifecycle rows, every transition and the diagnostics, field by field", async () => {
    const p = await project("it_trade");
    const k = debugScript();
    const outs = wholeTrade(k, 2, "TC1");
    outs[1] = { ...outs[1]!, diagnostics: [diag(2)] };
    for (const o of outs) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    const ev = await rows("SELECT * FROM it_trade.trade_events ORDER BY seq");
    expect(ev.map((r) => r.event_type)).toEqual(["OPEN", "PARTIAL_EXIT", "PARTIAL_EXIT", "CLOSE"]);
    expect(ev[3]).toEqual({
      row_id: "pink:TC1:CLOSE",
      strategy: "pink",
      run: "t1",
      seq: "12",
      event_type: "CLOSE",
      trade_id: "TC1",
      slot_id: 2,
      asset: "BTC-USDT",
      side: "LONG",
      leverage: 5,
      leg: 2,
      entry_price: 101,
      exit_price: 99,
      fill_size: 0.5,
      position_size: 0,
      realized_pnl: 7,
      unrealized_pnl: 0,
      fees: k.slot(2).fees,
      capital: k.account.capital,
      equity: k.account.equity,
      trade_seq: "1",
      exit_reason: "SL",
      version: "12",
      now_ms: String(k.slot(2).updated_at_ms),
    });
    const tr = await rows("SELECT * FROM it_trade.dita_v2_transitions WHERE slot_id = 2 ORDER BY seq, input_index");
    expect(tr).toHaveLength(11); // 12 inputs, the mark has no transition
    expect(tr[0]).toMatchObject({
      row_id: "pink:t1:1:T0",
      run: "t1",
      seq: "1",
      from_stage: "IDLE",
      to_stage: "ENTRY_WORKING",
      trigger: "ENTER",
      fsm_row: 1,
      trade_id: "TC1",
      entry_status: "PENDING_SUBMIT",
    });
    expect(tr.at(-1)).toMatchObject({
      from_stage: "EXIT_WORKING",
      to_stage: "CLOSED",
      trigger: "FULL_FILL",
      size: 0,
      realized_pnl: 7,
      exit_status: "FILLED",
      exit_filled: 1,
    });
    const dg = await rows("SELECT * FROM it_trade.dita_v2_diagnostics");
    expect(dg).toEqual([
      {
        row_id: "pink:t1:2:D0",
        strategy: "pink",
        run: "t1",
        seq: "2",
        input_index: 0,
        code: "HUNG_ORDER",
        severity: "WARNING",
        slot_id: 0,
        message: "entry order hung",
        details: '{"stage":"ENTRY_WORKING"}',
        now_ms: "1700000000502",
      },
    ]);
    expect(await rows("SELECT component, version FROM it_trade.dita_v2_schema")).toEqual([
      { component: "projection", version: SCHEMA_VERSION },
    ]);
  }, 30_000);

  test("in NORMAL mode transitions are not journaled", async () => {
    const p = await project("it_normal");
    for (const o of wholeTrade(new TradeScript(), 0, "TN1")) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    expect(await count("SELECT count() AS n FROM it_normal.dita_v2_transitions")).toBe(0);
    expect(await count("SELECT count() AS n FROM it_normal.trade_events")).toBe(4);
  }, 30_000);

  test("every control snapshot (each accepted change) is one row in dita_v2_control, the trading state as a column", async () => {
    const p = await project("it_control", { run: "c1" });
    const c1 = control({ version: 1 });
    p.onControl(c1);
    p.onControl(control({ version: 2, trading_state: "HALTED", max_leverage: 5 }));
    p.onControl(control({ version: 2, trading_state: "HALTED", max_leverage: 5 })); // the same version again: no row
    expect(await p.flush(5_000)).toBe(true);
    const got = await rows<{ row_id: string; version: string; trading_state: string; snapshot: string }>(
      "SELECT row_id, version, trading_state, snapshot FROM it_control.dita_v2_control ORDER BY version",
    );
    expect(got.map((r) => [r.row_id, Number(r.version), r.trading_state])).toEqual([
      ["pink:c1:C1", 1, "ACTIVE"],
      ["pink:c1:C2", 2, "HALTED"],
    ]);
    expect(JSON.parse(got[1]!.snapshot)).toMatchObject({ max_leverage: 5, trading_state: "HALTED" });
  });

  test("the README timeline query rebuilds one slot's transitions in order", async () => {
    const p = await project("it_timeline");
    const k = debugScript();
    for (const o of [...wholeTrade(k, 0, "TT1"), ...wholeTrade(k, 1, "TT2")]) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    const timeline = await rows<{
      trigger: string;
      to_stage: string;
    }>(`SELECT seq, now_ms, from_stage, to_stage, trigger, version, size, realized_pnl
      FROM it_timeline.dita_v2_transitions WHERE strategy = 'pink' AND slot_id = 1 ORDER BY now_ms, run, seq, input_index`);
    expect(timeline.map((r) => `${r.trigger}>${r.to_stage}`)).toEqual([
      "ENTER>ENTRY_WORKING",
      "ACK>ENTRY_WORKING",
      "PARTIAL_FILL>ENTRY_WORKING",
      "FULL_FILL>POSITION_OPEN",
      "EXIT>EXIT_WORKING",
      "ACK>EXIT_WORKING",
      "FULL_FILL>POSITION_OPEN",
      "EXIT>EXIT_WORKING",
      "ACK>EXIT_WORKING",
      "PARTIAL_FILL>EXIT_WORKING",
      "FULL_FILL>CLOSED",
    ]);
  }, 30_000);

  test("replaying the same outcomes (a second process, same run and journal) adds no row to the raw tables", async () => {
    const outs = wholeTrade(debugScript(), 0, "TR1");
    const duplicates: number[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const p = await project("it_replay");
      for (const o of outs) p.onOutcome(o);
      expect(await p.flush(10_000)).toBe(true);
      duplicates.push(p.stats().sinks[0]!.records_duplicate);
    }
    expect(duplicates).toEqual([0, 11 + 4 + 1]); // the second pass found every row stored (and the control row)
    expect(await count("SELECT count() AS n FROM it_replay.dita_v2_transitions")).toBe(11); // raw, no FINAL
    expect(await count("SELECT count() AS n FROM it_replay.trade_events")).toBe(4);
  }, 30_000);

  test("a batch of 2500 rows is looked up in several queries; sent again, all 2500 are found and none inserted", async () => {
    const many = Array.from({ length: 2500 }, (_, i) => ({ ...diag(1), message: `m${i}`, input_index: 0 }));
    const written: number[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const p = await project("it_big", { batchMax: 5000 });
      p.onOutcome({ ...debugScript().enter(0, "TB1", 1), diagnostics: many });
      expect(await p.flush(20_000)).toBe(true);
      const st = p.stats().sinks[0]!;
      written.push(st.records_written - st.records_duplicate);
    }
    expect(written).toEqual([2500 + 1 + 1, 0]); // the diagnostics, the ENTER transition, the control row; then nothing
    expect(await count("SELECT count() AS n FROM it_big.dita_v2_diagnostics")).toBe(2500);
  }, 60_000);

  test("two runs whose journal seqs coincide keep every transition and diagnostic of both (row ids carry the run)", async () => {
    for (const run of ["runa", "runb"]) {
      const p = await project("it_runs", { run });
      const outs = wholeTrade(debugScript(), 0, `TW${run}`);
      outs[1] = { ...outs[1]!, diagnostics: [diag(2)] };
      for (const o of outs) p.onOutcome(o); // both runs number their inputs 1..12
      expect(await p.flush(10_000)).toBe(true);
    }
    expect(await count("SELECT count() AS n FROM it_runs.dita_v2_transitions")).toBe(2 * 11);
    expect(await count("SELECT uniqExact(row_id) AS n FROM it_runs.dita_v2_transitions")).toBe(2 * 11);
    const dg = await rows<{ row_id: string; run: string }>(
      "SELECT row_id, run FROM it_runs.dita_v2_diagnostics ORDER BY row_id",
    );
    expect(dg).toEqual([
      { row_id: "pink:runa:2:D0", run: "runa" },
      { row_id: "pink:runb:2:D0", run: "runb" },
    ]);
    expect(await count("SELECT count() AS n FROM it_runs.trade_events")).toBe(2 * 4);
  }, 30_000);

  test("a v1 database (no run column) is migrated to v2 in place and keeps its rows", async () => {
    const db = "it_v1";
    await q.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await q.command({
      query: `CREATE TABLE ${db}.dita_v2_schema (component String, version UInt32, applied_at_ms UInt64) ENGINE = MergeTree() ORDER BY (component, version)`,
    });
    await q.insert({
      table: `${db}.dita_v2_schema`,
      values: [{ component: "projection", version: 1, applied_at_ms: 1 }],
      format: "JSONEachRow",
    });
    await q.command({
      query: `CREATE TABLE ${db}.dita_v2_diagnostics (row_id String, strategy String, seq UInt64, input_index UInt32, code String, severity String, slot_id Nullable(Int32), message String, details String, now_ms UInt64) ENGINE = ReplacingMergeTree() ORDER BY (strategy, row_id)`,
    });
    await q.insert({
      table: `${db}.dita_v2_diagnostics`,
      values: [
        {
          row_id: "pink:7:D0",
          strategy: "pink",
          seq: 7,
          input_index: 0,
          code: "HUNG_ORDER",
          severity: "WARNING",
          slot_id: 0,
          message: "old",
          details: "{}",
          now_ms: 1,
        },
      ],
      format: "JSONEachRow",
    });
    const p = await project(db);
    p.onOutcome({ ...debugScript().enter(0, "TV1", 1), diagnostics: [diag(1)] });
    expect(await p.flush(10_000)).toBe(true);
    expect(await rows(`SELECT row_id, run, message FROM ${db}.dita_v2_diagnostics ORDER BY row_id`)).toEqual([
      { row_id: "pink:7:D0", run: "", message: "old" },
      { row_id: "pink:t1:1:D0", run: "t1", message: "entry order hung" },
    ]);
    expect(await rows(`SELECT version FROM ${db}.dita_v2_schema ORDER BY version`)).toEqual([
      { version: 1 },
      { version: SCHEMA_VERSION },
    ]);
  }, 30_000);

  test("server killed mid-run: the projection spools, and after restart every row arrives exactly once", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const p = await project("it_kill", { diags });
    const k = debugScript();
    for (let s = 0; s < 3; s++) for (const o of wholeTrade(k, s, `TK${s}`)) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    await ch.kill();
    for (let s = 3; s < 8; s++) for (const o of wholeTrade(k, s, `TK${s}`)) p.onOutcome(o);
    expect(await p.flush(1_000)).toBe(false);
    expect(p.stats().sinks[0]).toMatchObject({ up: false, backlog_records: 5 * (4 + 11) });
    await ch.restart();
    expect(await p.flush(30_000)).toBe(true);
    expect(diags.map((d) => d.code)).toEqual(["SINK_DOWN", "SINK_UP"]);
    expect(await count("SELECT count() AS n FROM it_kill.dita_v2_transitions")).toBe(8 * 11); // raw: nothing twice
    expect(await count("SELECT uniqExact(row_id) AS n FROM it_kill.dita_v2_transitions")).toBe(8 * 11);
    expect(await count("SELECT count() AS n FROM it_kill.trade_events")).toBe(8 * 4);
  }, 90_000);

  test("a schema newer than this binary is refused with one line; degraded when not required", async () => {
    await q.command({ query: "CREATE DATABASE IF NOT EXISTS it_newer" });
    await q.command({
      query:
        "CREATE TABLE it_newer.dita_v2_schema (component String, version UInt32, applied_at_ms UInt64) ENGINE = MergeTree() ORDER BY (component, version)",
    });
    await q.insert({
      table: "it_newer.dita_v2_schema",
      values: [{ component: "projection", version: SCHEMA_VERSION + 1, applied_at_ms: 1 }],
      format: "JSONEachRow",
    });
    const err = await project("it_newer").catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      `projection: clickhouse sink: schema version ${SCHEMA_VERSION + 1} in it_newer.dita_v2_schema is newer than this binary's ${SCHEMA_VERSION}; refusing to write (upgrade dita-v2)`,
    );
    const diags: ProjectionDiagnostic[] = [];
    const p = await project("it_newer", { diags, required: false });
    expect(p.stats().degraded).toBe(true);
    expect(diags[0]).toMatchObject({ code: "SINK_DEGRADED", sink: "clickhouse" });
  }, 30_000);

  test("a URL with user:password authenticates, and the password appears in no stat, error or diagnostic", async () => {
    const password = "Pw-9f3c-SECRET";
    const good = ch.userUrl!;
    const user = new URL(good).username;
    expect(good).toContain(`:${password}@`);
    const p = await project("it_auth", { url: good });
    p.onOutcome({ ...debugScript().enter(0, "TA1", 1), diagnostics: [diag(1)] });
    expect(await p.flush(10_000)).toBe(true);
    expect(await count("SELECT count() AS n FROM it_auth.dita_v2_diagnostics")).toBe(1);
    expect(p.stats().sinks[0]!.address).toBe(good.replace(password, "***"));
    const diags: ProjectionDiagnostic[] = [];
    const wrong = good.replace(password, `${password}-wrong`);
    const err = (await project("it_auth", { url: wrong }).catch((e: Error) => e)) as Error;
    expect(err.message).toStartWith(`projection: clickhouse sink: `);
    expect(err.message).toContain(`http://${user}:***@`);
    const degraded = await project("it_auth", { url: wrong, required: false, diags });
    degraded.onOutcome({ ...debugScript().enter(1, "TA2", 1), diagnostics: [diag(1)] });
    expect(await degraded.flush(500)).toBe(false);
    const seen = JSON.stringify([err.message, diags, degraded.stats()]);
    expect(diags.map((d) => d.code)).toContain("SINK_DEGRADED");
    expect(seen).not.toContain(password);
  }, 30_000);

  test("an unreachable server is one clear line naming the sink and address when required", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(project("it_bad", { url })).rejects.toThrow(
      new RegExp(`^projection: clickhouse sink: cannot reach ${url}: .+$`),
    );
  }, 30_000);
});
