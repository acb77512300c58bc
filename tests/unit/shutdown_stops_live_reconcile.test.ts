/**
 * Shutdown and a live reconciliation pass: a pass still waiting on a venue read when SIGTERM
 * arrives must not touch the kernel (or apply a RECONCILE behind a closed journal) once shutdown
 * has stopped it. Shutdown stops the reconciler (no new pass; the running one ends at its next
 * venue answer) and waits for the running pass, bounded, before the journal closes and the kernel
 * is destroyed. Before the fix the pass resumed after `kernel.destroy()` and logged "live
 * reconciliation failed: ExecutionKernel used after destroy()".
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { until } from "../_support/runtime.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A started runtime whose next `positions()` read is held until `release()`. */
async function runtimeWithHeldRead() {
  const dir = mkdtempSync(join(tmpdir(), "dita-shutdown-reconcile-"));
  dirs.push(dir);
  const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
  const bundle = await buildBundle(loadConfig(env), new SystemClock(), {}, { journal: true, log: () => {} });
  const lines: string[] = [];
  const rt = new Runtime(bundle, (line) => lines.push(line));
  await rt.start();
  const mock = bundle.venue;
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
