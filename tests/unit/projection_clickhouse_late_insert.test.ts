/**
 * ClickHouseSink against a fake ClickHouse (fixtures/fake_clickhouse.ts) whose insert outlives the
 * client's request timeout: the client gives up, the server still commits the rows later. The retry
 * (what the outbox does after `retryMinMs`) must not look up the ids while that insert is still
 * running, or it finds none, inserts the rows again, and the raw table holds them twice (visible
 * without FINAL). Also what a previous process left running at start, and that a healthy write path
 * costs no extra query.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import {
  ClickHouseSink,
  createProjection,
  type OutRecord,
  type ProjectionDiagnostic,
  TABLES,
} from "../../src/projection/index.ts";
import { control, TradeScript, wholeTrade } from "../integration/projection_fixtures.ts";
import { type FakeClickHouse, startFakeClickHouse } from "./fixtures/fake_clickhouse.ts";

const TABLE = "dita.dita_v2_diagnostics";
const open: { sink: ClickHouseSink; fake: FakeClickHouse }[] = [];
afterEach(async () => {
  for (const { sink, fake } of open.splice(0)) {
    await sink.close();
    await fake.idle();
    fake.stop();
  }
});

function setup(requestTimeoutMs: number) {
  const fake = startFakeClickHouse();
  const sink = new ClickHouseSink({ url: fake.url, database: "dita", requestTimeoutMs }, new ManualClock());
  open.push({ sink, fake });
  return { fake, sink };
}

const diag = (seq: number): OutRecord => ({
  kind: "diagnostic",
  row: {
    row_id: `pink:r1:${seq}:D0`,
    strategy: "pink",
    run: "r1",
    seq,
    input_index: 0,
    code: "HUNG_ORDER",
    severity: "WARNING",
    slot_id: 0,
    message: "m",
    details: "{}",
    now_ms: 1,
  },
});

function countsById(fake: FakeClickHouse, table = TABLE): Map<string, number> {
  const n = new Map<string, number>();
  for (const r of fake.rows(table)) n.set(String(r.row_id), (n.get(String(r.row_id)) ?? 0) + 1);
  return n;
}

/** The outbox's loop, shortened: retry every `everyMs` until the sink accepts the batch. */
async function retryUntilWritten(sink: ClickHouseSink, batch: OutRecord[], everyMs: number) {
  const errors: string[] = [];
  for (let i = 0; i < 50; i++) {
    const r = await sink.writeRecords(batch);
    if (r.error === undefined) return { result: r, errors };
    errors.push(String((r.error as Error).message ?? r.error));
    await Bun.sleep(everyMs);
  }
  throw new Error(`never written: ${errors.at(-1)}`);
}

test("an insert that times out on the client but commits later on the server is not inserted again by the retry", async () => {
  const { fake, sink } = setup(300);
  await sink.connect();
  const batch = [diag(1), diag(2), diag(3)];
  fake.insertDelays.push(900); // the server commits 900 ms after the request; the client waits 300 ms

  const first = await sink.writeRecords(batch);
  expect(first.written).toBe(0);
  expect(first.error).toBeDefined();
  expect(fake.rows(TABLE)).toHaveLength(0); // nothing committed yet: the insert is still running

  const { result, errors } = await retryUntilWritten(sink, batch, 100);
  await fake.idle();
  expect(result.written).toBe(3);
  // Each id exactly once in the raw table (what a query without FINAL sees).
  expect([...countsById(fake).values()]).toEqual([1, 1, 1]);
  // The retries waited for the late insert (named by its query id) instead of writing around it.
  expect(errors.length).toBeGreaterThan(0);
  expect(errors[0]).toContain("still running");
  expect(result.duplicates).toBe(3);
});

test("an insert a previous process left running is waited for before the first lookup", async () => {
  const before = setup(300);
  await before.sink.connect();
  const batch = [diag(7), diag(8)];
  before.fake.insertDelays.push(900);
  expect((await before.sink.writeRecords(batch)).written).toBe(0);
  // The process dies here (SIGKILL): a new sink on the same server replays the same spooled batch.
  const again = new ClickHouseSink(
    { url: before.fake.url, database: "dita", requestTimeoutMs: 300 },
    new ManualClock(),
  );
  open.push({ sink: again, fake: before.fake });
  const { result } = await retryUntilWritten(again, batch, 100);
  await before.fake.idle();
  expect(result.written).toBe(2);
  expect([...countsById(before.fake).values()]).toEqual([1, 1]);
});

test("with nothing failing, a write is one lookup and one insert per table (no process-list query)", async () => {
  const { fake, sink } = setup(2_000);
  await sink.connect();
  expect((await sink.writeRecords([diag(1)])).written).toBe(1); // the first write after start checks once
  fake.queries.length = 0;
  expect((await sink.writeRecords([diag(2), diag(3)])).written).toBe(2);
  expect(fake.queries.filter((q) => q.includes("system.processes"))).toHaveLength(0);
  expect(fake.queries).toHaveLength(2);
  expect([...countsById(fake).values()]).toEqual([1, 1, 1]);
});

test("through the projection: a whole DEBUG trade whose first insert answers late is stored exactly once", async () => {
  const fake = startFakeClickHouse();
  const stateDir = mkdtempSync(join(tmpdir(), "proj-ch-late-"));
  const diags: ProjectionDiagnostic[] = [];
  const p = await createProjection({
    run: "r1",
    strategy: "pink",
    stateDir,
    clock: new ManualClock(),
    clickhouse: { url: fake.url, database: "dita" },
    required: true,
    onDiagnostic: (d) => diags.push(d),
    tuning: { delayMs: 2, retryMinMs: 50, retryMaxMs: 200, requestTimeoutMs: 300 },
  });
  try {
    fake.insertDelays.push(900);
    const k = new TradeScript();
    k.ctl = control({ mode: "DEBUG", debug_clickhouse_enabled: true });
    for (const o of wholeTrade(k, 2, "TL1")) p.onOutcome(o);
    expect(await p.flush(10_000)).toBe(true);
    await fake.idle();
    const counts = TABLES.flatMap((t) => [...countsById(fake, `dita.${t}`).values()]);
    expect(counts.length).toBeGreaterThan(10);
    expect(counts.every((n) => n === 1)).toBe(true);
    expect(diags.map((d) => d.code)).toContain("SINK_DOWN"); // the timeout, then the wait for the late insert
  } finally {
    await p.close();
    await fake.idle();
    fake.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
