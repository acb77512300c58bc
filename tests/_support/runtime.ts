/**
 * Helpers for tests that drive a `Runtime` in this process (mock venue, journal on): polling until
 * a condition holds, the market entry on slot 0 many tests trade with (`btcEntry`), temp state dirs
 * removed after each test (`tempDirsPerTest`), a started runtime whose log a test reads
 * (`startedRuntime`), and process lifetimes on one state dir for restart tests (`restartableRuntimes`).
 */

import { afterEach, expect } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../src/contracts/clock.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { VenueEvent } from "../../src/contracts/venue.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

/** Polls `check` every 10 ms for up to 3 s, then asserts it holds. */
export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await Bun.sleep(10);
  expect(check()).toBe(true);
}

/** A market entry of 0.01 BTC-USDT, long, leverage 3, on slot 0. */
export function btcEntry(trade_id: string): Extract<StrategyIntent, { type: "ENTER" }> {
  return { type: "ENTER", slot_id: 0, trade_id, asset: "BTC-USDT", side: "LONG", size: 0.01, price: null, leverage: 3 };
}

/** A maker of temp dirs named `prefix…` for one test file: each is removed after its test. Call at the top level. */
export function tempDirsPerTest(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

/**
 * A started runtime journaling into `dir` (no live reconciliation interval, no warm path) on `clock`
 * (default the system's), its own log lines in `lines` (the bundle's are dropped). The test shuts it down.
 */
export async function startedRuntime(
  dir: string,
  clock: Clock = new SystemClock(),
): Promise<{ rt: Runtime; lines: string[] }> {
  const env = { DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0", DITA_V2_WARM_PATH_MS: "0" };
  const bundle = await buildBundle(loadConfig(env), clock, {}, { journal: true, log: () => {} });
  const lines: string[] = [];
  const rt = new Runtime(bundle, (line) => lines.push(line));
  await rt.start();
  return { rt, lines };
}

/**
 * Process lifetimes on one state dir, for restart tests of one file (call at the top level):
 * `stateDir()` makes a temp dir named `prefix…`; `start(dir, env)` builds and starts a runtime there
 * (journal on, no live reconciliation interval, no reconciliation at restart, then `env`), its log
 * lines (the bundle's and the runtime's) in `lines`, every venue event in `events`; `stop(rt,
 * boundMs)` shuts one down and returns its kernel's state hash. After each test every runtime still
 * running is shut down (500 ms), then the dirs are removed.
 */
export function restartableRuntimes(prefix: string) {
  const dirs: string[] = [];
  const open: Runtime[] = [];
  afterEach(async () => {
    for (const rt of open.splice(0)) await rt.shutdown(500);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const stateDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const start = async (dir: string, env: Record<string, string> = {}) => {
    const config = loadConfig({
      DITA_V2_STATE_DIR: dir,
      DITA_V2_RECONCILE_INTERVAL_MS: "0",
      DITA_V2_RECONCILE_ON_RESTART: "0",
      ...env,
    });
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const bundle = await buildBundle(config, new SystemClock(), {}, { journal: true, log });
    const events: VenueEvent[] = [];
    bundle.venue.onEvent((e) => events.push(e));
    const rt = new Runtime(bundle, log);
    open.push(rt);
    await rt.start();
    return { rt, lines, events };
  };
  const stop = async (rt: Runtime, boundMs = 500): Promise<string> => {
    const hash = rt.b.kernel.stateHashHex();
    open.splice(open.indexOf(rt), 1);
    await rt.shutdown(boundMs);
    return hash;
  };
  return { stateDir, start, stop };
}
