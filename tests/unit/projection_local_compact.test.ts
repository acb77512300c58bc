/**
 * The local sink's file (LocalSpoolSink, `<stateDir>/spool/local.spool`) keeps every record and, for the
 * maps, only the latest write per (map, key): map writes are key → latest value, so a write superseded by
 * a later one of the same key is dropped by a compaction that rewrites the file (records in order, the
 * latest map frame per key in order) into a new generation, synced and renamed in. Before, every map
 * write was kept for ever: a serve on defaults reached the spool cap on marks alone and then refused
 * everything, records included (SPOOL_FULL `cap`).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeHeader } from "../../src/projection/_frame.ts";
import type { SpoolWrite } from "../../src/projection/_spool_file.ts";
import {
  LocalSpoolSink,
  type MapWrite,
  type OutRecord,
  type ProjectionDiagnostic,
  readSpoolFile,
} from "../../src/projection/index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "local-compact-"));
  dirs.push(d);
  return d;
}

const KEYS = ["pink:0", "pink:1", "pink:2", "pink:3"];
const mark = (round: number, key: string, map = "dita_v2_pink_slots"): MapWrite => ({
  map,
  key,
  value: { slot: key, unrealized_pnl: round * 0.25, pad: "m".repeat(60) },
  version: round,
});
const record = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:T${i}:OPEN`, strategy: "pink", n: i },
});
const reasons = (ds: ProjectionDiagnostic[]) => ds.map((d) => `${d.code}/${d.details.reason ?? ""}`);

type Frame = { kind: string; map?: string; key?: string };
/** What a reader of the file gets: every record in order, and each (map, key)'s last write. */
function view(values: readonly unknown[]): { records: unknown[]; latest: Record<string, unknown> } {
  const records: unknown[] = [];
  const latest: Record<string, unknown> = {};
  for (const v of values as Frame[]) {
    if (v.kind === "map") latest[`${v.map}|${v.key}`] = v;
    else records.push(v);
  }
  return { records, latest };
}

/** Drives a sink and keeps the log of everything it stored, to compare the file against. */
class Driver {
  readonly log: unknown[] = [];
  round = 0;
  constructor(readonly sink: LocalSpoolSink) {}
  async step(): Promise<void> {
    const r = this.round++;
    const writes = KEYS.map((k) => mark(r, k));
    if (r % 7 === 3) writes.push({ map: "dita_v2_pink_active", key: `pink:${r % 5}`, value: null, version: r });
    expect(await this.sink.writeMaps(writes)).toEqual({ applied: writes.length, stale: 0 });
    this.log.push(...writes.map((w) => ({ kind: "map", ...w })));
    if (r % 10 === 0) {
      const recs = [record(r), record(r + 1)];
      expect(await this.sink.writeRecords(recs)).toEqual({ written: 2 });
      this.log.push(...recs);
    }
  }
  /** The file gives every record and every key's latest write, and only frames of the log, in log order. */
  check(): void {
    const values = readSpoolFile(this.sink.address).values;
    expect(view(values)).toEqual(view(this.log));
    let at = 0;
    const log = this.log.map((v) => JSON.stringify(v));
    for (const v of values) {
      const s = JSON.stringify(v);
      while (at < log.length && log[at] !== s) at++;
      expect(at).toBeLessThan(log.length);
      at++;
    }
  }
}

