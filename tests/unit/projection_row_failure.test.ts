/**
 * A row that cannot be built (its builder throws on an unexpected record) or cannot be encoded (a
 * BigInt, a cycle) is lost on its own, never with the rows around it, never silently, and never
 * lets the projected mark move past it:
 *  - `Outbox.spill` spools every other row of the batch, reports the lost one (SPOOL_FULL with
 *    `details.reason` `row_failed`), counts it as refused and turns `spooledAll` false (so create.ts
 *    stops the mark); it never throws;
 *  - the background loop, the in-memory path (no spool) and the map writes do the same, so one bad
 *    row neither wedges a sink (retried for ever as SINK_DOWN) nor stops the records behind it;
 *  - the projector (kernel record → row) reports a row it cannot build and drains the rest;
 *  - HazelcastSink writes the other map rows of a batch holding a row it cannot encode.
 * Before, the batch was emptied first and the throw escaped: the whole batch was gone, `spooledAll`
 * stayed true and the next drain moved the mark over the lost rows (or the sink was retried for ever).
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import {
  CallbackSink,
  createProjection,
  HazelcastSink,
  LocalSpoolSink,
  type MapWrite,
  Outbox,
  type OutRecord,
  type ProjectionDiagnostic,
  readProjectedMark,
  readSpoolFile,
  type Sink,
  Spool,
} from "../../src/projection/index.ts";
import { TradeScript } from "../integration/projection_fixtures.ts";
import { FakeHazelcast } from "./fixtures/fake_hz_projection.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "row-failure-"));
  dirs.push(d);
  return d;
}

const record = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:T${i}:OPEN`, strategy: "pink" },
});
const throwing = {
  kind: "trade_event" as const,
  row: () => {
    throw new Error("slot 7: unexpected stage 99");
  },
};
const bigint = { kind: "trade_event" as const, row: { row_id: "pink:TB:OPEN", strategy: "pink", size: 1n } };
const ids = (...n: number[]) => n.map((i) => `pink:T${i}:OPEN`);
/** Diagnostic codes, a lost row's as SPOOL_FULL/row_failed (the code of every row the projection refuses). */
const codes = (ds: ProjectionDiagnostic[]) =>
  ds.map((x) => (x.details.reason ? `${x.code}/${x.details.reason}` : x.code));
const ROW_FAILED = "SPOOL_FULL/row_failed";

/** A sink writing every record and map write it is given (written ids, applied keys). */
function memorySink(takesMaps = false): Sink & { written: string[]; applied: string[] } {
  const written: string[] = [];
  const applied: string[] = [];
  return {
    name: "mem",
    address: "test",
    takesMaps,
    mirrorGated: false,
    written,
    applied,
    takes: () => true,
    connect: async () => {},
    writeMaps: async (ws: readonly MapWrite[]) => {
      for (const w of ws) applied.push(w.key);
      return { applied: ws.length, stale: 0 };
    },
    writeRecords: async (rs: readonly OutRecord[]) => {
      for (const r of rs) written.push(r.row.row_id);
      return { written: rs.length };
    },
    close: async () => {},
  };
}

function outbox(sink: Sink, spool: Spool | null, diags: ProjectionDiagnostic[]): Outbox {
  return new Outbox(sink, {
    clock: new ManualClock(),
    spool,
    delayMs: 1,
    retryMinMs: 1,
    retryMaxMs: 2,
    onDiagnostic: (d) => diags.push(d),
  });
}
const spooledIds = (s: Spool) => (s.read(100).values as OutRecord[]).map((r) => r.row.row_id);

