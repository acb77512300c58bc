/**
 * A control region truncated under the running kernel (a stray `truncate`, a full /dev/shm): the
 * kernel's calls on it never throw mid-apply — `seq` (the serve control loop's and every intent
 * submit's first call), `apply` (an operator's POST /control, the drawdown watch inside an input's
 * outcome), `pollCommands` and `answer` (a flatten's final answer) — the plane turns hostile
 * instead, as `RealZincPlane` does for its regions, and `checkRegion` names the file. A command
 * popped before the truncation is still applied exactly once (its result is returned).
 * Real regions in /dev/shm under a unique prefix, removed after each test.
 */

import { afterEach, expect, test } from "bun:test";
import { existsSync, statSync, unlinkSync } from "node:fs";
import { RealControlCommandClient, RealZincControlPlane } from "../../src/control/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { resizeFile } from "../_support/files.ts";
import { INITIAL } from "../integration/control_contract.ts";

const libPath = nativeLibraryPath("zinc");
const NOW = 1_700_000_000_500;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

let counter = 0;
function openPlane(): { plane: RealZincControlPlane; path: string; prefix: string } {
  const prefix = `dita_test_ctl_trunc_${process.pid}_${++counter}`;
  const path = `/dev/shm/${prefix}.control`;
  const plane = RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL });
  const size = statSync(path).size;
  cleanups.push(() => {
    // Give the mapping its pages back before closing: libzinc's close writes the header.
    resizeFile(path, size);
    plane.close();
    if (existsSync(path)) unlinkSync(path);
  });
  return { plane, path, prefix };
}

test("a control region truncated to nothing: the kernel's calls do not throw, the plane turns hostile", () => {
  const { plane, path } = openPlane();
  const seq = plane.seq();
  resizeFile(path, 0);
  expect(plane.seq()).toBe(seq);
  const next = plane.apply({ trading_state: "HALTED" }, NOW);
  expect(next).toMatchObject({ trading_state: "HALTED", version: INITIAL.version + 1 });
  expect(plane.snapshot().trading_state).toBe("HALTED");
  expect(plane.pollCommands(NOW)).toEqual([]);
  plane.answer({ requestId: 7, status: "APPLIED", key: "flatten", message: "done", version: 2 });
  expect(plane.checkRegion()).toContain(path);
});

test("the region truncated while a poll applies its batch: every popped command is still applied, once", () => {
  const { plane, path, prefix } = openPlane();
  const client = RealControlCommandClient.open({ libPath, prefix, slotCount: 4 });
  cleanups.push(() => client.close());
  expect(client.post({ flatten: true }, 1)).toBe("OK");
  expect(client.post({ trading_state: "HALTED" }, 2)).toBe("OK");
  const flattens: number[] = [];
  // The flatten action runs inside the poll, after the pop and before the result writes: the
  // file is truncated exactly there.
  const results = plane.pollCommands(NOW, undefined, {
    flatten: (_request, requestId) => {
      flattens.push(requestId);
      resizeFile(path, 0);
      return "flatten started";
    },
  });
  expect(results.map((r) => [r.requestId, r.status])).toEqual([
    [1, "STARTED"],
    [2, "APPLIED"],
  ]);
  expect(flattens).toEqual([1]);
  expect(plane.snapshot()).toMatchObject({ trading_state: "HALTED", version: INITIAL.version + 1 });
  expect(plane.pollCommands(NOW)).toEqual([]);
  expect(plane.checkRegion()).toContain(path);
});
