/**
 * Spool framing and crash-safety: length + CRC32 + JSON frames, acknowledgement, torn and corrupt
 * frames, compaction generations, the size cap.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "../../src/projection/_crc32.ts";
import { encodeFrames, FRAME_HEAD_BYTES, HEADER_BYTES, scanFrames } from "../../src/projection/_frame.ts";
import { type ProjectionDiagnostic, readSpoolFile, Spool } from "../../src/projection/index.ts";

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "spool-unit-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const rows = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ row_id: `pink:${from + i}`, v: from + i }));

describe("spool framing", () => {
  test("crc32 matches the IEEE check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  test("frames round-trip and an incomplete frame waits for the next window unless at EOF", () => {
    const { bytes } = encodeFrames(rows(3));
    expect(scanFrames(bytes, true, 10).frames.map((f) => f.value)).toEqual(rows(3));
    const cut = bytes.subarray(0, bytes.length - 2);
    const mid = scanFrames(cut, false, 10);
    expect(mid.frames.length).toBe(2);
    expect(mid.skipped).toEqual([]);
    const eof = scanFrames(cut, true, 10);
    expect(eof.frames.length).toBe(2);
    expect(eof.skipped[0]?.reason).toBe("torn_tail");
  });

  test("a corrupt frame in the middle is skipped by resync and later frames survive", () => {
    const { bytes } = encodeFrames(rows(3));
    const frameLen = bytes.length / 3;
    bytes[frameLen + FRAME_HEAD_BYTES + 2]! ^= 0xff; // damage the second frame's JSON
    const scan = scanFrames(bytes, true, 10);
    expect(scan.frames.map((f) => (f.value as { v: number }).v)).toEqual([0, 2]);
    expect(scan.skipped).toEqual([{ from: frameLen, to: 2 * frameLen, reason: "bad_crc" }]);
  });
});

describe("Spool file", () => {
  test("unacknowledged records survive reopening; acknowledged ones do not come back", () => {
    const d = dir();
    const a = new Spool(d, "x");
    a.append(rows(5));
    const b1 = a.read(2);
    a.ack(b1.next, 2);
    a.close();
    const b = new Spool(d, "x");
    expect(b.backlogRecords).toBe(3);
    expect(b.read(10).values).toEqual(rows(3, 2));
    b.close();
  });

  test("a torn tail found at open is truncated with a diagnostic and new appends stay readable", () => {
    const d = dir();
    const a = new Spool(d, "x");
    a.append(rows(3));
    a.close();
    const path = join(d, "x.spool");
    truncateSync(path, statSync(path).size - 5);
    const diags: ProjectionDiagnostic[] = [];
    const b = new Spool(d, "x", { onDiagnostic: (x) => diags.push(x) });
    expect(diags.map((x) => x.code)).toEqual(["SPOOL_CORRUPT"]);
    expect(diags[0]!.message).toContain("torn_tail");
    b.append(rows(1, 10));
    expect(b.read(10).values).toEqual([...rows(2), ...rows(1, 10)]);
    b.close();
  });

  test("garbage appended by a crashed writer is skipped and reported, not fatal", () => {
    const d = dir();
    const a = new Spool(d, "x");
    a.append(rows(2));
    a.close();
    appendFileSync(join(d, "x.spool"), Buffer.from("DSR1 this is not a frame at all"));
    const diags: ProjectionDiagnostic[] = [];
    const b = new Spool(d, "x", { onDiagnostic: (x) => diags.push(x) });
    expect(b.read(10).values).toEqual(rows(2));
    expect(diags.length).toBe(1);
    b.close();
  });

  test("compaction moves the unacknowledged tail to a new generation without loss", () => {
    const d = dir();
    const s = new Spool(d, "x", { compactBytes: 1 });
    s.append(rows(4));
    const b = s.read(3);
    s.ack(b.ends[2]!, 3); // prefix >= 1 byte: compacts
    expect(s.read(10).values).toEqual(rows(1, 3));
    expect(JSON.parse(readFileSync(join(d, "x.spool.ack"), "utf8"))).toEqual({ generation: 2, offset: HEADER_BYTES });
    s.close();
  });

  test("a crash between compaction's rename and its ack write replays, never loses", () => {
    const d = dir();
    const s = new Spool(d, "x", { compactBytes: 1 });
    s.append(rows(4));
    s.ack(s.read(2).next, 2);
    s.close();
    // Simulate the stale ack of the previous generation pointing far into the old file.
    writeFileSync(join(d, "x.spool.ack"), JSON.stringify({ generation: 1, offset: 200 }));
    const again = new Spool(d, "x");
    expect(again.read(10).values).toEqual(rows(2, 2));
    again.close();
  });

  test("appends past maxBytes are refused with SPOOL_FULL and counted", () => {
    const diags: ProjectionDiagnostic[] = [];
    const s = new Spool(dir(), "x", { maxBytes: 100, onDiagnostic: (x) => diags.push(x) });
    expect(s.append(rows(1))).toBe(1);
    expect(s.append(rows(10))).toBe(0);
    expect(s.refusedTotal).toBe(10);
    expect(diags.map((x) => x.code)).toEqual(["SPOOL_FULL"]);
    s.close();
  });

  test("readSpoolFile returns every frame of a file", () => {
    const d = dir();
    const s = new Spool(d, "x");
    s.append(rows(3));
    s.close();
    expect(readSpoolFile(join(d, "x.spool")).values).toEqual(rows(3));
  });
});
