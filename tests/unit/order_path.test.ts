/**
 * The order path through the runtime (mock venue, real journal, fast tier): an input is in the
 * journal's file before the order it asked for reaches the venue (write-ahead), through HTTP and
 * through the ring; and once leverage is set, the order reaches the venue before the call that
 * accepted it returns (no event-loop hop in between), ahead of that call's projection work.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OrderRequest } from "../../src/contracts/venue.ts";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { btcEntry, until } from "../_support/runtime.ts";

const dirs: string[] = [];
const open: Runtime[] = [];
afterEach(async () => {
  for (const rt of open.splice(0)) await rt.shutdown(500);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Bytes of every journal segment on disk: what a crash right now would find. */
function journalBytes(dir: string): number {
  const j = join(dir, "journal");
  return readdirSync(j).reduce((n, f) => n + statSync(join(j, f)).size, 0);
}

/** A started runtime whose venue notes, at each submit, the journal's size on disk. */
async function start() {
  const dir = mkdtempSync(join(tmpdir(), "dita-order-path-"));
  dirs.push(dir);
  const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
  const bundle = await buildBundle(loadConfig(env), new SystemClock(), {}, { journal: true, log: () => {} });
  const submits: { order: OrderRequest; journalBytes: number }[] = [];
  const submit = bundle.venue.submit.bind(bundle.venue);
  bundle.venue.submit = (order) => {
    submits.push({ order, journalBytes: journalBytes(dir) });
    return submit(order);
  };
  const rt = new Runtime(bundle, () => {});
  open.push(rt);
  await rt.start();
  return { rt, dir, submits };
}

test("an input is in the journal's file before its order reaches the venue, through HTTP and the ring", async () => {
  const { rt, dir, submits } = await start();
  let before = journalBytes(dir);
  expect(rt.submitStrategy(btcEntry("wa1")).accepted).toBe(true);
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  expect(submits[0]!.journalBytes).toBeGreaterThan(before);

  before = journalBytes(dir);
  const exit = new Uint8Array(INPUT_SIZE);
  expect(encodeInput({ type: "EXIT", slot_id: 0, size: 0.01, reason: "SIGNAL", now_ms: 0 }, exit, 0)).toBeNull();
  expect(rt.b.zinc.pushIntent(exit)).toBe("OK");
  expect(rt.drainRing()).toBe(1);
  expect(submits).toHaveLength(2);
  expect(submits[1]!.journalBytes).toBeGreaterThan(before);
});

test("with leverage set, the order reaches the venue before the accepting call returns", async () => {
  const { rt, submits } = await start();
  rt.submitStrategy(btcEntry("sync1")); // the first entry sets the leverage (a venue call of its own)
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  rt.submitStrategy({ type: "EXIT", slot_id: 0, size: 0.01, reason: "SIGNAL" });
  expect(submits.map((s) => s.order.reduce_only)).toEqual([false, true]);
  await until(() => rt.b.kernel.slot(0).stage === "CLOSED" || rt.b.kernel.slot(0).stage === "IDLE");
  rt.submitStrategy(btcEntry("sync2"));
  expect(submits).toHaveLength(3);
});