for (const [what, bad] of [
  ["a row builder that throws", throwing],
  ["a row that cannot be encoded (BigInt)", bigint],
] as const) {
  test(`spill: ${what} loses only its own row: the others are spooled, it is reported, spooledAll turns false`, async () => {
    const diags: ProjectionDiagnostic[] = [];
    const spool = new Spool(dir(), "mem");
    const box = outbox(memorySink(), spool, diags);
    box.push(record(0));
    box.push(bad);
    box.push(record(2));
    let whole: boolean | undefined;
    expect(() => (whole = box.spill())).not.toThrow();
    expect(whole).toBe(false);
    expect(box.spooledAll).toBe(false);
    expect(spooledIds(spool)).toEqual(ids(0, 2));
    const d = diags.filter((x) => x.details.reason === "row_failed");
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      code: "SPOOL_FULL",
      severity: "CRITICAL",
      sink: "mem",
      details: { reason: "row_failed", failed: 1, kinds: ["trade_event"] },
    });
    expect(d[0]!.message).toContain(bad === throwing ? "slot 7: unexpected stage 99" : "BigInt");
    expect(box.stats().records_refused).toBe(1);
    await box.close();
  });

  test(`loop: ${what} neither stops the outbox nor the rows after it (spooled)`, async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = memorySink();
    const box = outbox(sink, new Spool(dir(), "mem"), diags);
    box.push(record(0));
    box.push(bad);
    box.push(record(2));
    expect(await box.flush(2_000)).toBe(true);
    box.push(record(3));
    expect(await box.flush(2_000)).toBe(true);
    expect(sink.written).toEqual(ids(0, 2, 3));
    expect(box.spooledAll).toBe(false);
    expect(codes(diags)).toEqual([ROW_FAILED]);
    await box.close();
  });
}

test("in memory (no spool): a row builder that throws loses only its own row, reported (SPOOL_FULL row_failed), not as SINK_DOWN", async () => {
  const diags: ProjectionDiagnostic[] = [];
  const sink = memorySink();
  const box = outbox(sink, null, diags);
  box.push(record(0));
  box.push(throwing);
  box.push(record(2));
  expect(await box.flush(2_000)).toBe(true);
  expect(sink.written).toEqual(ids(0, 2));
  expect(codes(diags)).toEqual([ROW_FAILED]);
  expect(box.stats()).toMatchObject({ up: true, records_refused: 1 });
  await box.close();
});

test("maps: a map row whose builder throws is reported and dropped; the other map writes and the records still go out", async () => {
  const diags: ProjectionDiagnostic[] = [];
  const sink = memorySink(true);
  const box = outbox(sink, new Spool(dir(), "mem"), diags);
  box.putMap({ map: "M", key: "a", value: { v: 1 }, version: 1 });
  box.putMap({ map: "M", key: "bad", value: throwing.row, version: 1 });
  box.putMap({ map: "M", key: "c", value: { v: 1 }, version: 1 });
  box.push(record(0));
  expect(await box.flush(300)).toBe(true);
  expect(sink.applied.sort()).toEqual(["a", "c"]);
  expect(sink.written).toEqual(ids(0));
  expect(codes(diags)).toEqual([ROW_FAILED]);
  expect(diags[0]!.message).toContain("M[bad]");
  expect(box.stats()).toMatchObject({ up: true, pending_map_writes: 0 });
  await box.close();
});

test("hazelcast: a map row it cannot encode is reported; the other rows of the batch and the topic still go out", async () => {
  const diags: ProjectionDiagnostic[] = [];
  const hz = new FakeHazelcast();
  const sink = new HazelcastSink({ addr: "127.0.0.1:5701", cluster: "dev", strategy: "pink" }, hz.connect);
  const box = outbox(sink, new Spool(dir(), "hazelcast"), diags);
  const row = (v: unknown) => ({ strategy: "pink", version: 1, v });
  box.putMap({ map: "M", key: "a", value: row(1), version: 1, epoch: 7 });
  box.putMap({ map: "M", key: "bad", value: row(1n), version: 1, epoch: 7 });
  box.putMap({ map: "M", key: "c", value: row(3), version: 1, epoch: 7 });
  box.push({ kind: "topic_event", row: { row_id: "pink:T0:OPEN", strategy: "pink" } });
  expect(await box.flush(300)).toBe(true);
  expect(Object.keys(hz.cluster.rows("M")).sort()).toEqual(["a", "c"]);
  expect(hz.cluster.published.map((m) => JSON.parse(m).row_id)).toEqual(["pink:T0:OPEN"]);
  expect(codes(diags)).toEqual([ROW_FAILED]);
  expect(diags[0]!.message).toContain("M[bad]");
  await box.close();
  await sink.close();
});

