/**
 * Real Zinc regions in /dev/shm for one test file, this process playing the kernel through
 * RealZincPlane. Call `zincRegionsPerTest(name)` at the top level; it answers:
 * - `plane(o)`: a plane under a fresh prefix `dita_test_<name>_<pid>_<n>` (2 slots, a 64-record
 *   ring, 2 outcome lanes, no namespace unless `o` says otherwise);
 * - `client(prefix)`: a DitaClient connected to it (namespace pink);
 * - `cleanup(f)`: another teardown;
 * - `libPath`: the libzinc they use.
 * After each test every teardown runs, the newest first: clients closed, planes closed and their
 * files (intents, state, control, outcomes, bell) removed.
 * Also `pokeFile` (bytes written into a region file at an offset, as a dead or hostile writer leaves
 * them), `u32le` / `u64le`, and `STATE_AT`, the state region's offsets (ffi/README.md §5).
 */

import { afterEach } from "bun:test";
import { closeSync, existsSync, openSync, unlinkSync, writeSync } from "node:fs";
import { DitaClient } from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { RealZincPlane } from "../../src/zinc/index.ts";

type PlaneOptions = Parameters<typeof RealZincPlane.open>[0];

export function zincRegionsPerTest(name: string) {
  const libPath = nativeLibraryPath("zinc");
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const f of cleanups.splice(0).reverse()) f();
  });
  const cleanup = (f: () => void) => {
    cleanups.push(f);
  };
  let n = 0;
  const plane = (o: Partial<Omit<PlaneOptions, "libPath" | "prefix">> = {}) => {
    const prefix = `dita_test_${name}_${process.pid}_${++n}`;
    const p = RealZincPlane.open({ libPath, prefix, slotCount: 2, ringCapacity: 64, outcomeLanes: 2, ...o });
    cleanup(() => {
      p.close();
      for (const k of ["intents", "state", "control", "outcomes", "bell"])
        if (existsSync(`/dev/shm/${prefix}.${k}`)) unlinkSync(`/dev/shm/${prefix}.${k}`);
    });
    return { prefix, plane: p };
  };
  const client = (prefix: string) => {
    const c = DitaClient.connect({ prefix, namespace: "pink", libPath });
    cleanup(() => c.close());
    return c;
  };
  return { libPath, plane, client, cleanup };
}

/** Writes `bytes` into the file at `path` at byte `at`. */
export function pokeFile(path: string, at: number, bytes: Uint8Array): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
}

export const u32le = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);
export const u64le = (v: bigint) => new Uint8Array(new BigUint64Array([v]).buffer);

/** The state region's offsets (ffi/zinc.h): the header's writer pid, the globals (account) seqlock and image, slot i's seqlock and image. */
export const STATE_AT = {
  writerPid: 8,
  accountLock: 64,
  accountImage: 128,
  slotLock: (i: number) => 256 + i * 512,
  slotImage: (i: number) => 256 + i * 512 + 64,
} as const;