describe("LocalSpoolSink: superseded map writes do not fill the file", () => {
  test("many map writes of a few keys under a small cap: no SPOOL_FULL, records still stored, file stays bounded", async () => {
    const diags: ProjectionDiagnostic[] = [];
    const sink = new LocalSpoolSink(dir(), (d) => diags.push(d), 16 * 1024, { compactBytes: 2048 });
    let maxSize = 0;
    for (let round = 0; round < 600; round++) {
      expect(await sink.writeMaps(KEYS.map((k) => mark(round, k)))).toEqual({ applied: KEYS.length, stale: 0 });
      if (round % 100 === 0) expect(await sink.writeRecords([record(round)])).toEqual({ written: 1 });
      maxSize = Math.max(maxSize, statSync(sink.address).size);
    }
    expect(reasons(diags)).toEqual([]);
    expect(sink.compactions).toBeGreaterThan(50);
    expect(maxSize).toBeLessThan(8 * 1024);
    await sink.close();
  });

  test("read-back gives every record and each key's latest write before, between and after compactions, and after reopening", async () => {
    const d = dir();
    const diags: ProjectionDiagnostic[] = [];
    const run = new Driver(new LocalSpoolSink(d, (x) => diags.push(x), undefined, { compactBytes: 2048 }));
    run.check();
    for (let i = 0; i < 3; i++) await run.step();
    expect(run.sink.compactions).toBe(0);
    run.check();
    for (let i = 0; i < 400; i++) {
      await run.step();
      if (i % 37 === 0) run.check();
    }
    expect(run.sink.compactions).toBeGreaterThan(3);
    run.check();
    expect(decodeHeader(new Uint8Array(readFileSync(run.sink.address)))).toBe(run.sink.compactions + 1);
    const records = view(readSpoolFile(run.sink.address).values).records;
    expect(records.length).toBe(2 * Math.ceil(run.round / 10));
    await run.sink.close();
    const again = new Driver(new LocalSpoolSink(d, (x) => diags.push(x), undefined, { compactBytes: 2048 }));
    again.log.push(...run.log);
    again.round = run.round;
    again.check();
    for (let i = 0; i < 100; i++) await again.step();
    again.check();
    expect(reasons(diags)).toEqual([]);
    await again.sink.close();
  });

  test("a file grown by many superseded writes (an older version) is compacted at the first write after open", async () => {
    const d = dir();
    const old = new Driver(new LocalSpoolSink(d, () => {}, undefined, { compactBytes: Number.POSITIVE_INFINITY }));
    for (let i = 0; i < 300; i++) await old.step();
    await old.sink.close();
    const bloated = statSync(old.sink.address).size;
    const run = new Driver(new LocalSpoolSink(d, () => {}, undefined, { compactBytes: 2048 }));
    run.log.push(...old.log);
    run.round = old.round;
    run.check();
    await run.sink.writeRecords([record(9999)]);
    run.log.push(record(9999));
    expect(run.sink.compactions).toBe(1);
    expect(statSync(run.sink.address).size).toBeLessThan(bloated / 3);
    run.check();
    await run.sink.close();
  });
});

