/**
 * LocalSpoolSink.writeRecords answers with the prefix of the batch it is done with (types.ts
 * `WriteResult.written`), which is what the outbox acknowledges (it sends `batch.slice(written)` again):
 *  - a record too large for a frame is refused alone, for good, and reported (SPOOL_FULL `too_large`):
 *    the records around it are stored and the whole batch counts as handled. Before, `written` was the
 *    number of rows stored: the outbox sent the rows after the refused one again (duplicates in the
 *    local spool file that readers and replay use) and, with the refused one last, retried it for ever
 *    (SINK_DOWN, a SPOOL_FULL every retry);
 *  - a batch the file refuses whole (its cap, a failed write) is not acknowledged: written 0 with an
 *    error naming the file, so the outbox keeps it and retries.
 * Spool.append throws on a value JSON cannot encode (before writing anything); the outbox's row guard
 * relies on that to drop and name the row (projection_row_failure.test.ts).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { FRAME_MAX_BYTES } from "../../src/projection/_frame.ts";
import {
  LocalSpoolSink,
  Outbox,
  type OutRecord,
  type ProjectionDiagnostic,
  readSpoolFile,
  Spool,
} from "../../src/projection/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "local-sink-"));
  dirs.push(d);
  return d;
}

const record = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:T${i}:OPEN`, strategy: "pink" },
});
/** A record whose JSON is larger than one frame may hold. */
const huge = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:H${i}:OPEN`, strategy: "pink", blob: "x".repeat(FRAME_MAX_BYTES) },
});
const ids = (...n: number[]) => n.map((i) => `pink:T${i}:OPEN`);
const fileIds = (sink: LocalSpoolSink) => (readSpoolFile(sink.address).values as OutRecord[]).map((r) => r.row.row_id);
const reasons = (ds: ProjectionDiagnostic[]) => ds.map((d) => `${d.code}/${d.details.reason ?? ""}`);

function outbox(sink: LocalSpoolSink, diags: ProjectionDiagnostic[]): Outbox {
  // No spool: createProjection gives the local sink none (its file is the destination).
  return new Outbox(sink, {
    clock: new ManualClock(),
    spool: null,
    delayMs: 1,
    retryMinMs: 1,
    retryMaxMs: 2,
    onDiagnostic: (d) => diags.push(d),
  });
}

describe("LocalSpoolSink.writeRecords: written is the prefix handled, not the count stored", () => {
  test("a record too large for a frame in the middle is refused alone and reported; written covers the whole batch", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d));
    expect(await sink.writeRecords([record(0), huge(1), record(2)])).toEqual({ written: 3 });
    expect(fileIds(sink)).toEqual(ids(0, 2));
    expect(reasons(diags)).toEqual(["SPOOL_FULL/too_large"]);
    await sink.close();
  });

  test("a batch of only records too large for a frame is handled (written = all), nothing stored", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d));
    expect(await sink.writeRecords([huge(0), huge(1)])).toEqual({ written: 2 });
    expect(fileIds(sink)).toEqual([]);
    expect(reasons(diags)).toEqual(["SPOOL_FULL/too_large"]);
    await sink.close();
  });

  test("a batch the file refuses whole (its cap) is not acknowledged: written 0 with an error naming the file", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d), 200);
    expect(await sink.writeRecords([record(0)])).toEqual({ written: 1 });
    const r = await sink.writeRecords([huge(1), record(2), record(3)]);
    expect(r.written).toBe(0);
    expect(String(r.error)).toContain(sink.address);
    expect(fileIds(sink)).toEqual(ids(0));
    expect(reasons(diags)).toEqual(["SPOOL_FULL/too_large", "SPOOL_FULL/cap"]);
    await sink.close();
  });
});

describe("outbox over the local sink", () => {
  test("a record too large for a frame mid-batch: every other record reaches the file exactly once, no SINK_DOWN", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d));
    const box = outbox(sink, diags);
    for (const r of [record(0), huge(1), record(2), record(3)]) box.push(r);
    expect(await box.flush(2_000)).toBe(true);
    expect(fileIds(sink)).toEqual(ids(0, 2, 3));
    expect(reasons(diags)).toEqual(["SPOOL_FULL/too_large"]);
    expect(box.stats()).toMatchObject({ up: true, backlog_records: 0 });
    await box.close();
    await sink.close();
  });

  test("a record too large for a frame at the end of a batch is refused once, not retried for ever", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d));
    const box = outbox(sink, diags);
    for (const r of [record(0), record(1), huge(2)]) box.push(r);
    expect(await box.flush(500)).toBe(true);
    box.push(record(3));
    expect(await box.flush(2_000)).toBe(true);
    expect(fileIds(sink)).toEqual(ids(0, 1, 3));
    expect(reasons(diags)).toEqual(["SPOOL_FULL/too_large"]);
    await box.close();
    await sink.close();
  });

  test("a file that refuses whole batches is down: drains stop writing it on the kernel's thread, the loop retries, a full queue refuses in O(1)", async () => {
    // Found by a review: each refused spill put the whole queue back and the next drain (every ~10 ms) encoded
    // and wrote all of it again on the kernel's thread; with the queue full, at every pushed row.
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d), 64); // a cap no record fits under
    let appends = 0;
    const append = sink.store.append;
    (sink.store as { append: typeof append }).append = (records) => {
      appends++;
      return append(records);
    };
    const box = new Outbox(sink, {
      clock: new ManualClock(),
      spool: null,
      delayMs: 60_000,
      memMax: 50,
      onDiagnostic: (d) => diags.push(d),
    });
    for (let i = 0; i < 40; i++) box.push(record(i));
    expect(box.spill()).toBe(false); // refused whole: kept, the sink down
    for (let i = 0; i < 10; i++) expect(box.spill()).toBe(false); // drains: no write while it is down
    for (let i = 40; i < 100; i++) box.push(record(i)); // past memMax: refused at once, no write
    expect(appends).toBe(1);
    expect(box.stats()).toMatchObject({ up: false, backlog_records: 50, records_refused: 50 });
    expect(reasons(diags).filter((r) => r.startsWith("SINK_DOWN"))).toHaveLength(1);
    await box.close();
    await sink.close();
  });
});

describe("Spool.append and a value JSON cannot encode", () => {
  test("throws a clear error before writing anything; the spool stays as it was and takes later appends", () => {
    const diags: ProjectionDiagnostic[] = [];
    const s = new Spool(dir(), "x", { onDiagnostic: (d) => diags.push(d) });
    expect(s.append([record(0)])).toBe(1);
    expect(() => s.append([record(1), { kind: "trade_event", row: { row_id: "b", n: 1n } }])).toThrow(/BigInt/);
    expect({ records: s.backlogRecords, refused: s.refusedTotal, diags: diags.length }).toEqual({
      records: 1,
      refused: 0,
      diags: 0,
    });
    expect(s.append([record(2)])).toBe(1);
    expect((s.read(10).values as OutRecord[]).map((r) => r.row.row_id)).toEqual(ids(0, 2));
    s.close();
  });
});
