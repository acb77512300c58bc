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
 */

import { afterEach } from "bun:test";
import { existsSync, unlinkSync } from "node:fs";
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
