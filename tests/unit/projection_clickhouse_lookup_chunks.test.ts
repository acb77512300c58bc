/**
 * ClickHouseSink's id lookups against a fake ClickHouse (fixtures/fake_clickhouse.ts): ids are
 * grouped so that no query passes 1000 ids or 128 KiB of literals, and no group is ever empty —
 * 18.16 refuses `row_id IN ()` as a syntax error, which would fail the batch on every retry and hold
 * back every row spooled behind it. (The projection's own ids are short: strategy ≤ 32 characters,
 * trade ids ≤ 32 bytes; an id over 128 KiB only comes from a hand-made record.)
 */
import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { ClickHouseSink, type OutRecord } from "../../src/projection/index.ts";
import { type FakeClickHouse, startFakeClickHouse } from "./fixtures/fake_clickhouse.ts";

const TABLE = "dita.trade_events";
const open: { sink: ClickHouseSink; fake: FakeClickHouse }[] = [];
afterEach(async () => {
  for (const { sink, fake } of open.splice(0)) {
    await sink.close();
    fake.stop();
  }
});

function setup() {
  const fake = startFakeClickHouse();
  const sink = new ClickHouseSink({ url: fake.url, database: "dita", requestTimeoutMs: 5_000 }, new ManualClock());
  open.push({ sink, fake });
  return { fake, sink };
}

const event = (rowId: string): OutRecord => ({
  kind: "trade_event",
  row: { row_id: rowId, strategy: "pink", run: "r1", seq: 1, event_type: "OPEN", trade_id: "t" },
});

const lookups = (fake: FakeClickHouse) => fake.queries.filter((q) => q.startsWith("SELECT row_id"));

test("an id over 128 KiB gets a lookup of its own, never an empty IN ()", async () => {
  const { fake, sink } = setup();
  const big = `pink:${"x".repeat(130 * 1024)}`;
  const r = await sink.writeRecords([event(big)]);
  expect(r.error).toBeUndefined();
  expect(r.written).toBe(1);
  expect(lookups(fake).filter((q) => q.endsWith("IN ()"))).toHaveLength(0);
  expect(fake.rows(TABLE).map((x) => x.row_id)).toEqual([big]);
});

test("an oversized id at the head of a batch does not hold back the rows behind it", async () => {
  const { fake, sink } = setup();
  const big = `pink:${"y".repeat(129 * 1024)}`;
  const batch = [event(big), event("pink:a:OPEN"), event("pink:b:OPEN")];
  for (let i = 0; i < 3; i++) {
    const r = await sink.writeRecords(batch); // the outbox re-sends the same batch until accepted
    expect(r.error).toBeUndefined();
    expect(r.written).toBe(3);
  }
  expect(fake.rows(TABLE).map((x) => String(x.row_id).slice(0, 12))).toEqual([
    `pink:${"y".repeat(7)}`,
    "pink:a:OPEN",
    "pink:b:OPEN",
  ]);
  // Two lookups per write: the big id alone, then the two short ones.
  expect(lookups(fake)).toHaveLength(6);
  for (const q of lookups(fake)) expect(q.endsWith("IN ()")).toBe(false);
});

test("1000 ids per lookup at most", async () => {
  const { fake, sink } = setup();
  const batch = Array.from({ length: 2_500 }, (_, i) => event(`pink:t${i}:OPEN`));
  expect((await sink.writeRecords(batch)).written).toBe(2_500);
  const sizes = lookups(fake).map((q) => q.split("','").length);
  expect(sizes).toEqual([1000, 1000, 500]);
  expect(fake.rows(TABLE)).toHaveLength(2_500);
});