test("local sink (no spool): a record and a map row it cannot encode are dropped alone and reported; the rest reach its file", async () => {
  const diags: ProjectionDiagnostic[] = [];
  const sink = new LocalSpoolSink(dir(), (x) => diags.push(x));
  const box = outbox(sink, null, diags);
  box.putMap({ map: "M", key: "a", value: { v: 1 }, version: 1 });
  box.putMap({ map: "M", key: "bad", value: { v: 1n }, version: 1 });
  box.push(record(0));
  box.push(bigint);
  box.push(record(2));
  expect(await box.flush(300)).toBe(true);
  const file = readSpoolFile(sink.address).values as { kind: string; key?: string; row?: { row_id: string } }[];
  expect(file.filter((v) => v.kind === "map").map((v) => v.key)).toEqual(["a"]);
  expect(file.filter((v) => v.kind !== "map").map((v) => v.row!.row_id)).toEqual(ids(0, 2));
  expect(codes(diags)).toEqual([ROW_FAILED, ROW_FAILED]);
  expect(box.stats()).toMatchObject({ up: true, records_refused: 1 });
  await box.close();
  await sink.close();
});

const diag = (message: string, details: Record<string, unknown> = {}): DiagnosticRecord => ({
  code: "HUNG_ORDER",
  severity: "WARNING",
  slot_id: 0,
  message,
  details,
  input_index: 0,
  now_ms: 1,
});

for (const [what, bad] of [
  ["the spool cannot encode (BigInt field)", { ...diag("two-bad"), now_ms: 1n as unknown as number }],
  ["the projector cannot build (BigInt in details)", diag("two-bad", { n: 1n })],
] as const) {
  test(`projection: a row ${what} keeps the projected mark before its input; the other rows arrive; nothing throws`, async () => {
    const d = dir();
    const diags: ProjectionDiagnostic[] = [];
    const sink = new CallbackSink({ name: "ch" });
    const p = await createProjection({
      strategy: "pink",
      run: "r1",
      stateDir: d,
      clock: new ManualClock(),
      required: false,
      onDiagnostic: (x) => diags.push(x),
      sinks: [sink],
      markProgress: true,
      tuning: { delayMs: 1, retryMinMs: 1, retryMaxMs: 5 },
    });
    const k = new TradeScript();
    const input = (seq: number, ds: DiagnosticRecord[]) => {
      p.onOutcome({ ...k.enter(0, "T1", 1), transitions: [], diagnostics: ds, journalSeq: seq });
      p.stats(); // drains now: this input's rows are spilled and the mark written
    };
    input(1, [diag("one")]);
    expect(readProjectedMark(d)).toEqual({ run: "r1", seq: 1 });
    expect(() => input(2, [diag("two-a"), bad, diag("two-c")])).not.toThrow();
    input(3, [diag("three")]);
    expect(await p.flush(2_000)).toBe(true);
    await p.close();
    expect(readProjectedMark(d)).toEqual({ run: "r1", seq: 1 }); // never past the lost row of input 2
    const messages = sink.records.filter((r) => r.kind === "diagnostic").map((r) => r.row.message);
    expect(messages).toEqual(["one", "two-a", "two-c", "three"]);
    const failed = diags.filter((x) => x.details.reason === "row_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ code: "SPOOL_FULL", severity: "CRITICAL", sink: "ch" });
    expect(failed[0]!.message).toContain("diagnostic");
  });
}
