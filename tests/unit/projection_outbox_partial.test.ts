/**
 * A sink that durably writes only part of a batch (a ClickHouse insert cut short, a topic publish
 * that fails half way): the outbox may acknowledge exactly the prefix the sink reported written,
 * never the whole batch, so the rest is sent again, in order, and no row is lost — with a spool
 * (Hazelcast and ClickHouse: acks in the spool's ack file) and without one (records in memory).
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { Outbox, type OutRecord, type ProjectionDiagnostic, type Sink, Spool } from "../../src/projection/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A sink whose n-th writeRecords call durably writes only `accept[n]` records (then `after`, default all). */
class PartialSink implements Sink {
  readonly name = "partial";
  readonly address = "test";
  readonly takesMaps = false;
  readonly mirrorGated = false;
  readonly written: string[] = [];
  calls = 0;
  constructor(
    private readonly accept: number[],
    private readonly withError: boolean,
    private readonly after = Number.MAX_SAFE_INTEGER,
  ) {}
  takes(): boolean {
    return true;
  }
  async connect(): Promise<void> {}
  async writeMaps(): Promise<{ applied: number; stale: number }> {
    return { applied: 0, stale: 0 };
  }
  async writeRecords(records: readonly OutRecord[]): Promise<{ written: number; error?: unknown }> {
    const n = Math.min(this.accept[this.calls++] ?? this.after, records.length);
    for (const r of records.slice(0, n)) this.written.push(r.row.row_id);
    return n < records.length && this.withError ? { written: n, error: new Error("insert cut short") } : { written: n };
  }
  async close(): Promise<void> {}
}