describe("LocalSpoolSink compaction: crash safety", () => {
  test("a failed rename leaves the old file whole and no temp file; reported once; a later compaction succeeds", async () => {
    const diags: ProjectionDiagnostic[] = [];
    let failing = true;
    const rename = (from: string, to: string) => {
      if (failing) throw new Error("EIO: rename refused (test)");
      renameSync(from, to);
    };
    const run = new Driver(new LocalSpoolSink(dir(), (x) => diags.push(x), undefined, { compactBytes: 2048, rename }));
    for (let i = 0; i < 200; i++) await run.step();
    expect(run.sink.compactions).toBe(0);
    expect(reasons(diags)).toEqual(["SPOOL_FULL/compact_failed"]);
    expect(existsSync(`${run.sink.address}.tmp`)).toBe(false);
    run.check();
    expect(view(readSpoolFile(run.sink.address).values).records.length).toBe(40);
    failing = false;
    const grown = statSync(run.sink.address).size;
    for (let i = 0; i < 200; i++) await run.step();
    expect(run.sink.compactions).toBeGreaterThan(0);
    expect(statSync(run.sink.address).size).toBeLessThan(grown);
    run.check();
    expect(reasons(diags)).toEqual(["SPOOL_FULL/compact_failed"]);
    await run.sink.close();
  });

  test("a write of the new generation that fails midway (disk full) leaves the old file whole and removes the temp file", async () => {
    const diags: ProjectionDiagnostic[] = [];
    let writes = 0;
    const compactWrite: SpoolWrite = (fd, bytes, offset, length, position) => {
      if (++writes === 2) throw new Error("ENOSPC: no space left on device (test)");
      return writeSync(fd, bytes, offset, length, position);
    };
    const run = new Driver(
      new LocalSpoolSink(dir(), (x) => diags.push(x), undefined, { compactBytes: 2048, write: compactWrite }),
    );
    for (let i = 0; i < 60; i++) await run.step();
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(reasons(diags)).toEqual(["SPOOL_FULL/compact_failed"]);
    expect(diags[0]!.message).toContain("ENOSPC");
    expect(existsSync(`${run.sink.address}.tmp`)).toBe(false);
    run.check();
    for (let i = 0; i < 300; i++) await run.step();
    expect(run.sink.compactions).toBeGreaterThan(0);
    run.check();
    await run.sink.close();
  });

  test("a crash that left a partial temp file: the next open reads the file whole and a later compaction replaces the temp", async () => {
    const d = dir();
    const first = new Driver(new LocalSpoolSink(d, () => {}, undefined, { compactBytes: Number.POSITIVE_INFINITY }));
    for (let i = 0; i < 50; i++) await first.step();
    await first.sink.close();
    writeFileSync(`${first.sink.address}.tmp`, readFileSync(first.sink.address).subarray(0, 777));
    const diags: ProjectionDiagnostic[] = [];
    const run = new Driver(new LocalSpoolSink(d, (x) => diags.push(x), undefined, { compactBytes: 2048 }));
    run.log.push(...first.log);
    run.round = first.round;
    run.check();
    await run.step();
    expect(run.sink.compactions).toBe(1);
    expect(existsSync(`${run.sink.address}.tmp`)).toBe(false);
    run.check();
    expect(reasons(diags)).toEqual([]);
    await run.sink.close();
  });

  test("a crash right after the rename: the next process opens the new generation whole and goes on", async () => {
    const d = dir();
    let crashed = false;
    const rename = (from: string, to: string) => {
      renameSync(from, to);
      crashed = true;
      throw new Error("process killed (test)");
    };
    const first = new Driver(new LocalSpoolSink(d, () => {}, undefined, { compactBytes: 2048, rename }));
    while (!crashed) await first.step();
    await first.sink.close(); // the dead process: its sink is never used again
    const diags: ProjectionDiagnostic[] = [];
    const run = new Driver(new LocalSpoolSink(d, (x) => diags.push(x), undefined, { compactBytes: 2048 }));
    run.log.push(...first.log);
    run.round = first.round;
    run.check();
    expect(decodeHeader(new Uint8Array(readFileSync(run.sink.address)))).toBe(2);
    for (let i = 0; i < 100; i++) await run.step();
    run.check();
    expect(reasons(diags)).toEqual([]);
    await run.sink.close();
  });
});

describe("LocalSpoolSink compaction: a corrupt frame", () => {
  test("a damaged frame (reported at open, unreadable) is not carried over; the drop is reported; the rest reads back", async () => {
    const d = dir();
    const first = new Driver(new LocalSpoolSink(d, () => {}, undefined, { compactBytes: Number.POSITIVE_INFINITY }));
    for (let i = 0; i < 40; i++) await first.step();
    await first.sink.close();
    const bytes = readFileSync(first.sink.address);
    const at = bytes.indexOf("pink:2", 16 + 12 + 40); // inside an early, superseded map frame of pink:2
    bytes[at] = 0x21;
    writeFileSync(first.sink.address, bytes);
    const diags: ProjectionDiagnostic[] = [];
    const run = new Driver(new LocalSpoolSink(d, (x) => diags.push(x), undefined, { compactBytes: 2048 }));
    run.log.push(...first.log);
    run.round = first.round;
    run.check();
    await run.step();
    expect(run.sink.compactions).toBe(1);
    expect(reasons(diags)).toEqual(["SPOOL_CORRUPT/bad_crc", "SPOOL_CORRUPT/compacted"]);
    expect(readSpoolFile(run.sink.address).skippedBytes).toBe(0);
    run.check();
    await run.sink.close();
  });
});
