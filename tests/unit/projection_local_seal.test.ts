/**
 * The local default sink seals its file. Nothing drains `local.spool` (it is the destination), so kept
 * whole it grew until the spool's cap refused the newest rows (SPOOL_FULL `cap`, CRITICAL: after about
 * six weeks at 50 000 orders a week on defaults). Now, once it holds its segment size beyond what its last
 * seal carried, it moves whole to `local-sealed/<n>.spool` and a new file starts with each key's latest
 * map write; at most `keep` sealed files stay. What a reader of them all (`readLocalSpool`) gets is every
 * record kept, once and in order, and each key's latest write, across seals, restarts, a seal that fails
 * and one cut between its two renames.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import {
  CallbackSink,
  LocalSpoolSink,
  type MapWrite,
  Outbox,
  type OutRecord,
  type ProjectionDiagnostic,
  readLocalSpool,
  readSpoolFile,
} from "../../src/projection/index.ts";
import { tempDirsPerTest } from "../_support/runtime.ts";

const dir = tempDirsPerTest("local-seal-");

const SEGMENT = 8 * 1024;
const record = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:T${i}:OPEN`, strategy: "pink", n: i, pad: "r".repeat(120) },
});
const mark = (round: number, key: string, map = "dita_v2_pink_slots"): MapWrite => ({
  map,
  key,
  value: { slot: key, unrealized_pnl: round * 0.25 },
  version: round,
});
/** A key written once, before anything is sealed: its value must survive every seal and every deletion. */
const CONTROL: MapWrite = { map: "dita_v2_pink_control", key: "pink", value: { trading_state: "ACTIVE" }, version: 1 };

type Frame = { kind: string; map?: string; key?: string };
function view(values: readonly unknown[]): { records: unknown[]; latest: Record<string, unknown> } {
  const records: unknown[] = [];
  const latest: Record<string, unknown> = {};
  for (const v of values as Frame[]) {
    if (v.kind === "map") latest[`${v.map}|${v.key}`] = v;
    else records.push(v);
  }
  return { records, latest };
}
const sealedFiles = (d: string) =>
  existsSync(join(d, "local-sealed")) ? readdirSync(join(d, "local-sealed")).sort() : [];
const codes = (ds: ProjectionDiagnostic[]) => ds.map((x) => `${x.code}/${x.severity}/${x.details.reason ?? ""}`);

/** Writes rounds of marks on 4 keys and 3 records each; keeps the log of what was stored. */
class Driver {
  readonly log: unknown[] = [];
  round = 0;
  constructor(readonly sink: LocalSpoolSink) {}
  async start(): Promise<void> {
    await this.sink.writeMaps([CONTROL]);
    this.log.push({ kind: "map", ...CONTROL });
  }
  async step(): Promise<void> {
    const r = this.round++;
    const writes = ["pink:0", "pink:1", "pink:2", "pink:3"].map((k) => mark(r, k));
    expect(await this.sink.writeMaps(writes)).toEqual({ applied: 4, stale: 0 });
    this.log.push(...writes.map((w) => ({ kind: "map", ...w })));
    const recs = [record(3 * r), record(3 * r + 1), record(3 * r + 2)];
    expect(await this.sink.writeRecords(recs)).toEqual({ written: 3 });
    this.log.push(...recs);
  }
}

