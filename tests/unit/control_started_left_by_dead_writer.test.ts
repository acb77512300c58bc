/**
 * A mailbox action answered STARTED (flatten) whose kernel stopped before it finished (killed,
 * restarted, or stopped mid-flatten): the control region keeps that STARTED, and the action died
 * with its kernel, so no final answer will ever come under that request id. The next kernel to open
 * the region answers it INCOMPLETE (nothing is running it any more: check the slots), so the
 * requester is never left waiting at STARTED (src/launcher/flatten.ts's promise). Any other result
 * a previous kernel left is kept as it is. Real regions in /dev/shm under a unique prefix.
 */

import { afterEach, expect, test } from "bun:test";
import { existsSync, unlinkSync } from "node:fs";
import { RealControlCommandClient, RealZincControlPlane } from "../../src/control/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { INITIAL } from "../integration/control_contract.ts";

const libPath = nativeLibraryPath("zinc");
const NOW = 1_700_000_000_500;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

let counter = 0;
function prefix(): string {
  const p = `dita_test_ctl_started_${process.pid}_${++counter}`;
  cleanups.push(() => {
    if (existsSync(`/dev/shm/${p}.control`)) unlinkSync(`/dev/shm/${p}.control`);
  });
  return p;
}

const open = (p: string) => RealZincControlPlane.open({ libPath, prefix: p, slotCount: 4, initial: INITIAL });
const actions = { flatten: () => "flatten started" };

test("a STARTED flatten whose kernel stopped is answered INCOMPLETE under its request id by the next kernel", () => {
  const p = prefix();
  const first = open(p);
  const client = RealControlCommandClient.open({ libPath, prefix: p, slotCount: 4 });
  cleanups.push(() => client.close());
  expect(client.post({ flatten: true }, 41)).toBe("OK");
  expect(first.pollCommands(NOW, undefined, actions)).toMatchObject([{ requestId: 41, status: "STARTED" }]);
  first.close(); // the kernel stops before the flatten's final answer
  const second = open(p);
  cleanups.push(() => second.close());
  const result = client.lastResult();
  expect(result).toMatchObject({ requestId: 41, status: "INCOMPLETE", key: "flatten" });
  expect(result?.message).toContain("stopped before");
  expect(result?.version).toBe(second.snapshot().version);
});

test("a final answer a previous kernel left is kept as it is", () => {
  const p = prefix();
  const first = open(p);
  const client = RealControlCommandClient.open({ libPath, prefix: p, slotCount: 4 });
  cleanups.push(() => client.close());
  expect(client.post({ mode: "DEBUG" }, 42)).toBe("OK");
  const [applied] = first.pollCommands(NOW);
  first.close();
  const second = open(p);
  cleanups.push(() => second.close());
  expect(client.lastResult()).toEqual(applied!);
});
