/**
 * Region lifecycle: a kill -9'd writer's state is adopted (last belief readable, pid replaced),
 * a second live writer is refused, and incompatible files are refused with an error naming
 * the file.
 */

import { afterEach, expect, test } from "bun:test";
import { closeSync, copyFileSync, ftruncateSync, openSync, statSync, writeSync } from "node:fs";
import { RealZincPlane, ZincError, ZincStateReader } from "../../src/zinc/index.ts";
import {
  cleanupPrefixes,
  ensureLib,
  patternedSlot,
  readLineMatching,
  regionPath,
  spawnFixture,
  uniquePrefix,
} from "./zinc_support.ts";

const libPath = ensureLib();
afterEach(cleanupPrefixes);

async function startWriter(prefix: string) {
  const proc = spawnFixture("zinc_writer.ts", [libPath, prefix, "42"]);
  const line = await readLineMatching(proc.stdout, /^ready \d+$/);
  return { proc, pid: Number(line.split(" ")[1]) };
}

function openPlane(prefix: string): RealZincPlane {
  return RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 8 });
}

function patch(path: string, offset: number, bytes: number[]): void {
  const fd = openSync(path, "r+");
  writeSync(fd, new Uint8Array(bytes), 0, bytes.length, offset);
  closeSync(fd);
}

test("a kill -9'd writer's state image survives and is adopted by the next writer with its pid", async () => {
  const prefix = uniquePrefix("adopt");
  const { proc, pid } = await startWriter(prefix);
  proc.kill(9);
  await proc.exited;
  const reader = ZincStateReader.open({ libPath, prefix });
  expect(reader.header().writerPid).toBe(pid);
  expect(reader.readSlot(2)).toEqual(patternedSlot(2, 42));
  expect(reader.readStateHash()).toBe(1234n);
  reader.close();
  const plane = openPlane(prefix);
  const h = plane.headers();
  expect(h.state.writerPid).toBe(process.pid);
  expect(h.intents.writerPid).toBe(process.pid);
  expect(h.state.generation).toBe(2);
  expect(plane.readSlot(3)).toEqual(patternedSlot(3, 42));
  expect(plane.readAccount()).toEqual(new Uint8Array(96).fill(9));
  plane.close();
});

test("a second writer is refused while the first is alive, in another process or this one", async () => {
  const prefix = uniquePrefix("second");
  const { proc, pid } = await startWriter(prefix);
  expect(() => openPlane(prefix)).toThrow(
    new RegExp(`/dev/shm/${prefix}\\.intents: refused, a live writer \\(pid ${pid}\\)`),
  );
  proc.kill(9);
  await proc.exited;
  const first = openPlane(prefix);
  expect(() => openPlane(prefix)).toThrow(/refused, a live writer/);
  first.close();
  openPlane(prefix).close(); // after a clean close the region is free again
});

test("a live writer pid in the header is refused even without the lock", () => {
  const prefix = uniquePrefix("pidcheck");
  openPlane(prefix).close();
  const ppid = new DataView(new ArrayBuffer(4));
  ppid.setUint32(0, process.ppid, true);
  patch(regionPath(prefix, "intents"), 8, [...new Uint8Array(ppid.buffer)]);
  patch(regionPath(prefix, "intents"), 40, [0, 0, 0, 0, 0, 0, 0, 0]); // start time unknown: pid-only check
  expect(() => openPlane(prefix)).toThrow(new RegExp(`intents: refused, writer pid ${process.ppid} is alive`));
});

test("a region with wrong magic is refused with an error naming the file", () => {
  const prefix = uniquePrefix("magic");
  openPlane(prefix).close();
  patch(regionPath(prefix, "state"), 0, [0xef, 0xbe, 0xad, 0xde]);
  expect(() => openPlane(prefix)).toThrow(new RegExp(`/dev/shm/${prefix}\\.state: wrong magic 0xDEADBEEF`));
  expect(() => ZincStateReader.open({ libPath, prefix })).toThrow(ZincError);
});

