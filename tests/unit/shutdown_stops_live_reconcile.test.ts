/**
 * Shutdown and a live reconciliation pass: a pass still waiting on a venue read when SIGTERM
 * arrives must not touch the kernel (or apply a RECONCILE behind a closed journal) once shutdown
 * has stopped it. Shutdown stops the reconciler (no new pass; the running one ends at its next
 * venue answer) and waits for the running pass, bounded, before the journal closes and the kernel
 * is destroyed. Before the fix the pass resumed after `kernel.destroy()` and logged "live
 * reconciliation failed: ExecutionKernel used after destroy()".
 */

import { describe, expect, test } from "bun:test";
import { startedRuntime, tempDirsPerTest, until } from "../_support/runtime.ts";

const stateDir = tempDirsPerTest("dita-shutdown-reconcile-");

/** A started runtime whose next `positions()` read is held until `release()`. */
async function runtimeWithHeldRead() {
  const { rt, lines } = await startedRuntime(stateDir());
  const mock = rt.b.venue;
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  const state = { reading: false };
  const positions = mock.positions.bind(mock);
  mock.positions = async (asset) => {
    state.reading = true;
    await held;
    return positions(asset);
  };
  return { rt, mock, lines, release, state };
}

describe("shutdown stops live reconciliation before the kernel is destroyed", () => {
  test("a pass held on a venue read during shutdown never touches the destroyed kernel", async () => {
    const { rt, lines, release, state } = await runtimeWithHeldRead();
    const pass = rt.reconciler.pass();
    await until(() => state.reading);
    await rt.shutdown(800); // the pass is still held: shutdown waits for it only within its bound
    release();
    expect(await pass).toEqual([]);
    expect(lines.filter((l) => l.includes("live reconciliation failed"))).toEqual([]);
    expect(lines.join("\n")).not.toContain("used after destroy");
  });

  test("a pass whose read answers while shutdown waits for it ends before shutdown goes on, with no input applied", async () => {
    const { rt, mock, lines, release, state } = await runtimeWithHeldRead();
    const close = mock.close.bind(mock);
    mock.close = async () => {
      release(); // the venue answers as it closes
      return close();
    };
    const order: string[] = [];
    const pass = rt.reconciler.pass().then((r) => {
      order.push("pass");
      return r;
    });
    await until(() => state.reading);
    const entries = rt.b.inputs.entries;
    await rt.shutdown(8000).then(() => order.push("shutdown"));
    expect(await pass).toEqual([]);
    expect(order).toEqual(["pass", "shutdown"]);
    expect(rt.b.inputs.entries).toBe(entries);
    expect(lines.filter((l) => l.includes("live reconciliation failed"))).toEqual([]);
  });

  test("no pass starts once shutdown stopped the reconciler", async () => {
    const { rt, lines, release, state } = await runtimeWithHeldRead();
    release();
    await rt.shutdown(800);
    state.reading = false;
    expect(await rt.reconciler.pass()).toEqual([]);
    expect(state.reading).toBe(false);
    expect(lines.filter((l) => l.includes("live reconciliation failed"))).toEqual([]);
  });
});