const record = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:T${i}:OPEN`, strategy: "pink" },
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `pink:T${i}:OPEN`);

function outbox(sink: Sink, spool: Spool | null, diags: ProjectionDiagnostic[] = []): Outbox {
  return new Outbox(sink, {
    clock: new ManualClock(),
    spool,
    delayMs: 1,
    retryMinMs: 1,
    retryMaxMs: 2,
    batchMax: 10,
    onDiagnostic: (d) => diags.push(d),
  });
}

function spoolDir(): string {
  const d = mkdtempSync(join(tmpdir(), "outbox-partial-"));
  dirs.push(d);
  return d;
}

for (const withError of [false, true]) {
  const how = withError ? "with an error" : "without an error";
  test(`spooled: a sink accepting 3 of 8 records (${how}) gets the other 5 again, in order, none lost or doubled`, async () => {
    const sink = new PartialSink([3, 0, 2], withError);
    const spool = new Spool(spoolDir(), "partial");
    const box = outbox(sink, spool);
    for (let i = 0; i < 8; i++) box.push(record(i));
    expect(await box.flush(2_000)).toBe(true);
    expect(sink.written).toEqual(ids(8));
    expect(box.stats()).toMatchObject({ backlog_records: 0, records_written: 8 });
    await box.close();
  });

  test(`in memory: a sink accepting 3 of 8 records (${how}) gets the other 5 again, in order, none lost or doubled`, async () => {
    const sink = new PartialSink([3, 0, 2], withError);
    const box = outbox(sink, null);
    for (let i = 0; i < 8; i++) box.push(record(i));
    expect(await box.flush(2_000)).toBe(true);
    expect(sink.written).toEqual(ids(8));
    await box.close();
  });
}

test("spooled: after a partial write the spool's ack covers exactly the written prefix, so a restart resends only the rest", async () => {
  const d = spoolDir();
  const sink = new PartialSink([3], true, 0);
  const box = outbox(sink, new Spool(d, "partial"));
  for (let i = 0; i < 8; i++) box.push(record(i));
  expect(await box.flush(30)).toBe(false); // the sink keeps refusing after the first 3
  await box.close();
  expect(sink.written).toEqual(ids(3));
  const reopened = new Spool(d, "partial");
  expect(reopened.backlogRecords).toBe(5);
  expect((reopened.read(10).values as OutRecord[]).map((r) => r.row.row_id)).toEqual(ids(8).slice(3));
  reopened.close();
});

test("a partial write marks the sink down with one SINK_DOWN, and the full drain brings one SINK_UP", async () => {
  const diags: ProjectionDiagnostic[] = [];
  const sink = new PartialSink([1], false);
  const box = outbox(sink, new Spool(spoolDir(), "partial"), diags);
  for (let i = 0; i < 4; i++) box.push(record(i));
  expect(await box.flush(2_000)).toBe(true);
  expect(diags.map((x) => x.code)).toEqual(["SINK_DOWN", "SINK_UP"]);
  expect(diags[0]!.message).toContain("accepted 1/4");
  await box.close();
});

test("in memory: rows pushed while a partly written batch is in flight queue behind its unsent rest (order kept)", async () => {
  const written: string[] = [];
  let calls = 0;
  let box: Outbox | null = null;
  const sink: Sink = {
    name: "slow",
    address: "test",
    takesMaps: false,
    mirrorGated: false,
    takes: () => true,
    connect: async () => {},
    writeMaps: async () => ({ applied: 0, stale: 0 }),
    close: async () => {},
    writeRecords: async (records) => {
      if (calls++ === 0) {
        for (let i = 8; i < 10; i++) box!.push(record(i)); // newer rows arrive meanwhile
        for (const r of records.slice(0, 3)) written.push(r.row.row_id);
        return { written: 3 };
      }
      for (const r of records) written.push(r.row.row_id);
      return { written: records.length };
    },
  };
  box = outbox(sink, null);
  for (let i = 0; i < 8; i++) box.push(record(i));
  expect(await box.flush(2_000)).toBe(true);
  expect(written).toEqual(ids(10));
  await box.close();
});

test("map writes of a batch the sink refused are retried, and a newer write for the same key wins", async () => {
  const applied: string[] = [];
  let down = true;
  const sink: Sink = {
    name: "maps",
    address: "test",
    takesMaps: true,
    mirrorGated: false,
    takes: () => true,
    connect: async () => {},
    writeMaps: async (writes) => {
      if (down) throw new Error("member gone");
      for (const w of writes) applied.push(`${w.key}@${w.version}`);
      return { applied: writes.length, stale: 0 };
    },
    writeRecords: async (r) => ({ written: r.length }),
    close: async () => {},
  };
  const box = outbox(sink, null);
  box.putMap({ map: "M", key: "a", value: { v: 1 }, version: 1 });
  box.putMap({ map: "M", key: "b", value: { v: 1 }, version: 1 });
  expect(await box.flush(30)).toBe(false);
  box.putMap({ map: "M", key: "a", value: { v: 2 }, version: 2 });
  down = false;
  expect(await box.flush(2_000)).toBe(true);
  expect(applied.sort()).toEqual(["a@2", "b@1"]);
  await box.close();
});

test("a sink that stays down is retried with growing waits, not in a hot loop (≤ 8 attempts in 400 ms at 20..200 ms backoff)", async () => {
  let attempts = 0;
  const sink: Sink = {
    name: "down",
    address: "test",
    takesMaps: false,
    mirrorGated: false,
    takes: () => true,
    connect: async () => {},
    writeMaps: async () => ({ applied: 0, stale: 0 }),
    writeRecords: async () => {
      attempts++;
      return { written: 0, error: new Error("down") };
    },
    close: async () => {},
  };
  const box = new Outbox(sink, {
    clock: new ManualClock(),
    spool: null,
    delayMs: 1,
    retryMinMs: 20,
    retryMaxMs: 200,
    onDiagnostic: () => {},
  });
  box.push(record(0));
  await Bun.sleep(400);
  await box.close();
  expect(attempts).toBeGreaterThanOrEqual(2);
  expect(attempts).toBeLessThanOrEqual(8);
});

test("map coalescing on a version tie: a fresh write replaces the pending one; a failed batch's retry never replaces a fresh one", async () => {
  const seen: unknown[] = [];
  let fail = true;
  let box: Outbox | null = null;
  const sink: Sink = {
    name: "tie",
    address: "test",
    takesMaps: true,
    mirrorGated: false,
    takes: () => true,
    connect: async () => {},
    writeMaps: async (writes) => {
      if (fail) {
        fail = false;
        box!.putMap({ map: "M", key: "b", value: { v: "fresh" }, version: 7 }); // arrives while the batch fails
        throw new Error("member gone");
      }
      for (const w of writes) seen.push([w.key, w.value]);
      return { applied: writes.length, stale: 0 };
    },
    writeRecords: async (r) => ({ written: r.length }),
    close: async () => {},
  };
  box = outbox(sink, null);
  box.putMap({ map: "M", key: "a", value: { v: "first" }, version: 5 });
  box.putMap({ map: "M", key: "a", value: { v: "second" }, version: 5 });
  box.putMap({ map: "M", key: "b", value: { v: "old" }, version: 7 });
  expect(await box.flush(2_000)).toBe(true);
  expect(seen.sort()).toEqual([
    ["a", { v: "second" }],
    ["b", { v: "fresh" }],
  ]);
  await box.close();
});
