/**
 * The projected mark (`<state dir>/spool/projected.mark`) names how far the state dir's journal was
 * projected, for serve's catch-up after a SIGKILL. A run that journals into a directory of its own
 * (the smoke: `<state dir>/journal-<pid>-<ms>`) must leave it alone: it used to replace serve's mark
 * with its own run, so the rows a SIGKILLed serve had not spooled were no longer rebuilt from
 * serve's journal at its next start.
 */

import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { CallbackSink } from "../../src/projection/index.ts";
import { btcEntry, until } from "../_support/runtime.ts";

const dirs: string[] = [];
const open: Runtime[] = [];
afterEach(async () => {
  for (const rt of open.splice(0)) await rt.shutdown(500);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A runtime on a fresh state dir that trades one entry and flushes its projection; the mark's path. */
async function tradeOnce(journalDir?: (stateDir: string) => string): Promise<string> {
  const stateDir = mkdtempSync(join(tmpdir(), "dita-mark-"));
  dirs.push(stateDir);
  const env = { DITA_V2_STATE_DIR: stateDir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
  const b = await buildBundle(
    loadConfig(env),
    new SystemClock(),
    {},
    {
      journal: true,
      log: () => {},
      projectionSinks: [new CallbackSink()], // spooled, as ClickHouse and Hazelcast are (the local default is not)
      ...(journalDir ? { journalDir: journalDir(stateDir) } : {}),
    },
  );
  const rt = new Runtime(b, () => {});
  open.push(rt);
  await rt.start();
  rt.submitStrategy(btcEntry("m1"));
  await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  expect(await rt.b.projection.flush(2_000)).toBe(true);
  return join(stateDir, "spool/projected.mark");
}

test("serve's own journal: the projected mark follows its run", async () => {
  const mark = await tradeOnce();
  expect(existsSync(mark)).toBe(true);
  expect(JSON.parse(readFileSync(mark, "utf8")).seq).toBeGreaterThan(0);
});

test("a run journaling into a directory of its own (the smoke) writes no projected mark", async () => {
  const mark = await tradeOnce((stateDir) => join(stateDir, "journal-smoke"));
  expect(existsSync(mark)).toBe(false);
});