test("a region with a newer layout version is refused with an error naming the file", () => {
  const prefix = uniquePrefix("version");
  openPlane(prefix).close();
  patch(regionPath(prefix, "intents"), 4, [2, 0]);
  expect(() => openPlane(prefix)).toThrow(
    new RegExp(`/dev/shm/${prefix}\\.intents: layout version 2 is newer than this binary supports \\(1\\)`),
  );
});

test("a truncated region is refused with an error naming the file", () => {
  const prefix = uniquePrefix("trunc");
  openPlane(prefix).close();
  const fd = openSync(regionPath(prefix, "state"), "r+");
  ftruncateSync(fd, 1000);
  closeSync(fd);
  expect(() => openPlane(prefix)).toThrow(new RegExp(`/dev/shm/${prefix}\\.state: file size 1000 bytes`));
  const fd2 = openSync(regionPath(prefix, "state"), "r+");
  ftruncateSync(fd2, 10);
  closeSync(fd2);
  expect(() => ZincStateReader.open({ libPath, prefix })).toThrow(new RegExp(`${prefix}\\.state: truncated, 10 bytes`));
});

test("a region of the wrong kind is refused with an error naming the file", () => {
  const prefix = uniquePrefix("kind");
  openPlane(prefix).close();
  copyFileSync(regionPath(prefix, "state"), regionPath(prefix, "intents"));
  expect(() => openPlane(prefix)).toThrow(
    new RegExp(`/dev/shm/${prefix}\\.intents: region kind 2 \\(state\\), expected 1 \\(intents\\)`),
  );
});

test("a writer asking for a different ring capacity than the surviving region is refused", () => {
  const prefix = uniquePrefix("count");
  openPlane(prefix).close();
  expect(() => RealZincPlane.open({ libPath, prefix, slotCount: 4, ringCapacity: 16 })).toThrow(
    /intents: record count 8, expected 16/,
  );
});

test("regions are created with mode 0600", () => {
  const prefix = uniquePrefix("mode");
  openPlane(prefix).close();
  for (const k of ["intents", "state"] as const) expect(Bun.file(regionPath(prefix, k)).size).toBeGreaterThan(0);
  const st = statSync(regionPath(prefix, "state"));
  expect(st.mode & 0o777).toBe(0o600);
});

test("checkRegions: a region rewritten under its writer is found, named, and no longer drained or mirrored", () => {
  for (const [what, offset, bytes, says] of [
    ["magic", 0, [1, 2, 3, 4], "magic is 0x04030201"],
    ["version", 4, [2, 0], "layout version is 2, not 1"],
    ["kind", 6, [2, 0], "region kind is 2, not 1 (intents)"],
    ["record size", 24, [0, 1, 0, 0], "record size is 256, not 320"],
    ["record count", 28, [16, 0, 0, 0], "record count is 16, not 8"],
    ["region bytes", 56, [1, 0, 0, 0, 0, 0, 0, 0], "header says 1 bytes"],
  ] as const) {
    const prefix = uniquePrefix("check");
    const plane = openPlane(prefix);
    try {
      expect(plane.checkRegions()).toBeNull();
      expect(plane.pushIntent(new Uint8Array(320))).toBe("OK");
      patch(regionPath(prefix, "intents"), offset, [...bytes]);
      const found = plane.checkRegions();
      expect(found, what).toContain(`${regionPath(prefix, "intents")}: ${says}`);
      expect(plane.checkRegions()).toBe(found); // it stays hostile
      expect(plane.drainIntents(8, () => {})).toBe(0); // the pushed record is not read
    } finally {
      plane.close();
    }
  }
});

test("checkRegions: a state file removed or truncated under its writer is named", () => {
  const removed = uniquePrefix("gone");
  const a = openPlane(removed);
  try {
    Bun.spawnSync(["rm", regionPath(removed, "state")]);
    expect(a.checkRegions()).toContain("was removed or replaced while mapped");
  } finally {
    a.close();
  }
  const shrunk = uniquePrefix("shrunk");
  const b = openPlane(shrunk);
  try {
    const fd = openSync(regionPath(shrunk, "state"), "r+");
    ftruncateSync(fd, 100);
    closeSync(fd);
    expect(b.checkRegions()).toContain("the file shrank to 100 bytes");
  } finally {
    b.close();
  }
});
