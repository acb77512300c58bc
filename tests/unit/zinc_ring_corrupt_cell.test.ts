/**
 * A ring cell whose sequence word is neither "free" nor "published" for its position (a stray
 * write into /dev/shm, a producer in another language that got the layout wrong): libzinc's pop
 * answers CORRUPT (-6) there. The kernel side must not throw that out of a drain (the serve ring
 * loop and the control loop would reject, ending serve, and end it again at every restart, since
 * the cell survives in the file); the plane turns hostile instead, naming the file, as it does for
 * a truncated file. Records popped before the corrupt cell in the same drain are still handed
 * over and counted, never dropped with the error.
 * Real regions in /dev/shm under a unique prefix, removed after each test.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, unlinkSync } from "node:fs";
import { RealControlCommandClient, RealZincControlPlane } from "../../src/control/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { INTENT_RECORD_BYTES, RealZincPlane } from "../../src/zinc/index.ts";
import { writeU64 } from "../_support/files.ts";
import { INITIAL } from "../integration/control_contract.ts";

const libPath = nativeLibraryPath("zinc");
const NOW = 1_700_000_000_500;
/** ffi/README.md §4 and §6: where cell i's header (its u64 sequence word first) starts. */
const INTENTS_CELL = (i: number) => 256 + i * 384;
const CONTROL_CELL = (i: number) => 704 + i * 320;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

let counter = 0;
function prefix(): string {
  const p = `dita_test_ring_corrupt_${process.pid}_${++counter}`;
  cleanups.push(() => {
    for (const kind of ["intents", "state", "outcomes", "control"]) {
      const path = `/dev/shm/${p}.${kind}`;
      if (existsSync(path)) unlinkSync(path);
    }
  });
  return p;
}

function record(tag: number): Uint8Array {
  const rec = new Uint8Array(INTENT_RECORD_BYTES);
  new DataView(rec.buffer).setUint32(0, tag, true);
  return rec;
}

describe("intents ring: a cell whose sequence word is corrupt", () => {
  function openPlane(): { plane: RealZincPlane; path: string } {
    const p = prefix();
    const plane = RealZincPlane.open({ libPath, prefix: p, slotCount: 2, ringCapacity: 512 });
    cleanups.push(() => plane.close());
    return { plane, path: `/dev/shm/${p}.intents` };
  }

  test("a drain that meets it does not throw: the plane turns hostile and checkRegions names the file", () => {
    const { plane, path } = openPlane();
    expect(plane.pushIntent(record(1))).toBe("OK");
    writeU64(path, INTENTS_CELL(1), 0xdead_beefn);
    const seen: number[] = [];
    const drain = () =>
      plane.drainIntents(1024, (r) => seen.push(new DataView(r.buffer, r.byteOffset).getUint32(0, true)));
    expect(drain()).toBe(1); // the record before the corrupt cell
    expect(drain()).toBe(0); // the corrupt cell itself: no throw
    expect(seen).toEqual([1]);
    const why = plane.checkRegions();
    expect(why).toContain(path);
    expect(why).toContain("CORRUPT");
    expect(drain()).toBe(0); // hostile: nothing more is read
  });

  test("records popped in the same drain before the corrupt cell are handed over and counted", () => {
    const { plane, path } = openPlane();
    for (let i = 0; i < 300; i++) expect(plane.pushIntent(record(i))).toBe("OK");
    // Exactly one pop batch (256 records) before it: the next pop of the same drain meets it first.
    writeU64(path, INTENTS_CELL(256), 7n);
    const seen: number[] = [];
    const taken = plane.drainIntents(1024, (r) => seen.push(new DataView(r.buffer, r.byteOffset).getUint32(0, true)));
    expect(seen).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(taken).toBe(256);
    expect(plane.drainIntents(1024, () => undefined)).toBe(0);
    expect(plane.checkRegions()).toContain(path);
  });
});

describe("control mailbox: a cell whose sequence word is corrupt", () => {
  test("pollCommands does not throw: the plane turns hostile and checkRegion names the file", () => {
    const p = prefix();
    const plane = RealZincControlPlane.open({ libPath, prefix: p, slotCount: 4, initial: INITIAL });
    cleanups.push(() => plane.close());
    const client = RealControlCommandClient.open({ libPath, prefix: p, slotCount: 4 });
    cleanups.push(() => client.close());
    const path = `/dev/shm/${p}.control`;
    expect(client.post({ mode: "DEBUG" }, 1)).toBe("OK");
    writeU64(path, CONTROL_CELL(1), 0xdead_beefn);
    expect(plane.pollCommands(NOW)).toMatchObject([{ requestId: 1, status: "APPLIED" }]);
    expect(plane.pollCommands(NOW)).toEqual([]);
    expect(plane.checkRegion()).toContain(path);
    expect(plane.snapshot().mode).toBe("DEBUG");
  });
});
