/**
 * LocalSpoolSink.writeMaps follows the Sink contract (types.ts: "rejects if any could not be applied"),
 * as writeRecords does for records: a map write the file refuses (its cap, a failed write) is not
 * acknowledged, so the outbox keeps it (coalesced per key) and retries; a write too large for a frame
 * is refused alone, for good, and reported (SPOOL_FULL `too_large`), so it counts as handled.
 * Before, writeMaps answered `{applied: <stored>}` and never threw: the outbox took a refused write as
 * done, `flush` said everything arrived, and the key's latest value was lost from `local.spool` for good
 * (the control row, written once per change, or a closed slot's row, never written again).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { FRAME_MAX_BYTES } from "../../src/projection/_frame.ts";
import {
  LocalSpoolSink,
  type MapWrite,
  Outbox,
  type OutRecord,
  type ProjectionDiagnostic,
  readSpoolFile,
} from "../../src/projection/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "local-map-refused-"));
  dirs.push(d);
  return d;
}

const record: OutRecord = { kind: "trade_event", row: { row_id: "pink:T0:OPEN", strategy: "pink" } };
const write = (key: string, version: number, extra = {}): MapWrite => ({
  map: "DITA_V2_CONTROL_PINK",
  key,
  value: { strategy: "pink", version, ...extra },
  version,
  epoch: 1,
});
const mapKeys = (sink: LocalSpoolSink) =>
  (readSpoolFile(sink.address).values as { kind: string; key?: string }[])
    .filter((v) => v.kind === "map")
    .map((v) => v.key);
const reasons = (ds: ProjectionDiagnostic[]) => ds.map((d) => `${d.code}/${d.details.reason ?? ""}`);

describe("LocalSpoolSink.writeMaps: a write the file refuses is not acknowledged", () => {
  test("a map write refused by the file's cap rejects (naming the file), so the outbox keeps it", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d), 120);
    expect(await sink.writeRecords([record])).toEqual({ written: 1 });
    await expect(sink.writeMaps([write("control", 3)])).rejects.toThrow(sink.address);
    expect(mapKeys(sink)).toEqual([]);
    expect(reasons(diags)).toEqual(["SPOOL_FULL/cap"]);
    await sink.close();
  });

  test("a map write too large for a frame is refused alone, for good: the others are stored, nothing rejects", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d));
    const huge = write("big", 1, { blob: "x".repeat(FRAME_MAX_BYTES) });
    expect(await sink.writeMaps([write("a", 1), huge, write("b", 1)])).toEqual({ applied: 2, stale: 0 });
    expect(mapKeys(sink)).toEqual(["a", "b"]);
    expect(reasons(diags)).toEqual(["SPOOL_FULL/too_large"]);
    await sink.close();
  });

  test("a write stored by a call that then compacts (reopening the file) is applied, not rejected", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d), undefined, { compactBytes: 1 });
    expect(await sink.writeMaps([write("big", 1, { blob: "x".repeat(FRAME_MAX_BYTES) })])).toEqual({
      applied: 0,
      stale: 0,
    });
    expect(await sink.writeMaps([write("a", 1)])).toEqual({ applied: 1, stale: 0 });
    expect(await sink.writeMaps([write("a", 2)])).toEqual({ applied: 1, stale: 0 });
    expect(sink.compactions).toBe(1);
    expect(mapKeys(sink)).toEqual(["a"]);
    await sink.close();
  });

  test("outbox over the local sink: a refused map write stays pending, flush does not report it delivered", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d), 120);
    expect(await sink.writeRecords([record])).toEqual({ written: 1 });
    const box = new Outbox(sink, {
      clock: new ManualClock(),
      spool: null,
      delayMs: 1,
      retryMinMs: 1,
      retryMaxMs: 2,
      onDiagnostic: (d) => diags.push(d),
    });
    box.putMap(write("control", 3));
    expect(await box.flush(50)).toBe(false);
    expect(box.stats()).toMatchObject({ up: false, pending_map_writes: 1 });
    expect(mapKeys(sink)).toEqual([]);
    await box.close();
    await sink.close();
  });
});
