/**
 * ClickHouseSink when the server loses the schema under a running process (a ClickHouse replaced by
 * an empty one, a data directory lost, `DROP DATABASE` by hand), against a fake ClickHouse
 * (fixtures/fake_clickhouse.ts) that answers a missing table with code 60 as 18.16 does. The sink
 * prepared the schema once at connect; every later write would fail with "doesn't exist" until the
 * process restarts, holding back every row in the spool. It must prepare the schema again and go on.
 */
import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { ClickHouseSink, type OutRecord } from "../../src/projection/index.ts";
import { type FakeClickHouse, startFakeClickHouse } from "./fixtures/fake_clickhouse.ts";

const open: { sink: ClickHouseSink; fake: FakeClickHouse }[] = [];
afterEach(async () => {
  for (const { sink, fake } of open.splice(0)) {
    await sink.close();
    fake.stop();
  }
});

const event = (rowId: string): OutRecord => ({
  kind: "trade_event",
  row: { row_id: rowId, strategy: "pink", run: "r1", seq: 1, event_type: "OPEN", trade_id: "t" },
});

for (const [lost, drop] of [
  ["a database dropped", (f: FakeClickHouse) => f.dropDatabase("dita")], // 18.16: code 81
  ["a table dropped", (f: FakeClickHouse) => f.dropTable("dita.trade_events")], // 18.16: code 60
] as const) {
  test(`${lost} under the running sink is created again and the held-back rows are written`, async () => {
    const fake = startFakeClickHouse();
    const sink = new ClickHouseSink({ url: fake.url, database: "dita", requestTimeoutMs: 2_000 }, new ManualClock());
    open.push({ sink, fake });
    expect((await sink.writeRecords([event("pink:a:OPEN")])).written).toBe(1);

    drop(fake);
    const batch = [event("pink:b:OPEN"), event("pink:c:OPEN")];
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await sink.writeRecords(batch)); // the outbox's retries
    expect(String(results[0]!.error)).toContain("doesn't exist");
    expect(results.at(-1)!.error).toBeUndefined();
    expect(results.at(-1)!.written).toBe(2);
    expect(fake.rows("dita.trade_events").map((r) => r.row_id)).toEqual(["pink:b:OPEN", "pink:c:OPEN"]);
  });
}

test("a lost database gets its schema version recorded again", async () => {
  const fake = startFakeClickHouse();
  const sink = new ClickHouseSink({ url: fake.url, database: "dita", requestTimeoutMs: 2_000 }, new ManualClock());
  open.push({ sink, fake });
  expect((await sink.writeRecords([event("pink:a:OPEN")])).written).toBe(1);
  fake.dropDatabase("dita");
  await sink.writeRecords([event("pink:b:OPEN")]);
  expect((await sink.writeRecords([event("pink:b:OPEN")])).written).toBe(1);
  expect(fake.rows("dita.dita_v2_schema").map((r) => r.version)).toEqual([3]);
});