describe("LocalSpoolSink seals its file", () => {
  test("at its segment size: every record read back once and in order, each key's latest write, the active file bounded", async () => {
    const d = dir();
    const diags: ProjectionDiagnostic[] = [];
    const run = new Driver(
      new LocalSpoolSink(d, (x) => diags.push(x), undefined, { segmentBytes: SEGMENT, keep: 1000 }),
    );
    await run.start();
    let largest = 0;
    for (let i = 0; i < 400; i++) {
      await run.step();
      largest = Math.max(largest, statSync(run.sink.address).size);
    }
    const sealed = sealedFiles(d);
    expect(sealed.length).toBeGreaterThan(10);
    expect(sealed[0]).toBe("00000001.spool");
    expect(largest).toBeLessThan(SEGMENT + 2048);
    const read = readLocalSpool(d);
    expect(view(read.values)).toEqual(view(run.log));
    expect(read.skippedBytes).toBe(0);
    expect(codes(diags)).toEqual(sealed.map(() => "SPOOL_ROTATED/INFO/"));
    const onDisk = sealed.reduce((n, f) => n + statSync(join(d, "local-sealed", f)).size, 0);
    expect(run.sink.sealedFiles()).toEqual({ files: sealed.length, bytes: onDisk });
    expect(diags[0]!.details).toMatchObject({ sealed: join(d, "local-sealed", "00000001.spool"), pruned: [] });
    await run.sink.close();
  });

  test("the sink's stats (GET /status → projection.sinks[]) carry its sealed files and their bytes; other sinks say null", async () => {
    const d = dir();
    const sink = new LocalSpoolSink(d, () => {}, undefined, { segmentBytes: SEGMENT, keep: 3 });
    const opts = { clock: new ManualClock(), spool: null, delayMs: 1, onDiagnostic: () => {} };
    const box = new Outbox(sink, opts);
    expect(box.stats().sealed).toEqual({ files: 0, bytes: 0 });
    for (let i = 0; i < 200; i++) await sink.writeRecords([record(i)]);
    const onDisk = sealedFiles(d).reduce((n, f) => n + statSync(join(d, "local-sealed", f)).size, 0);
    expect(box.stats().sealed).toEqual({ files: 3, bytes: onDisk });
    await box.close();
    const other = new Outbox(new CallbackSink({ name: "other" }), opts);
    expect(other.stats().sealed).toBeNull();
    await other.close();
  });

  test("records that would fill the spool's cap are all kept: nothing is refused (unsealed, the same rows hit SPOOL_FULL)", async () => {
    const cap = 32 * 1024;
    for (const sealing of [true, false]) {
      const diags: ProjectionDiagnostic[] = [];
      const opts = { segmentBytes: sealing ? SEGMENT : Number.POSITIVE_INFINITY, keep: 1000 };
      const sink = new LocalSpoolSink(dir(), (x) => diags.push(x), cap, opts);
      let refused = 0;
      for (let i = 0; i < 400; i++) {
        const r = await sink.writeRecords([record(i)]);
        if (r.written === 0) refused++;
      }
      if (sealing) expect([refused, codes(diags).filter((c) => c.startsWith("SPOOL_FULL"))]).toEqual([0, []]);
      else expect([refused > 0, codes(diags).includes("SPOOL_FULL/CRITICAL/cap")]).toEqual([true, true]);
      await sink.close();
    }
  });

  test("keep bounds the sealed files: the oldest are deleted and named in a WARNING; the newest history stays whole, every key's latest write too", async () => {
    const d = dir();
    const diags: ProjectionDiagnostic[] = [];
    const run = new Driver(new LocalSpoolSink(d, (x) => diags.push(x), undefined, { segmentBytes: SEGMENT, keep: 2 }));
    await run.start();
    for (let i = 0; i < 300; i++) await run.step();
    const sealed = sealedFiles(d);
    expect(sealed.length).toBe(2);
    const onDisk = sealed.reduce((n, f) => n + statSync(join(d, "local-sealed", f)).size, 0);
    expect(run.sink.sealedFiles()).toEqual({ files: 2, bytes: onDisk }); // the deleted ones' bytes gone
    const warnings = diags.filter((x) => x.severity === "WARNING");
    expect(warnings.length).toBeGreaterThan(3);
    expect(warnings[0]!.code).toBe("SPOOL_ROTATED");
    expect((warnings[0]!.details.pruned as { file: string }[])[0]!.file).toBe(
      join(d, "local-sealed", "00000001.spool"),
    );
    expect(warnings[0]!.message).toContain("deleted the oldest beyond 2 kept");
    const read = view(readLocalSpool(d).values);
    const logged = view(run.log);
    expect(read.latest).toEqual(logged.latest); // CONTROL, written once at the start, included
    expect(read.records.length).toBeGreaterThan(0);
    expect(read.records).toEqual(logged.records.slice(logged.records.length - read.records.length)); // a suffix, no gap
    await run.sink.close();
  });

  test("seal numbers go on across a restart: nothing sealed before is overwritten", async () => {
    const d = dir();
    const first = new Driver(new LocalSpoolSink(d, () => {}, undefined, { segmentBytes: SEGMENT, keep: 1000 }));
    await first.start();
    while (sealedFiles(d).length < 2) await first.step();
    await first.sink.close();
    const before = sealedFiles(d).map((f) => readFileSync(join(d, "local-sealed", f)).toString("base64"));
    const again = new Driver(new LocalSpoolSink(d, () => {}, undefined, { segmentBytes: SEGMENT, keep: 1000 }));
    expect(again.sink.sealedFiles().files).toBe(2); // listed at open
    again.log.push(...first.log);
    again.round = first.round;
    while (sealedFiles(d).length < 4) await again.step();
    const after = sealedFiles(d);
    expect(after.slice(0, 4)).toEqual(["00000001.spool", "00000002.spool", "00000003.spool", "00000004.spool"]);
    expect(after.slice(0, 2).map((f) => readFileSync(join(d, "local-sealed", f)).toString("base64"))).toEqual(before);
    expect(view(readLocalSpool(d).values)).toEqual(view(again.log));
    await again.sink.close();
  });

  test("a seal whose move fails leaves the file as it was, is reported once, and is tried again later: nothing lost", async () => {
    const d = dir();
    const diags: ProjectionDiagnostic[] = [];
    let failing = 3;
    const rename = (from: string, to: string) => {
      if (to.includes("local-sealed") && failing-- > 0) throw new Error("EIO: injected");
      renameSync(from, to);
    };
    const run = new Driver(
      new LocalSpoolSink(d, (x) => diags.push(x), undefined, { segmentBytes: SEGMENT, keep: 1000, rename }),
    );
    await run.start();
    for (let i = 0; i < 200; i++) await run.step();
    expect(codes(diags)[0]).toBe("SPOOL_FULL/WARNING/seal_failed");
    expect(codes(diags).filter((c) => c.includes("seal_failed"))).toHaveLength(1);
    expect(sealedFiles(d).length).toBeGreaterThan(2);
    expect(readdirSync(d).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(view(readLocalSpool(d).values)).toEqual(view(run.log));
    await run.sink.close();
  });

  test("a seal that cannot even start (its directory cannot be made) never fails the write that triggered it: no row refused or stored twice", async () => {
    const d = dir();
    writeFileSync(join(d, "local-sealed"), "a file where the sealed directory would go\n");
    const diags: ProjectionDiagnostic[] = [];
    const run = new Driver(
      new LocalSpoolSink(d, (x) => diags.push(x), undefined, { segmentBytes: SEGMENT, keep: 1000 }),
    );
    await run.start();
    for (let i = 0; i < 100; i++) await run.step(); // each step expects every row written
    expect(codes(diags)).toEqual(["SPOOL_FULL/WARNING/seal_failed"]);
    expect(diags[0]!.message).toContain("seal failed (");
    const active = readSpoolFile(run.sink.address).values; // all of it: nothing was sealed
    expect(view(active)).toEqual(view(run.log));
    expect(active.length).toBe(run.log.length);
    await run.sink.close();
  });

  test("a seal cut between its renames (moved, its successor not renamed in): a fresh file goes on, nothing lost, the latest writes still read", async () => {
    const d = dir();
    let cut = false;
    const rename = (from: string, to: string) => {
      if (!cut && from.endsWith(".tmp")) {
        cut = true;
        throw new Error("EIO: injected after the move");
      }
      renameSync(from, to);
    };
    const run = new Driver(new LocalSpoolSink(d, () => {}, undefined, { segmentBytes: SEGMENT, keep: 1000, rename }));
    await run.start();
    for (let i = 0; i < 120; i++) await run.step();
    expect(cut).toBe(true);
    expect(view(readLocalSpool(d).values)).toEqual(view(run.log));
    await run.sink.close();
    const again = new Driver(new LocalSpoolSink(d, () => {}, undefined, { segmentBytes: SEGMENT, keep: 1000 }));
    again.log.push(...run.log);
    again.round = run.round;
    for (let i = 0; i < 60; i++) await again.step();
    expect(view(readLocalSpool(d).values)).toEqual(view(again.log));
    await again.sink.close();
  });
});
