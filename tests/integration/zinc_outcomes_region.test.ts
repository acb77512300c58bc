/**
 * The outcomes region's lifecycle, like the other regions': created with mode 0600 and its exact
 * size; a second live writer refused; after its writer is killed with -9 the next writer adopts it
 * (generation +1, its pid) with every lane, owner and unread record intact, and goes on publishing
 * into the same lanes; a region rewritten under its writer is named by checkRegions and nothing is
 * published into it afterwards; a reader refuses a file whose lane depth is not the layout's.
 */

import { afterEach, expect, test } from "bun:test";
import { closeSync, openSync, statSync, writeSync } from "node:fs";
import {
  decodeOutcome,
  OutcomeBatch,
  RealOutcomeLane,
  RealZincPlane,
  ZincError,
  ZincRegion,
} from "../../src/zinc/index.ts";
import {
  cleanupPrefixes,
  ensureLib,
  readLineMatching,
  regionPath,
  spawnFixture,
  uniquePrefix,
} from "./zinc_support.ts";

const libPath = ensureLib();
afterEach(cleanupPrefixes);

const open = (prefix: string) =>
  RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 8, outcomeLanes: 4 });
const clientRegion = (prefix: string) =>
  ZincRegion.open({ libPath, prefix, kind: "outcomes", recordCount: 0, writer: false });

function patch(path: string, offset: number, bytes: number[]): void {
  const fd = openSync(path, "r+");
  writeSync(fd, new Uint8Array(bytes), 0, bytes.length, offset);
  closeSync(fd);
}

test("created with mode 0600 and its exact size; a second live writer is refused", () => {
  const prefix = uniquePrefix("oc_create");
  const plane = open(prefix);
  try {
    const st = statSync(regionPath(prefix, "outcomes"));
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.size).toBe(128 + 4 * 64 + 4 * 256 * 256);
    expect(plane.headers().outcomes).toMatchObject({ kind: 4, recordSize: 256, recordCount: 4, regionBytes: st.size });
    const second = () => ZincRegion.open({ libPath, prefix, kind: "outcomes", recordCount: 4, writer: true });
    expect(second).toThrow(
      `${regionPath(prefix, "outcomes")}: refused, a live writer (pid ${process.pid}) holds the region lock`,
    );
  } finally {
    plane.close();
  }
});

test("a kill -9'd writer's outcomes region is adopted with lanes, owners and unread records intact", async () => {
  const prefix = uniquePrefix("oc_adopt");
  const proc = spawnFixture("zinc_outcome_writer.ts", [libPath, prefix], "pipe");
  const pid = Number((await readLineMatching(proc.stdout as ReadableStream<Uint8Array>, /^ready \d+$/)).split(" ")[1]);
  const r = clientRegion(prefix);
  const lane = RealOutcomeLane.claim(r);
  (proc.stdin as import("bun").FileSink).write(`publish ${lane.lane} ${lane.generation} 100 5\n`);
  (proc.stdin as import("bun").FileSink).flush();
  await readLineMatching(proc.stdout as ReadableStream<Uint8Array>, /^published 5$/);
  const before = r.header();
  expect(before.writerPid).toBe(pid);
  proc.kill("SIGKILL");
  await proc.exited;
  const plane = open(prefix);
  try {
    expect(r.header()).toMatchObject({ writerPid: process.pid, generation: before.generation + 1 });
    const b = new OutcomeBatch(1);
    b.add(lane.idBytes(6), {
      origin: "KERNEL",
      now_ms: 105,
      input_kind: 4,
      slot_id: null,
      slot_version: 0,
      accepted: true,
      stage: 0,
      event_kind: 0,
      order_status: 0,
      diagnostics: [],
    });
    expect(plane.publishOutcomes(b.bytes, 1)).toBe(1);
    const got = lane.poll(16);
    expect(got.lost).toBe(0);
    expect(got.records.map((x) => decodeOutcome(x).now_ms)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(plane.outcomeStats().lanesOwned).toBe(1);
  } finally {
    lane.release();
    r.close();
    plane.close();
  }
});

test("an outcomes region rewritten under its writer is named by checkRegions; nothing is published into it after", () => {
  const prefix = uniquePrefix("oc_check");
  const plane = open(prefix);
  try {
    expect(plane.checkRegions()).toBeNull();
    patch(regionPath(prefix, "outcomes"), 64, [8, 0, 0, 0]); // lane depth 8
    expect(plane.checkRegions()).toContain(`${regionPath(prefix, "outcomes")}: lane depth is 8, not 256`);
    const b = new OutcomeBatch(1);
    b.add(new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0]), {
      origin: "KERNEL",
      now_ms: 1,
      input_kind: 4,
      slot_id: null,
      slot_version: 0,
      accepted: true,
      stage: 0,
      event_kind: 0,
      order_status: 0,
      diagnostics: [],
    });
    expect(plane.publishOutcomes(b.bytes, 1)).toBe(0);
  } finally {
    plane.close();
  }
  expect(() => clientRegion(prefix)).toThrow(ZincError);
  expect(() => clientRegion(prefix)).toThrow(/lane depth 8, expected 256/);
});
