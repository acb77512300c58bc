/**
 * Reading the local sink back while a serve may be writing it (`scanLocalSpool`, behind `dita-v2
 * spool`): the active file is read whole first, then the sealed files listed; a sealed file that is the
 * very file read as active (its inode: a seal moves it) means a seal landed between the two reads, and
 * the snapshot is taken again — else the sealed copy and the active file held the same records (read
 * twice), or the new active file was read without the sealed one (records missed). Also: more frames
 * than one decode window, a frame being written (torn), a seal cut between its renames (and the fresh
 * generation-1 file the next start makes beside higher sealed ones, which once made every read fail:
 * found by an audit), a damaged active header, a sealed file deleted by retention while the others are read.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sealLocalFile } from "../../src/projection/_local_compact.ts";
import { LocalSpoolSink, type OutRecord, readLocalSpool, scanLocalSpool } from "../../src/projection/index.ts";
import { tempDirsPerTest } from "../_support/runtime.ts";

const dir = tempDirsPerTest("local-read-");

const record = (i: number): OutRecord => ({
  kind: "trade_event",
  row: { row_id: `pink:T${i}:OPEN`, strategy: "pink", n: i },
});
const sealedPath = (d: string, n: number) => join(d, "local-sealed", `${String(n).padStart(8, "0")}.spool`);
const ids = (values: readonly unknown[]) =>
  (values as { kind: string; row?: { n: number } }[]).filter((v) => v.kind !== "map").map((v) => v.row!.n);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** A local sink's directory holding `records` records (and one map write), nothing sealed yet. */
async function spoolWith(records: number, opts: { segmentBytes?: number; keep?: number } = {}): Promise<string> {
  const d = dir();
  const sink = new LocalSpoolSink(d, () => {}, undefined, opts);
  await sink.writeMaps([{ map: "DITA_V2_CONTROL_PINK", key: "control", value: { state: "ACTIVE" }, version: 1 }]);
  for (let i = 0; i < records; i += 500)
    await sink.writeRecords(range(i, Math.min(records, i + 500)).map((n) => record(n)));
  await sink.close();
  return d;
}

/** Seals the active file as the sink does (moved to local-sealed/<n>, a new generation with the map writes). */
function sealNow(d: string, n: number): void {
  mkdirSync(join(d, "local-sealed"), { recursive: true });
  const active = join(d, "local.spool");
  sealLocalFile(active, statSync(active).size, sealedPath(d, n));
}

describe("scanLocalSpool: a snapshot consistent with a serve that seals meanwhile", () => {
  test("a seal between reading the active file and listing the sealed ones: read again, every record once", async () => {
    const d = await spoolWith(40);
    let seals = 0;
    const values: unknown[] = [];
    const read = scanLocalSpool(d, (v) => values.push(v), {
      afterActiveRead: () => {
        if (seals++ === 0) sealNow(d, 1);
      },
    });
    expect(seals).toBe(2); // the first snapshot was refused
    expect(ids(values)).toEqual(range(0, 40));
    expect(read.files).toEqual([sealedPath(d, 1), join(d, "local.spool")]);
    expect((values as { kind: string }[]).at(-1)?.kind).toBe("map"); // the key's latest write still last
  });

  test("a directory that never settles (a seal after every read of the active file) is refused with one line, nothing handed out", async () => {
    const d = await spoolWith(5);
    let seals = 0;
    const values: unknown[] = [];
    const reads = () => scanLocalSpool(d, (v) => values.push(v), { afterActiveRead: () => sealNow(d, ++seals) });
    expect(reads).toThrow(/sealed during every read; try again/);
    expect(values).toEqual([]);
  });

  test("a seal cut between its two renames (no local.spool): the sealed files alone", async () => {
    const d = await spoolWith(12);
    mkdirSync(join(d, "local-sealed"));
    renameSync(join(d, "local.spool"), sealedPath(d, 1));
    expect(ids(readLocalSpool(d).values)).toEqual(range(0, 12));
  });

  test("the fresh generation-1 file the next start makes beside higher sealed ones: read after them, every record once", async () => {
    const d = await spoolWith(12);
    sealNow(d, 1); // the active file is now generation 2
    mkdirSync(join(d, "local-sealed"), { recursive: true });
    renameSync(join(d, "local.spool"), sealedPath(d, 2)); // a seal cut between its renames
    const sink = new LocalSpoolSink(d, () => {}, undefined, {}); // the next start: a fresh generation-1 file
    await sink.writeRecords(range(12, 15).map(record));
    await sink.close();
    expect(ids(readLocalSpool(d).values)).toEqual(range(0, 15));
  });

  test("an active file whose header is damaged: its frames are still read, after the sealed files", async () => {
    const d = await spoolWith(4);
    sealNow(d, 1);
    const sink = new LocalSpoolSink(d, () => {}, undefined, {});
    await sink.writeRecords(range(4, 7).map(record));
    await sink.close();
    writeFileSync(join(d, "local.spool"), new Uint8Array([0x58]), { flag: "r+" }); // the magic's first byte
    expect(ids(readLocalSpool(d).values)).toEqual(range(0, 7));
  });

  test("more frames than one decode window, across sealed files: each once, in order", async () => {
    const d = await spoolWith(0);
    const sink = new LocalSpoolSink(d, () => {}, undefined, { segmentBytes: 1024 * 1024, keep: 100 });
    for (let i = 0; i < 20_000; i += 1000) await sink.writeRecords(range(i, i + 1000).map(record));
    await sink.close();
    expect([existsSync(sealedPath(d, 1)), existsSync(sealedPath(d, 2))]).toEqual([true, false]);
    const perFile = new Map<string, number>();
    const values: unknown[] = [];
    scanLocalSpool(d, (v, f) => {
      values.push(v);
      perFile.set(f, (perFile.get(f) ?? 0) + 1);
    });
    expect(ids(values)).toEqual(range(0, 20_000));
    expect([...perFile.keys()]).toEqual([sealedPath(d, 1), join(d, "local.spool")]);
    expect(Math.min(...perFile.values())).toBeGreaterThan(4096); // each file more than one window
  });

  test("a frame being written (torn tail) is skipped and counted; the frames before it are read", async () => {
    const d = await spoolWith(10);
    const active = join(d, "local.spool");
    writeFileSync(active, new Uint8Array([0x44, 0x53, 0x52, 0x31, 200, 0, 0, 0, 1, 2]), { flag: "a" });
    const read = readLocalSpool(d);
    expect(ids(read.values)).toEqual(range(0, 10));
    expect(read.skippedBytes).toBe(10);
  });

  test("a sealed file deleted by retention after the listing: named in vanished, the others read", async () => {
    const d = await spoolWith(6);
    sealNow(d, 1);
    const sink = new LocalSpoolSink(d, () => {}, undefined, {});
    await sink.writeRecords(range(6, 9).map(record));
    await sink.close();
    sealNow(d, 2);
    const values: unknown[] = [];
    const read = scanLocalSpool(d, (v, f) => {
      values.push(v);
      if (f === sealedPath(d, 1)) rmSync(sealedPath(d, 2), { force: true });
    });
    expect(read.vanished).toEqual([sealedPath(d, 2)]);
    expect(read.files).toEqual([sealedPath(d, 1), join(d, "local.spool")]);
    expect(ids(values)).toEqual(range(0, 6));
  });
});
